import Foundation
import SignPeerCore
import SignPeerCrypto
import Testing

@Suite struct CertificateChainTests {
    @Test func isIssuedBy() throws {
        let root = try certificate("root")
        let leaf = try certificate("ecLeaf")
        #expect(leaf.isIssued(by: root))
        #expect(root.isIssued(by: root))
        #expect(try certificate("chainLeaf").isIssued(by: certificate("intermediate")))
        #expect(try certificate("intermediate").isIssued(by: root))
        #expect(!leaf.isIssued(by: leaf))
        #expect(try !leaf.isIssued(by: certificate("otherRoot")))
        #expect(try !certificate("chainLeaf").isIssued(by: root))
        // Same subject DN as the real root, different key: the name matches, the signature does not.
        let impostor = try certificate("impostorRoot")
        #expect(impostor.subject == root.subject)
        #expect(!leaf.isIssued(by: impostor))
    }

    @Test func verifiesAChainToATrustedRoot() throws {
        let root = try certificate("root")
        let chain = try ["chainLeaf", "intermediate"].map(certificate)
        try CertificateChainVerifier.verify(chain: chain, trustedRoots: [certificate("otherRoot"), root], at: Date())
        try CertificateChainVerifier.verify(chain: chain + [root], trustedRoots: [root], at: Date())
        try CertificateChainVerifier.verify(chain: [certificate("ecLeaf")], trustedRoots: [root], at: Date())
    }

    @Test func rejectsChainsThatDoNotVerify() throws {
        let root = try certificate("root")
        let leaf = try certificate("chainLeaf")
        let intermediate = try certificate("intermediate")
        expectChainInvalid("unable to get local issuer certificate") {
            try CertificateChainVerifier.verify(chain: [leaf], trustedRoots: [root], at: Date())
        }
        expectChainInvalid("unable to get local issuer certificate") {
            try CertificateChainVerifier.verify(chain: [leaf, intermediate], trustedRoots: [certificate("otherRoot")], at: Date())
        }
        expectChainInvalid("certificate has expired") {
            try CertificateChainVerifier.verify(
                chain: [leaf, intermediate], trustedRoots: [root], at: leaf.notAfter.addingTimeInterval(60))
        }
        expectChainInvalid("certificate is not yet valid") {
            try CertificateChainVerifier.verify(
                chain: [leaf, intermediate], trustedRoots: [root], at: leaf.notBefore.addingTimeInterval(-60))
        }
        expectChainInvalid("the chain is empty") {
            try CertificateChainVerifier.verify(chain: [], trustedRoots: [root], at: Date())
        }
        // Trust anchors are roots: trusting only the intermediate is not enough.
        expectChainInvalid("unable to get issuer certificate") {
            try CertificateChainVerifier.verify(chain: [leaf], trustedRoots: [intermediate], at: Date())
        }
    }

    private func expectChainInvalid(
        _ problem: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        #expect(sourceLocation: sourceLocation) {
            try body()
        } throws: { error in
            guard let error = error as? SignPeerError else { return false }
            return error.code == .chainInvalid && error.message.contains(problem)
        }
    }
}
