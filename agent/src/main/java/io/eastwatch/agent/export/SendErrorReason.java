package io.eastwatch.agent.export;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.KafkaException;

/** Why a send to Kafka failed, as a bounded metric tag value. */
enum SendErrorReason {
    TIMEOUT,
    BUFFER_FULL,
    NETWORK,
    NOT_LEADER,
    NOT_ENOUGH_REPLICAS,
    UNKNOWN_TOPIC,
    RECORD_TOO_LARGE,
    AUTH,
    CLOSED,
    OTHER;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);

    static SendErrorReason of(Throwable e) {
        Throwable t = e;
        if (t instanceof KafkaException && t.getCause() != null && !(t instanceof org.apache.kafka.common.errors.ApiException)) {
            t = t.getCause();
        }
        if (t instanceof BufferExhaustedException) {
            return BUFFER_FULL; // a subclass of TimeoutException: test it first
        }
        if (t instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (t instanceof NetworkException) {
            return NETWORK;
        }
        if (t instanceof NotLeaderOrFollowerException) {
            return NOT_LEADER;
        }
        if (t instanceof NotEnoughReplicasException) {
            return NOT_ENOUGH_REPLICAS;
        }
        if (t instanceof UnknownTopicOrPartitionException || t instanceof InvalidTopicException) {
            return UNKNOWN_TOPIC;
        }
        if (t instanceof RecordTooLargeException) {
            return RECORD_TOO_LARGE;
        }
        if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
            return AUTH;
        }
        if (t instanceof IllegalStateException) {
            return CLOSED;
        }
        return OTHER;
    }
}
