package io.eastwatch.daemon.ops;

/**
 * The current health of one component (capture, exporter, consumer, ...). Called on the ops
 * event loop at every {@code /healthz} request: return a state the component already keeps,
 * never block.
 */
@FunctionalInterface
public interface HealthCheck {

    enum Status { UP, DEGRADED, DOWN }

    /** One component's state with a short human detail ("spooling: Kafka unreachable for 42 s"). */
    record Result(Status status, String detail) {
        public static Result up(String detail) {
            return new Result(Status.UP, detail);
        }

        public static Result degraded(String detail) {
            return new Result(Status.DEGRADED, detail);
        }

        public static Result down(String detail) {
            return new Result(Status.DOWN, detail);
        }
    }

    Result check();
}
