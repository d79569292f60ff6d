package io.eastwatch.collector.deliver;

/**
 * What one attempt achieved. Typed by whether trying again can help: a timeout, a refused
 * connection or a 5xx/408/429 may pass later; any other 4xx means the receiver rejects this alert
 * and retrying would only repeat the rejection.
 */
record DeliveryResult(Kind kind, int status, String reason) {

    enum Kind { DELIVERED, RETRIABLE, PERMANENT }

    static DeliveryResult delivered(int status) {
        return new DeliveryResult(Kind.DELIVERED, status, "ok");
    }

    static DeliveryResult retriable(int status, String reason) {
        return new DeliveryResult(Kind.RETRIABLE, status, reason);
    }

    static DeliveryResult permanent(int status, String reason) {
        return new DeliveryResult(Kind.PERMANENT, status, reason);
    }

    /** Maps an HTTP status to a result. */
    static DeliveryResult ofHttpStatus(int status) {
        if (status >= 200 && status < 300) {
            return delivered(status);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return retriable(status, "http " + status);
        }
        return permanent(status, "http " + status);
    }
}
