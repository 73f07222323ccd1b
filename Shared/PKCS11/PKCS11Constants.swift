import CPKCS11

/// The PKCS#11 2.40 / 3.0 numbers SignPeer uses, typed as CK_ULONG (p11-kit's header defines them
/// as macros whose imported types vary).
enum CK {
    // Object classes
    static let certificate: CK_OBJECT_CLASS = 0x01
    static let publicKey: CK_OBJECT_CLASS = 0x02
    static let privateKey: CK_OBJECT_CLASS = 0x03
    // Key types
    static let rsa: CK_KEY_TYPE = 0x00
    static let ec: CK_KEY_TYPE = 0x03
    static let ecEdwards: CK_KEY_TYPE = 0x40
    // Mechanisms
    static let rsaKeyPairGen: CK_MECHANISM_TYPE = 0x0000
    static let rsaPKCS: CK_MECHANISM_TYPE = 0x0001
    static let rsaPSS: CK_MECHANISM_TYPE = 0x000D
    static let ecKeyPairGen: CK_MECHANISM_TYPE = 0x1040
    static let ecdsa: CK_MECHANISM_TYPE = 0x1041
    static let ecEdwardsKeyPairGen: CK_MECHANISM_TYPE = 0x1055
    static let eddsa: CK_MECHANISM_TYPE = 0x1057
    static let sha256: CK_MECHANISM_TYPE = 0x0250
    static let sha384: CK_MECHANISM_TYPE = 0x0260
    static let sha512: CK_MECHANISM_TYPE = 0x0270
    static let mgf1SHA256: CK_RSA_PKCS_MGF_TYPE = 0x02
    static let mgf1SHA384: CK_RSA_PKCS_MGF_TYPE = 0x03
    static let mgf1SHA512: CK_RSA_PKCS_MGF_TYPE = 0x04
    // Sessions and users
    static let serialSession: CK_FLAGS = 1 << 2
    static let rwSession: CK_FLAGS = 1 << 1
    static let userType: CK_USER_TYPE = 1
    static let rwUserFunctions: CK_STATE = 3
    static let unavailableInformation: CK_ULONG = CK_ULONG.max
    // Return values used in decisions
    static let ok: CK_RV = 0x00
    static let attributeSensitive: CK_RV = 0x11
    static let attributeTypeInvalid: CK_RV = 0x12
    static let mechanismInvalid: CK_RV = 0x70
    static let objectHandleInvalid: CK_RV = 0x82
    static let pinIncorrect: CK_RV = 0xA0
    static let pinLocked: CK_RV = 0xA4
    static let userAlreadyLoggedIn: CK_RV = 0x100
    static let bufferTooSmall: CK_RV = 0x150
}

/// Attribute types, with their CKA_ names for ATTRIBUTES templates and messages.
enum CKA {
    static let `class`: CK_ATTRIBUTE_TYPE = 0x000
    static let token: CK_ATTRIBUTE_TYPE = 0x001
    static let `private`: CK_ATTRIBUTE_TYPE = 0x002
    static let label: CK_ATTRIBUTE_TYPE = 0x003
    static let value: CK_ATTRIBUTE_TYPE = 0x011
    static let keyType: CK_ATTRIBUTE_TYPE = 0x100
    static let id: CK_ATTRIBUTE_TYPE = 0x102
    static let sensitive: CK_ATTRIBUTE_TYPE = 0x103
    static let encrypt: CK_ATTRIBUTE_TYPE = 0x104
    static let decrypt: CK_ATTRIBUTE_TYPE = 0x105
    static let wrap: CK_ATTRIBUTE_TYPE = 0x106
    static let unwrap: CK_ATTRIBUTE_TYPE = 0x107
    static let sign: CK_ATTRIBUTE_TYPE = 0x108
    static let verify: CK_ATTRIBUTE_TYPE = 0x10A
    static let derive: CK_ATTRIBUTE_TYPE = 0x10C
    static let modulus: CK_ATTRIBUTE_TYPE = 0x120
    static let modulusBits: CK_ATTRIBUTE_TYPE = 0x121
    static let publicExponent: CK_ATTRIBUTE_TYPE = 0x122
    static let extractable: CK_ATTRIBUTE_TYPE = 0x162
    static let neverExtractable: CK_ATTRIBUTE_TYPE = 0x164
    static let alwaysSensitive: CK_ATTRIBUTE_TYPE = 0x165
    static let ecParams: CK_ATTRIBUTE_TYPE = 0x180
    static let ecPoint: CK_ATTRIBUTE_TYPE = 0x181

    /// The boolean attributes an ATTRIBUTES template may set (SPEC §6.1), by name.
    static let templateBooleans: [String: CK_ATTRIBUTE_TYPE] = [
        "CKA_TOKEN": token, "CKA_PRIVATE": `private`, "CKA_SENSITIVE": sensitive, "CKA_EXTRACTABLE": extractable,
        "CKA_SIGN": sign, "CKA_DECRYPT": decrypt, "CKA_UNWRAP": unwrap, "CKA_VERIFY": verify,
        "CKA_ENCRYPT": encrypt, "CKA_WRAP": wrap, "CKA_DERIVE": derive,
    ]
}
