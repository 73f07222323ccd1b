/// `POST /admin/v1/workers/{ref}/token/export` (`signpeer exportkeystore`): the token's keys as a
/// PKCS#12 key store under a new password, for moving keys out of SignPeer (SPEC §6, §13). Admin
/// only and audited; the password is never stored, logged or echoed.
public struct KeyStoreExportRequest: Codable, Sendable {
    public var password: String
    public init(password: String) { self.password = password }
}

public struct KeyStoreExportResponse: Codable, Sendable {
    public var tokenWorkerId: Int
    /// How many aliases the key store holds.
    public var entries: Int
    /// The DER PKCS#12, base64.
    public var pkcs12: String
    public init(tokenWorkerId: Int, entries: Int, pkcs12: String) {
        self.tokenWorkerId = tokenWorkerId
        self.entries = entries
        self.pkcs12 = pkcs12
    }
}
