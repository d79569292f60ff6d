package io.eastwatch.daemon.config;

/**
 * One declared configuration key. {@code defaultValue} is already of the type's Java class;
 * {@link ConfigDef#REQUIRED} marks a key without default, {@code null} an optional key that may
 * stay unset.
 */
public record ConfigKey(String name, ConfigType type, Object defaultValue, ConfigValidator validator, String doc) {

    public boolean required() {
        return defaultValue == ConfigDef.REQUIRED;
    }

    public boolean secret() {
        return type == ConfigType.SECRET;
    }
}
