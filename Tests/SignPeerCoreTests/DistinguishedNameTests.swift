import SignPeerCore
import Testing

@Suite struct DistinguishedNameTests {
    private func normalized(_ input: String) throws -> String {
        try DistinguishedName(parsing: input).normalized
    }

    @Test func keepsRFC4514Order() throws {
        #expect(try normalized("CN=Demo CA,O=Demo,C=SE") == "CN=Demo CA, O=Demo, C=SE")
    }

    @Test(arguments: [
        "CN=Demo CA, O=Demo, C=SE",
        "cn=Demo CA,o=Demo,c=SE",
        "CN = Demo CA ; O = Demo ; C = SE",
        "  CN=Demo   CA,   O=Demo,C=SE  ",
        "CN=Demo\tCA,\nO=Demo,\r\nC=SE",
        "commonName=Demo CA, organizationName=Demo, countryName=SE",
        "2.5.4.3=Demo CA, OID.2.5.4.10=Demo, 2.5.4.06=SE",
        "CN=\"Demo CA\", O=\"Demo\", C=SE",
        "CN=Demo\\20CA, O=\\44emo, C=SE",
        "CN=\\ Demo CA\\ , O=Demo\\ ,C=SE\\ ",
        "C=SE, O=Demo, CN=Demo CA",
        "/C=SE/O=Demo/CN=Demo CA",
    ])
    func spellingsOfOneDNNormalizeTheSame(_ input: String) throws {
        #expect(try normalized(input) == "CN=Demo CA, O=Demo, C=SE")
    }

    @Test func matchKeyIgnoresCase() throws {
        let typed = try DistinguishedName(parsing: "cn=DEMO ca, o=demo, c=se")
        let certificate = try DistinguishedName(parsing: "CN=Demo CA, O=Demo, C=SE")
        #expect(typed.normalized == "CN=DEMO ca, O=demo, C=se")
        #expect(typed.matchKey == certificate.matchKey)
        #expect(typed.matchKey == "cn=demo ca, o=demo, c=se")
    }

    @Test func reversesX500OrderStartingWithDomainComponents() throws {
        #expect(try normalized("DC=com, DC=example, CN=Peer") == "CN=Peer, DC=example, DC=com")
        #expect(try normalized("CN=Peer, DC=example, DC=com") == "CN=Peer, DC=example, DC=com")
        // Only C/DC at both ends: already in a consistent order, left alone.
        #expect(try normalized("C=SE, DC=example") == "C=SE, DC=example")
    }

    @Test func slashFormIsReversedAndAllowsEscapedSlashesAndCommas() throws {
        #expect(try normalized("/O=A\\/B, Inc./CN=x+UID=u") == "CN=x+UID=u, O=A/B\\, Inc.")
    }

    @Test func multiValuedRDNsAreSortedByType() throws {
        #expect(try normalized("UID=u1+CN=Multi, O=Demo") == "CN=Multi+UID=u1, O=Demo")
        #expect(try normalized("CN=Multi + UID=u1 , O=Demo") == "CN=Multi+UID=u1, O=Demo")
        let dn = try DistinguishedName(parsing: "UID=u1+CN=Multi, O=Demo")
        #expect(dn.rdns.count == 2)
        #expect(dn.rdns[0].attributes.map(\.type) == ["CN", "UID"])
    }

    @Test(arguments: [
        "E=peer@example.com", "EMAILADDRESS=peer@example.com", "emailAddress=peer@example.com",
        "email=peer@example.com", "1.2.840.113549.1.9.1=peer@example.com",
    ])
    func emailAttributeSpellings(_ input: String) throws {
        #expect(try normalized(input) == "E=peer@example.com")
    }

    @Test(arguments: ["SN=0042", "serialNumber=0042", "SERIALNUMBER=0042", "2.5.4.5=0042"])
    func serialNumberAttributeSpellings(_ input: String) throws {
        #expect(try normalized(input) == "SERIALNUMBER=0042")
    }

