import SignPeerCore
@testable import SignPeerPKCS11
import Testing

/// SignServer's ATTRIBUTES syntax (SPEC §6.1) and the slot properties, without an HSM.
@Suite("PKCS#11 properties")
struct PKCS11TemplateTests {
    /// SignServer's sample, as its property file delivers it (continuation lines joined).
    static let signServerSample =
        "attributes(generate,CKO_PUBLIC_KEY,*) = {   CKA_TOKEN = false   CKA_ENCRYPT = false   CKA_VERIFY = true   CKA_WRAP = false}"
        + "attributes(generate, CKO_PRIVATE_KEY,*) = {   CKA_TOKEN = true   CKA_PRIVATE = true   CKA_SENSITIVE = true"
        + "   CKA_EXTRACTABLE = false   CKA_DECRYPT = false   CKA_SIGN = true   CKA_UNWRAP = false}"

    @Test func theDefaultTemplateIsSignServers() {
        let template = PKCS11KeyTemplate.signServerDefault
        let privateKey = template.attributes(objectClass: CK.privateKey, keyType: CK.ec)
        #expect(privateKey[CKA.token] == true && privateKey[CKA.private] == true && privateKey[CKA.sensitive] == true)
        #expect(privateKey[CKA.extractable] == false && privateKey[CKA.sign] == true && privateKey[CKA.decrypt] == false)
        #expect(privateKey[CKA.unwrap] == false)
        let publicKey = template.attributes(objectClass: CK.publicKey, keyType: CK.ec)
        #expect(publicKey[CKA.verify] == true && publicKey[CKA.token] == true && publicKey[CKA.encrypt] == false)
    }

    @Test func signServersSampleAppliesWithThePublicKeyKeptAsTokenObject() throws {
        let template = try PKCS11KeyTemplate(parsing: Self.signServerSample, property: "ATTRIBUTES")
        #expect(template.attributes(objectClass: CK.publicKey, keyType: CK.rsa)[CKA.token] == true)
        #expect(template.attributes(objectClass: CK.privateKey, keyType: CK.rsa)[CKA.decrypt] == false)
    }

    @Test func rulesApplyByClassAndKeyTypeInOrder() throws {
        let template = try PKCS11KeyTemplate(
            parsing: """
                # comment lines are ignored
                attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_DECRYPT = true }
                attributes(*, CKO_PRIVATE_KEY, CKK_EC) = {
                  CKA_DECRYPT = false
                  CKA_DERIVE = true
                }
                """, property: "ATTRIBUTESFILE")
        #expect(template.attributes(objectClass: CK.privateKey, keyType: CK.rsa)[CKA.decrypt] == true)
        #expect(template.attributes(objectClass: CK.privateKey, keyType: CK.ec)[CKA.decrypt] == false)
        #expect(template.attributes(objectClass: CK.privateKey, keyType: CK.ec)[CKA.derive] == true)
    }

    @Test(arguments: [
        ("attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_MODULUS_BITS = true }", "CKA_MODULUS_BITS"),
        ("attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_EXTRACTABLE = true }", "CKA_EXTRACTABLE"),
        ("attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_SENSITIVE = false }", "CKA_SENSITIVE"),
        ("attributes(generate, CKO_SECRET_KEY, *) = { CKA_SIGN = true }", "CKO_SECRET_KEY"),
        ("attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_SIGN = yes }", "yes"),
        ("attributes = compatibility", "attributes"),
    ])
    func badTemplatesAreRefusedByName(text: String, named: String) {
        #expect {
            try PKCS11KeyTemplate(parsing: text, property: "ATTRIBUTES")
        } throws: { error in
            let error = error as? SignPeerError
            return error?.code == .invalidProperty && error?.message.contains(named) == true
                && error?.message.hasPrefix("ATTRIBUTES") == true
        }
    }

    @Test func slotSelectorsReadSignServersProperties() throws {
        #expect(try PKCS11SlotSelector(type: "SLOT_LABEL", value: "SignPeerDemo") == .label("SignPeerDemo"))
        #expect(try PKCS11SlotSelector(type: "SLOT_INDEX", value: "i0") == .index(0))
        #expect(try PKCS11SlotSelector(type: "slot_index", value: "2") == .index(2))
        #expect(try PKCS11SlotSelector(type: "SLOT_NUMBER", value: "1039144563") == .number(1_039_144_563))
        for (type, value) in [("SLOT_NUMBER", "x1"), ("SLOT_INDEX", "i-1"), ("SLOT_LABEL", String(repeating: "a", count: 33)),
                              ("SLOT_NAME", "a"), (nil, "a"), ("SLOT_LABEL", " ")] as [(String?, String)]
        {
            #expect(throws: SignPeerError.self) { try PKCS11SlotSelector(type: type, value: value) }
        }
    }
}
