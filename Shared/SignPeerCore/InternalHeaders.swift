/// Header names used between the gateway and the internal services.
public enum InternalHeaders {
    /// Carries the shared internal credential as `Bearer <secret>`.
    public static let authorization = "Authorization"
    /// The authenticated caller, see ``Principal/headerValue()``.
    public static let principal = "X-SignPeer-Principal"
    /// The request id that travels with a request across all three services.
    public static let requestID = "X-Request-ID"
}