    @Test func otherAttributeTypes() throws {
        #expect(
            try normalized("title=Dr, givenName=Ann, surname=Lee, initials=AL, street=Main 1, L=Town, ST=Region, postalCode=123 45, organizationIdentifier=VATSE-1, 1.2.3.4=x")
                == "T=Dr, GIVENNAME=Ann, SURNAME=Lee, INITIALS=AL, STREET=Main 1, L=Town, ST=Region, POSTALCODE=123 45, ORGANIZATIONIDENTIFIER=VATSE-1, 1.2.3.4=x")
    }

    @Test func unescapesInput() throws {
        let dn = try DistinguishedName(parsing: ##"CN=a\,b\+c\"d\\e\<f\>g\;h\=i, O=\#1, OU=\C3\85sa, L="x, y; z", ST=\ lead"##)
        #expect(dn.rdns.map { $0.attributes[0].value } == [#"a,b+c"d\e<f>g;h=i"#, "#1", "Åsa", "x, y; z", "lead"])
    }

    @Test func escapesOutput() throws {
        let dn = DistinguishedName(rdns: [
            RelativeDistinguishedName([.init(type: "cn", value: #"a,b+c"d\e<f>g;h=i"#)]),
            RelativeDistinguishedName([.init(type: "O", value: "#1 Åsa")]),
            RelativeDistinguishedName([.init(type: "OU", value: "nul\u{0}x")]),
        ])
        #expect(dn.normalized == ##"CN=a\,b\+c\"d\\e\<f\>g\;h\=i, O=\#1 Åsa, OU=nul\00x"##)
    }

    @Test(arguments: [
        #"a,b+c"d\e<f>g;h=i"#, "#hash", "Åsa Öberg", "x = y", "\\", "a\u{1}b", "日本語", "",
    ])
    func escapingRoundTrips(_ value: String) throws {
        let dn = DistinguishedName(rdns: [
            RelativeDistinguishedName([.init(type: "CN", value: value), .init(type: "UID", value: value)]),
            RelativeDistinguishedName([.init(type: "O", value: value)]),
        ])
        #expect(try DistinguishedName(parsing: dn.normalized) == dn)
    }

    @Test func emptyDN() throws {
        #expect(try DistinguishedName(parsing: "").isEmpty)
        #expect(try normalized(" \t ") == "")
        #expect(DistinguishedName(rdns: []).normalized == "")
    }

    @Test(arguments: [
        ("CN", "component 'CN' has no '='"),
        ("=x", "attribute type missing"),
        ("CN=a,,O=b", "empty component"),
        ("CN=a,", "ends with a separator"),
        ("CN=a+", "ends with a separator"),
        ("CN=\"abc", "unterminated quoted value of CN"),
        ("CN=\"a\" b", "unexpected text after the quoted value"),
        ("CN=a\\4g", "bad hex escape"),
        ("CN=a\\4", "bad hex escape"),
        ("CN=a\\z", "bad escape"),
        ("CN=a\\", "escapes nothing"),
        ("CN=\\FF", "not valid UTF-8"),
        ("FOO=bar", "unknown attribute type 'FOO'"),
        ("C N=x", "unknown attribute type 'C N'"),
        ("CN=#04036162", "hex-encoded value"),
        ("/", "ends with a separator"),
    ])
    func invalidDNs(_ input: String, _ problem: String) {
        #expect {
            try DistinguishedName(parsing: input)
        } throws: { error in
            guard let error = error as? SignPeerError else { return false }
            return error.code == .invalidDN && error.message.contains(problem)
        }
    }

    @Test func longUnknownTypeIsShortenedInTheMessage() {
        let error = #expect(throws: SignPeerError.self) {
            try DistinguishedName(parsing: String(repeating: "X", count: 10_000) + "=1")
        }
        #expect((error?.message.count ?? .max) < 200)
    }

    /// Random strings over the syntax characters never crash or hang the parser, and whatever it
    /// accepts normalizes to a string that parses back to the same DN.
    @Test func randomInputIsRejectedOrRoundTrips() throws {
        let alphabet = Array(##"CNOUDEcnoude=,;+"\# /<>0123456789abcdefAF.Å日"##) + ["\t", "\n", "\\", "\\", "="]
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let input = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let dn: DistinguishedName
            do {
                dn = try DistinguishedName(parsing: input)
            } catch let error as SignPeerError {
                #expect(error.code == .invalidDN, "\(input)")
                continue
            }
            accepted += 1
            #expect(try DistinguishedName(parsing: dn.normalized) == dn, "\(input) -> \(dn.normalized)")
        }
        #expect(accepted > 0)
    }

    @Test func largeInputIsParsedInLinearTime() throws {
        let value = String(repeating: "a\\,", count: 200_000)
        let dn = try DistinguishedName(parsing: "CN=\(value)" + String(repeating: ", O=x", count: 20_000))
        #expect(dn.rdns.count == 20_001)
    }
}
