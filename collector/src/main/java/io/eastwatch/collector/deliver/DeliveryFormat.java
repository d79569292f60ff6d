package io.eastwatch.collector.deliver;

import java.util.Locale;

/** The wire format a delivery target receives. */
public enum DeliveryFormat {
    /** DESIGN.md's alert JSON, unchanged. */
    GENERIC("generic"),
    /** Slack incoming webhook: {"text": ..., "blocks": [...]}. */
    SLACK("slack"),
    /** Splunk HTTP Event Collector: {"time", "sourcetype", "event": alert}, Authorization: Splunk TOKEN. */
    SPLUNK_HEC("splunk-hec"),
    /** OCSF 1.x Detection Finding (class_uid 2004). */
    OCSF("ocsf"),
    /** ArcSight CEF over syslog (RFC 5424 framing, octet-counted over TCP, optionally TLS). */
    SYSLOG_CEF("syslog-cef");

    private final String configName;

    DeliveryFormat(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static DeliveryFormat parse(String value) {
        for (DeliveryFormat f : values()) {
            if (f.configName.equals(value.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("format: " + value
                + " (expected: generic, slack, splunk-hec, ocsf or syslog-cef)");
    }
}
