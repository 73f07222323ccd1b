import Foundation
import SignPeerCore
import SignPeerPKCS11
import SignPeerTestSupport

/// One private SoftHSM2 for this test process (SoftHSM reads `SOFTHSM2_CONF` at C_Initialize,
/// once per process): two tokens, and the module loaded through ``PKCS11Module``.
enum PKCS11Fixture {
    static let pinA = "1111-a", pinB = "2222-b", pinEd448 = "3333-ed"
    static let hsm: SoftHSM = {
        let hsm = try! SoftHSM(prefix: "signpeer-pkcs11-unit")
        try! hsm.initToken(label: "unit-a", pin: pinA)
        try! hsm.initToken(label: "unit-b", pin: pinB)
        try! hsm.initToken(label: "unit-ed448", pin: pinEd448)
        setenv("SOFTHSM2_CONF", hsm.configuration, 1)
        return hsm
    }()

    static func module() async throws -> PKCS11Module {
        _ = hsm
        return try await PKCS11Module.acquire(path: SoftHSM.modulePath)
    }

    static func token(_ label: String = "unit-a", pin: String? = nil) async throws -> PKCS11Token {
        let token = PKCS11Token(
            module: try await module(), slot: .label(label), pin: pin ?? (label == "unit-a" ? pinA : pinB),
            callTimeout: .seconds(60))
        try await token.activate()
        return token
    }

    static func uniqueAlias(_ prefix: String) -> String { prefix + "-" + UUID().uuidString.prefix(8).lowercased() }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
