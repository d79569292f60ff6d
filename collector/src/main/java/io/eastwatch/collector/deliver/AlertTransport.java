package io.eastwatch.collector.deliver;

/** Sends one rendered alert to one receiver. Implementations never throw: they classify. */
interface AlertTransport extends AutoCloseable {

    DeliveryResult send(AlertView alert, byte[] body, String deliveryId);

    @Override
    default void close() {
    }
}
