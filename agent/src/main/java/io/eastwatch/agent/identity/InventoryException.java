package io.eastwatch.agent.identity;

/** The inventory file cannot be used; the message names the file and the JSON path of the problem. */
public final class InventoryException extends Exception {
    public InventoryException(String message) {
        super(message);
    }

    public InventoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
