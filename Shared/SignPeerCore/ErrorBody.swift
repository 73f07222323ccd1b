/// The JSON shape of every error answer (SPEC §8): `{"error": {"code": ..., "message": ...}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var error: Detail

    public init(_ error: SignPeerError) {
        self.error = Detail(code: error.code.rawValue, message: error.message)
    }
}
