/**
 * Identity: who is behind each address of a flow, at the flow's time.
 *
 * <p>{@link io.eastwatch.agent.identity.IdentityEnricher} sits after the flow table and stamps both
 * endpoints with a container (id, name, workload, image, host, resolver), this host, or external.
 * It asks its {@link io.eastwatch.agent.identity.ContainerResolver}s in order, first match wins:
 * the Docker Engine API ({@link io.eastwatch.agent.identity.DockerContainerResolver}), a /proc and
 * cgroup scan for other runtimes ({@link io.eastwatch.agent.identity.ProcContainerResolver}), and
 * the inventory file ({@link io.eastwatch.agent.identity.InventoryResolver}). Every resolver keeps
 * time-bounded ownership (an address belongs to a container only while it runs; addresses are
 * reused), so late and replayed flows are attributed to the owner at their own time.
 * {@link io.eastwatch.agent.identity.Workloads} names the workload replicas share.
 */
package io.eastwatch.agent.identity;
