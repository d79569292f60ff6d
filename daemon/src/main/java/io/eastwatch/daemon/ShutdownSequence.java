package io.eastwatch.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ordered shutdown steps under one overall deadline. Order matters for a flow pipeline (stop the
 * capture before flushing the table, flush the table before the exporter, the exporter before
 * closing the producer) so each step runs only after the previous one returned; a step that
 * overruns the remaining time is abandoned (logged) so that a supervisor's stop timeout is never
 * exceeded, and the later steps still get their chance. Runs at most once.
 */
public final class ShutdownSequence {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSequence.class);

    /** A named step. */
    public interface Step {
        void run() throws Exception;
    }

    private record Named(String name, Step step) {
    }

    private final List<Named> steps = new ArrayList<>();
    private final Duration deadline;
    private final AtomicBoolean ran = new AtomicBoolean();

    /** @param deadline the whole sequence's budget; systemd's default stop timeout is 90 s */
    public ShutdownSequence(Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline: " + deadline + " (expected: > 0)");
        }
        this.deadline = deadline;
    }

    public synchronized ShutdownSequence then(String name, Step step) {
        steps.add(new Named(name, step));
        return this;
    }

    /**
     * Runs the steps in order. Returns true when all completed without error in time.
     * Calls after the first return false at once.
     */
    public boolean run() {
        if (!ran.compareAndSet(false, true)) {
            return false;
        }
        List<Named> todo;
        synchronized (this) {
            todo = List.copyOf(steps);
        }
        long end = System.nanoTime() + deadline.toNanos();
        boolean clean = true;
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "eastwatch-shutdown");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Named s : todo) {
                long left = end - System.nanoTime();
                // a step always gets a sliver of time, even once the budget is spent, so that
                // a fast close() of the producer is not skipped because an earlier step overran
                long budget = Math.max(left, TimeUnit.MILLISECONDS.toNanos(200));
                long t0 = System.nanoTime();
                Future<?> f = runner.submit(() -> {
                    s.step().run();
                    return null;
                });
                try {
                    f.get(budget, TimeUnit.NANOSECONDS);
                    LOG.info("shutdown: {} done in {} ms", s.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                } catch (TimeoutException e) {
                    clean = false;
                    f.cancel(true);
                    LOG.warn("shutdown: {} did not finish within {} ms; abandoned", s.name(),
                            TimeUnit.NANOSECONDS.toMillis(budget));
                    // the abandoned step still holds the runner thread: later steps need a fresh one
                    runner.shutdownNow();
                    runner = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "eastwatch-shutdown");
                        t.setDaemon(true);
                        return t;
                    });
                } catch (ExecutionException e) {
                    clean = false;
                    LOG.warn("shutdown: {} failed", s.name(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    LOG.warn("shutdown interrupted during {}", s.name());
                    return false;
                }
            }
        } finally {
            runner.shutdownNow();
        }
        return clean;
    }
}
