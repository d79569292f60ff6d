package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadsTest {

    /** labels as k=v;k=v, then image, name, expected workload. */
    @ParameterizedTest(name = "{3}")
    @CsvSource(delimiter = '|', value = {
            "com.docker.compose.project=shop;com.docker.compose.service=web | shop/web:1 | shop-web-1 | shop/web",
            "com.docker.compose.service=web                        | nginx:1.25 | x | web",
            "io.kubernetes.pod.namespace=shop;app=cart;app.kubernetes.io/name=cart-svc | r/cart:1 | p | shop/cart-svc",
            "io.kubernetes.pod.namespace=shop;app=cart             | r/cart:1 | p | shop/cart",
            "io.kubernetes.pod.namespace=shop;io.kubernetes.pod.name=cart-7d9f8b6c5d-x2x4q | r/cart:1 | p | shop/cart",
            "io.kubernetes.pod.namespace=db;io.kubernetes.pod.name=postgres-0 | postgres:16 | p | db/postgres",
            "io.kubernetes.pod.namespace=kube-system;io.kubernetes.pod.name=kube-proxy-x7k2p | kp:1 | p | kube-system/kube-proxy",
            "io.kubernetes.pod.namespace=ops;io.kubernetes.pod.name=standalone | tool:1 | p | ops/standalone",
            "                                                      | registry.local:5000/shop/web-00:1.4.2 | n | registry.local:5000/shop/web-00",
            "                                                      | quay.io/acme/api@sha256:0123 | n | quay.io/acme/api",
            "                                                      | quay.io/acme/api:5.0@sha256:0123 | n | quay.io/acme/api",
            "                                                      | localhost:5000/app | n | localhost:5000/app",
            "                                                      | sha256:7bcaab5386 | lonely | lonely",
    })
    void namesTheWorkload(String labels, String image, String name, String expected) {
        Map<String, String> m = new HashMap<>();
        if (labels != null) {
            for (String kv : labels.split(";")) {
                String[] p = kv.trim().split("=", 2);
                m.put(p[0], p[1]);
            }
        }
        assertEquals(expected, Workloads.of(m, image, name));
    }
}
