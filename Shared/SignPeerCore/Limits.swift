/// The size limits every service applies, in one table.
public enum Limits {
    /// Request bodies (property files, certificates, JSON): larger ones are 413
    /// `request_too_large` (SPEC §8).
    public static let requestBody = 1024 * 1024
    /// Answers of internal services read by libcurl (a listing of many bindings with chains).
    public static let internalResponse = 16 * 1024 * 1024
}
