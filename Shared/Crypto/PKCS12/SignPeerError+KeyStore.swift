import SignPeerCore

extension SignPeerError.Code {
    /// The authentication code (PIN) of a crypto token's key store is wrong (SPEC §6).
    public static let authenticationFailed: Self = "authentication_failed"
}

extension SignPeerError {
    public static func authenticationFailed(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.authenticationFailed, message, file: file, line: line)
    }

    /// A key store did not open with the given code. Says nothing about the code or the content.
    static let wrongKeyStoreCode = SignPeerError.authenticationFailed("Wrong authentication code for the key store.")

    /// A key store that is not readable PKCS#12; deliberately without details, since they could
    /// come from decrypted content.
    static let invalidKeyStore = SignPeerError.invalidRequest("The key store is not a valid PKCS#12 key store.")
}
