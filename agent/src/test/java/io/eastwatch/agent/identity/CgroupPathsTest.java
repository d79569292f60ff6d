package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CgroupPathsTest {
    private static final String ID = "3759aa1d0c6f8e2b4a1d9e7f6c5b4a3928171615141312111009080706050403";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "docker-cgroupfs.txt,          docker",
            "docker-systemd.txt,           docker",
            "docker-cgroup2.txt,           docker",
            "containerd-k8s-systemd.txt,   containerd",
            "containerd-k8s-cgroupfs.txt,  containerd",
            "crio.txt,                     cri-o",
            "podman.txt,                   podman",
            "podman-cgroupfs.txt,          podman",
            "docker-in-docker.txt,         docker",
    })
    void findsTheContainerInEveryRuntimesPathForm(String fixture, String runtime) {
        CgroupPaths.Match m = CgroupPaths.containerOf(Fixtures.text("cgroup/" + fixture));
        assertNotNull(m, fixture);
        assertEquals(ID, m.id(), fixture);
        assertEquals(runtime, m.runtime(), fixture);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"host-process.txt", "crio-conmon.txt", "podman-conmon.txt"})
    void hostProcessesAndContainerMonitorsAreNotContainers(String fixture) {
        assertNull(CgroupPaths.containerOf(Fixtures.text("cgroup/" + fixture)), fixture);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "garbage", "0::", "1:x", "0::/docker/3759aa1d", "0::/docker/" + ID + "x",
            "0::/docker-" + ID + ".scopeX"})
    void malformedOrShortIdsGiveNoContainer(String text) {
        assertNull(CgroupPaths.containerOf(text));
    }

    @org.junit.jupiter.api.Test
    void theLabsRealCgroupFileNamesItsContainer() {
        CgroupPaths.Match m = CgroupPaths.containerOf(Fixtures.text("cgroup/docker-cgroupfs-lab.txt"));
        assertEquals("e664bb3e26dc3effc777f46e9342ce070acf5f4705464260e940bb72122f5bbc", m.id());
        assertEquals("docker", m.runtime());
    }
}
