package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;

/** A container holds {@code address} (4 or 16 bytes) since {@code sinceMicros}. */
public record HeldAddress(ByteString address, ContainerIdentity container, long sinceMicros) {
}
