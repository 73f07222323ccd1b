import CPKCS11
import SignPeerCore

/// A PKCS#11 function that did not return CKR_OK, with the return value by its CKR_ name (for
/// logs and messages: never a PIN, never key material).
public struct PKCS11Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The function that failed, e.g. `C_Sign`.
    public let function: String
    public let returnValue: CK_RV

    public init(_ function: String, _ returnValue: CK_RV) {
        self.function = function
        self.returnValue = returnValue
    }

    /// `CKR_DEVICE_REMOVED`, or the hexadecimal value for codes without a standard name.
    public var name: String { Self.name(of: returnValue) }

    public var description: String { "\(function) returned \(name)" }

    /// SPEC §6.1's outage classes: the module, the device or our sessions are gone, and only a
    /// re-initialisation of the module (C_Finalize + C_Initialize) brings them back. A repeated
    /// CKR_GENERAL_ERROR counts too; ``PKCS11Module`` and ``PKCS11Session/tokenInfo()`` count.
    public var isOutage: Bool {
        [
            0x30, 0x32, 0xE0, 0xB3, 0xB0, 0x190, 0x101,  // DEVICE_ERROR, DEVICE_REMOVED, TOKEN_NOT_PRESENT,
            // SESSION_HANDLE_INVALID, SESSION_CLOSED, CRYPTOKI_NOT_INITIALIZED, USER_NOT_LOGGED_IN
        ].contains(returnValue)
    }

    public var isGeneralError: Bool { returnValue == 0x05 }

    public static func name(of value: CK_RV) -> String {
        if let name = names[value] { return name }
        return "0x" + String(value, radix: 16, uppercase: true)
    }

    private static let names: [CK_RV: String] = [
        0x00: "CKR_OK", 0x01: "CKR_CANCEL", 0x02: "CKR_HOST_MEMORY", 0x03: "CKR_SLOT_ID_INVALID",
        0x05: "CKR_GENERAL_ERROR", 0x06: "CKR_FUNCTION_FAILED", 0x07: "CKR_ARGUMENTS_BAD",
        0x09: "CKR_NEED_TO_CREATE_THREADS", 0x0A: "CKR_CANT_LOCK", 0x10: "CKR_ATTRIBUTE_READ_ONLY",
        0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID", 0x13: "CKR_ATTRIBUTE_VALUE_INVALID",
        0x20: "CKR_DATA_INVALID", 0x21: "CKR_DATA_LEN_RANGE", 0x30: "CKR_DEVICE_ERROR", 0x31: "CKR_DEVICE_MEMORY",
        0x32: "CKR_DEVICE_REMOVED", 0x40: "CKR_ENCRYPTED_DATA_INVALID", 0x50: "CKR_FUNCTION_CANCELED",
        0x54: "CKR_FUNCTION_NOT_SUPPORTED", 0x60: "CKR_KEY_HANDLE_INVALID", 0x62: "CKR_KEY_SIZE_RANGE",
        0x63: "CKR_KEY_TYPE_INCONSISTENT", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED", 0x6A: "CKR_KEY_UNEXTRACTABLE",
        0x70: "CKR_MECHANISM_INVALID", 0x71: "CKR_MECHANISM_PARAM_INVALID", 0x82: "CKR_OBJECT_HANDLE_INVALID",
        0x90: "CKR_OPERATION_ACTIVE", 0x91: "CKR_OPERATION_NOT_INITIALIZED", 0xA0: "CKR_PIN_INCORRECT",
        0xA1: "CKR_PIN_INVALID", 0xA2: "CKR_PIN_LEN_RANGE", 0xA3: "CKR_PIN_EXPIRED", 0xA4: "CKR_PIN_LOCKED",
        0xB0: "CKR_SESSION_CLOSED", 0xB1: "CKR_SESSION_COUNT", 0xB3: "CKR_SESSION_HANDLE_INVALID",
        0xB5: "CKR_SESSION_READ_ONLY", 0xB6: "CKR_SESSION_EXISTS", 0xC0: "CKR_SIGNATURE_INVALID",
        0xC1: "CKR_SIGNATURE_LEN_RANGE", 0xD0: "CKR_TEMPLATE_INCOMPLETE", 0xD1: "CKR_TEMPLATE_INCONSISTENT",
        0xE0: "CKR_TOKEN_NOT_PRESENT", 0xE1: "CKR_TOKEN_NOT_RECOGNIZED", 0xE2: "CKR_TOKEN_WRITE_PROTECTED",
        0x100: "CKR_USER_ALREADY_LOGGED_IN", 0x101: "CKR_USER_NOT_LOGGED_IN", 0x102: "CKR_USER_PIN_NOT_INITIALIZED",
        0x103: "CKR_USER_TYPE_INVALID", 0x150: "CKR_BUFFER_TOO_SMALL", 0x170: "CKR_INFORMATION_SENSITIVE",
        0x180: "CKR_STATE_UNSAVEABLE", 0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
        0x191: "CKR_CRYPTOKI_ALREADY_INITIALIZED", 0x1A0: "CKR_MUTEX_BAD", 0x1A1: "CKR_MUTEX_NOT_LOCKED",
    ]
}

extension SignPeerError {
    /// The token's module is in an outage (SPEC §6.1) or the token is not activated.
    static func pkcs11Offline(_ reason: String) -> SignPeerError {
        SignPeerError.cryptoTokenOffline("The crypto token is offline (\(reason)).")
    }

    /// A module call that did not answer within the call timeout (SPEC §6.1).
    static func pkcs11TimedOut(after timeout: Duration) -> SignPeerError {
        SignPeerError.serviceUnavailable("The HSM did not answer within \(timeout.components.seconds) s; try again later.")
    }

    /// Any other module failure: a 500 naming the function and the CKR_ code.
    static func pkcs11Failure(_ error: PKCS11Error, while doing: String) -> SignPeerError {
        SignPeerError.internalError("The HSM failed to \(doing) (\(error)).")
    }
}
