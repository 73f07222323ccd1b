import Foundation
import SignPeerCore
import SignPeerTestSupport
import Testing

@testable import SignPeerStore

/// The audit chain's row hash (SPEC §10): SHA-256 over length-prefixed fields, checked against
/// `openssl dgst` over the canonical text written out by hand.
struct AuditRowTests {
    static func row(workerName: String? = "Signer", details: String = "{}", previous: String = AuditLog.genesisHash) -> AuditRow {
        AuditRow(
            entry: AuditEntry(
                seq: 7, time: "2026-12-01T10:00:00.123Z", event: "PROPERTY_SET", outcome: "SUCCESS",
                principalSerial: "1f", principalIssuer: "CN=CA", principalSubject: nil, workerId: 3,
                workerName: workerName, details: details),
            previousHash: previous)
    }

    @Test func theHashIsSHA256OfTheLengthPrefixedFields() async throws {
        let canonical =
            "1:7|24:2026-12-01T10:00:00.123Z|12:PROPERTY_SET|7:SUCCESS|2:1f|5:CN=CA|-|1:3|6:Signer|2:{}|64:"
            + AuditLog.genesisHash
        let directory = try TemporaryDirectory(prefix: "audit-row")
        defer { directory.remove() }
        let file = directory.path("canonical")
        try canonical.write(toFile: file, atomically: true, encoding: .utf8)
        let digest = try await ProcessRunner.run("openssl", ["dgst", "-sha256", "-r", file])
        #expect(Self.row().computedHash == String(digest.stdout.prefix(64)))
    }

    @Test func everyFieldIsCovered() {
        let base = Self.row().computedHash
        #expect(Self.row(workerName: nil).computedHash != base)
        #expect(Self.row(details: "{\"a\":\"b\"}").computedHash != base)
        #expect(Self.row(previous: String(repeating: "1", count: 64)).computedHash != base)
    }

    @Test func lengthPrefixesKeepFieldBoundaries() {
        // "ab" + "c" and "a" + "bc" must not hash alike.
        #expect(Self.row(workerName: "ab", details: "c").computedHash != Self.row(workerName: "a", details: "bc").computedHash)
    }

    @Test func detailsAreSortedJSON() {
        #expect(AuditRow.encodeDetails(["b": "2", "a": "1"]) == "{\"a\":\"1\",\"b\":\"2\"}")
    }
}
