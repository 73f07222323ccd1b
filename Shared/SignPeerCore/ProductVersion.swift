/// The product version reported by `GET /peer/v1/ping` and every service's start-up log line.
public enum ProductVersion {
    public static let current = "0.1.0"
}
