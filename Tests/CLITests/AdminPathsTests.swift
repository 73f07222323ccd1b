@testable import SignPeerCLI
import Testing

@Suite struct AdminPathsTests {
    @Test func configurationTargets() throws {
        for spelling in ["global", "GLOBAL", "GLOB", "glob"] {
            #expect(try ConfigurationTarget(parsing: spelling) == .global)
        }
        #expect(try ConfigurationTarget(parsing: "Signer_1.a-b") == .worker("Signer_1.a-b"))
        #expect(try ConfigurationTarget(parsing: "global").path == "/admin/v1/global")
        #expect(try ConfigurationTarget(parsing: "12").path == "/admin/v1/workers/12")
        #expect(
            try ConfigurationTarget(parsing: "Signer1").propertyPath("KEYALG")
                == "/admin/v1/workers/Signer1/properties/KEYALG")
        #expect(
            try ConfigurationTarget(parsing: "GLOB").propertyPath("PEERS_INCOMING_ENABLED")
                == "/admin/v1/global/properties/PEERS_INCOMING_ENABLED")
    }

    @Test(arguments: ["", ".", "..", "a/b", "a b", "a%2F", "a?b", "a#b", "Sig\u{E9}", "../x"])
    func rejectsUnsafeWorkerReferences(_ reference: String) {
        #expect(throws: CLIError("invalid worker name or id '\(reference)': use letters, digits, '_', '.' and '-'")) {
            try AdminPaths.worker(reference)
        }
        #expect(throws: CLIError.self) { try ConfigurationTarget(parsing: reference) }
    }

    @Test func rejectsUnsafePropertyNames() throws {
        let target = try ConfigurationTarget(parsing: "1")
        #expect(throws: CLIError("invalid property name 'A/B': use letters, digits, '_', '.' and '-'")) {
            try target.propertyPath("A/B")
        }
        #expect(throws: CLIError.self) { try target.propertyPath("..") }
    }

    @Test func runtimeErrorsExitWith1() {
        #expect(CLIError("x").exitCode == 1)
    }
}
