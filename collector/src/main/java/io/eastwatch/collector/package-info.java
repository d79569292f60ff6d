/**
 * The eastwatch collector: ingest -> baseline -> detect -> alert.
 *
 * <p>In process (replay, simulation, tests), without Kafka:
 * <pre>{@code
 * DetectionEngine engine = new DetectionEngine(
 *         CollectorSettings.defaults().withLearning(Duration.ofMinutes(30)),
 *         alert -> out.add(alert),            // AlertSink: every new alert and every revision
 *         new SimpleMeterRegistry());
 * for (FlowRecord f : flowsInCaptureOrder) {
 *     engine.onFlow(f);                       // event time comes from the record
 * }
 * engine.onHeartbeat(hb);                     // optional: coverage notes and health alerts
 * engine.advanceTo(watermarkUs);              // optional: move event time while no flow arrives
 * engine.finish();                            // end of input: judge the open windows
 * }</pre>
 * The first flow starts the learning phase. Alerts are {@link io.eastwatch.collector.alert.Alert}
 * records ({@link io.eastwatch.collector.alert.AlertJson} writes the contract's JSON); keep the
 * highest {@code revision} per {@code id}.
 *
 * <p>As a daemon, {@link io.eastwatch.collector.CollectorMain} wires {@link io.eastwatch.collector.CollectorApp}:
 * one engine per flows partition behind a Kafka consumer group, with alerts, dead letters,
 * snapshots and offsets committed in one transaction.
 */
package io.eastwatch.collector;
