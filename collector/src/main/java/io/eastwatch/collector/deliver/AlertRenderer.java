package io.eastwatch.collector.deliver;

/** Turns an alert into the body one kind of receiver expects. One implementation per format. */
interface AlertRenderer {

    byte[] render(AlertView alert);

    static AlertRenderer forFormat(DeliveryFormat format) {
        return switch (format) {
            case GENERIC -> AlertView::raw;
            case SLACK -> new SlackRenderer();
            case SPLUNK_HEC -> new SplunkHecRenderer();
            case OCSF -> new OcsfRenderer();
            case SYSLOG_CEF -> new CefRenderer();
        };
    }
}
