import SignPeerCore
import SignPeerStore
import Testing

/// SPEC §3 value rules, applied by ``PropertyWriter`` to every property change.
struct PropertyValueRulesTests {
    @Test(arguments: [
        (PropertyName.peersVisible, "true", "true"), (PropertyName.peersVisible, " TRUE ", "true"),
        (PropertyName.disabled, "False", "false"), (PropertyName.peersIssued, "false", "false"),
        ("KEYALG", "  RSA ", "RSA"), ("REQUESTDN", "CN=a, O=b", "CN=a, O=b"),
    ])
    func storesTheCanonicalValue(property: String, value: String, stored: String) throws {
        #expect(try PropertyValueRules.canonical(property: property, value: value) == stored)
    }

    @Test(arguments: [PropertyName.peersVisible, "KEYALG", PropertyName.signerCertificate])
    func aBlankValueRemovesTheProperty(property: String) throws {
        #expect(try PropertyValueRules.canonical(property: property, value: " \t ") == nil)
    }

    @Test(arguments: ["yes", "1", "on", "truee"])
    func booleansAreTrueOrFalseOnly(value: String) {
        #expect(throws: SignPeerError(.invalidProperty, "PEERS_VISIBLE must be true or false, not '\(value)'.")) {
            try PropertyValueRules.canonical(property: PropertyName.peersVisible, value: value)
        }
    }

    @Test func certificatesMustParse() {
        #expect(throws: SignPeerError(.invalidCertificate, "SIGNERCERTIFICATE is not a certificate in PEM or base64 DER.")) {
            try PropertyValueRules.canonical(property: PropertyName.signerCertificate, value: "bm90IGEgY2VydA==")
        }
    }

    @Test(arguments: ["Signer1", "a.b-c_d"])
    func workerNamesUseReferenceCharacters(name: String) throws {
        #expect(try PropertyValueRules.validName(" \(name) ") == name)
    }

    @Test(arguments: ["12", "has space", "semi;colon", ""])
    func badWorkerNamesAreRefused(name: String) {
        #expect(throws: SignPeerError.self) { try PropertyValueRules.validName(name) }
    }

    @Test func typesAreTheFourWorkerTypes() throws {
        #expect(try PropertyValueRules.validType("crypto_worker") == .cryptoWorker)
        #expect(throws: SignPeerError.self) { try PropertyValueRules.validType("SIGNER") }
    }
}
