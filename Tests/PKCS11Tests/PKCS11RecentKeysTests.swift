import SignPeerCrypto
import Testing

@testable import SignPeerPKCS11

/// The status cache of a PKCS#11 token (SPEC §13): answers only what was looked up recently in
/// the same module generation, and forgets everything when this process changes a key.
struct PKCS11RecentKeysTests {
    let entry = PKCS11KeyEntry(alias: "key1", id: [1], publicKey: nil, certificateDER: nil)

    @Test func answersRecentLookUpsIncludingAbsentKeys() {
        let recent = PKCS11RecentKeys()
        #expect(recent.lookUp(["key1"], generation: 0, maxAge: .seconds(2)) == nil)
        recent.remember(["key1", "gone"], found: [entry], generation: 0, version: recent.version, fetched: .now)
        #expect(recent.lookUp(["key1", "gone"], generation: 0, maxAge: .seconds(2)) == [entry])
        #expect(recent.lookUp(["gone"], generation: 0, maxAge: .seconds(2)) == [])
        #expect(recent.lookUp(["key1", "other"], generation: 0, maxAge: .seconds(2)) == nil, "an alias never looked up")
    }

    @Test func forgetsOldLookUpsAnotherGenerationAndChanges() {
        let recent = PKCS11RecentKeys()
        recent.remember(["key1"], found: [entry], generation: 0, version: recent.version, fetched: .now - .seconds(3))
        #expect(recent.lookUp(["key1"], generation: 0, maxAge: .seconds(2)) == nil, "too old")
        recent.remember(["key1"], found: [entry], generation: 0, version: recent.version, fetched: .now)
        #expect(recent.lookUp(["key1"], generation: 0, maxAge: .seconds(2)) == [entry], "looked up again")
        #expect(recent.lookUp(["key1"], generation: 1, maxAge: .seconds(2)) == nil, "the module was re-initialised")
        recent.clear()
        #expect(recent.lookUp(["key1"], generation: 0, maxAge: .seconds(2)) == nil, "a key changed")
    }

    @Test func aLookUpThatBeganBeforeAChangeIsNotKept() {
        let recent = PKCS11RecentKeys()
        let version = recent.version
        recent.clear()  // a key generated while the look-up ran
        recent.remember(["key1"], found: [], generation: 0, version: version, fetched: .now)
        #expect(recent.lookUp(["key1"], generation: 0, maxAge: .seconds(2)) == nil)
    }
}
