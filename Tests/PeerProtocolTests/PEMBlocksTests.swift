import SignPeerPeerProtocol
import Testing

@Suite("PEM blocks in UPDATE bodies")
struct PEMBlocksTests {
    @Test func textBetweenAndAroundBlocksIsSkipped() {
        let text = """
            Subject: CN=leaf
            Issuer: CN=ca
            -----BEGIN CERTIFICATE-----
            MAA=
            -----END CERTIFICATE-----
            Subject: CN=ca
            -----BEGIN CERTIFICATE-----\r
            MAEC\r
            AwQ=\r
            -----END CERTIFICATE-----\r
            trailing words
            """
        let bodies = PEMBlocks.bodies(label: "CERTIFICATE", in: Array(text.utf8))
        #expect(bodies == ["MAA=", "MAECAwQ="])
        #expect(PEMBlocks.canonical(label: "CERTIFICATE", bodies: bodies)
            == "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMAECAwQ=\n-----END CERTIFICATE-----\n")
    }

    @Test func otherLabelsAndUnterminatedBlocksGiveNothing() {
        #expect(PEMBlocks.bodies(label: "CERTIFICATE", in: Array("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----".utf8)).isEmpty)
        #expect(PEMBlocks.bodies(label: "CERTIFICATE", in: Array("-----BEGIN CERTIFICATE-----\nMAA=\n".utf8)).isEmpty)
        #expect(PEMBlocks.bodies(label: "CERTIFICATE", in: [0xFF, 0x00, 0x30]).isEmpty)
    }

    @Test func longBodiesAreWrappedAt64() {
        let body = String(repeating: "A", count: 130)
        #expect(PEMBlocks.canonical(label: "X", bodies: [body])
            == "-----BEGIN X-----\n\(String(repeating: "A", count: 64))\n\(String(repeating: "A", count: 64))\nAA\n-----END X-----\n")
    }
}
