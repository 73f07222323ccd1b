import Foundation

/// RFC 3339 UTC timestamps (`2027-01-31T12:00:00Z`), the form every API answer uses.
public enum RFC3339 {
    public static func string(from date: Date) -> String {
        date.formatted(.iso8601)
    }
}
