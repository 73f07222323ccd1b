import SignPeerCore
import Testing

/// How the lines of a property file become per-worker changes, before anything is written.
struct ConfigurationPlanTests {
    typealias Change = ConfigurationPlan.Change

    func plan(_ text: String) throws -> ConfigurationPlan { try ConfigurationPlan(try PropertyFile(parsing: text)) }

    @Test func nameAndTypeComeFirstWhateverTheLineOrder() throws {
        let plan = try plan(
            """
            WORKERGENID1.IMPLEMENTATION_CLASS=org.signserver.module.xmlsigner.XMLSigner
            WORKERGENID1.TYPE=PROCESSABLE
            WORKERGENID1.CRYPTOTOKEN=CryptoTokenP12
            WORKERGENID1.NAME=XMLSigner
            """)
        #expect(
            plan.groups == [
                .init(
                    target: .generated(1), line: 1,
                    changes: [
                        Change(line: 4, property: "NAME", value: "XMLSigner"),
                        Change(line: 2, property: "TYPE", value: "PROCESSABLE"),
                        Change(line: 1, property: "IMPLEMENTATION_CLASS", value: "org.signserver.module.xmlsigner.XMLSigner"),
                        Change(line: 3, property: "CRYPTOTOKEN", value: "CryptoTokenP12"),
                    ])
            ])
        #expect(plan.groups[0].name == Change(line: 4, property: "NAME", value: "XMLSigner"))
        #expect(plan.groups[0].changesAfterCreation.map(\.property) == ["TYPE", "IMPLEMENTATION_CLASS", "CRYPTOTOKEN"])
    }

    @Test func groupsInOrderOfTheirFirstLine() throws {
        let plan = try plan(
            """
            WORKER309.TYPE=PROCESSABLE
            GLOB.PEERS_INCOMING_ENABLED=true
            WORKERGENID2.NAME=Two
            WORKERGENID1.NAME=One
            WORKER309.NAME=RenewalWorker
            -WORKERSigner.DEFAULTKEY
            """)
        #expect(plan.groups.map(\.label) == ["WORKER309", "GLOB", "WORKERGENID2", "WORKERGENID1", "WORKERSigner"])
        #expect(plan.groups.map(\.line) == [1, 2, 3, 4, 6])
        #expect(plan.groups.map(\.numberedID) == [309, nil, nil, nil, nil])
        #expect(plan.groups[0].name?.value == "RenewalWorker")
        #expect(plan.groups[4].changes == [Change(line: 6, property: "DEFAULTKEY", value: nil)])
    }

    @Test func theLastLineOfAPropertyWinsAsInJava() throws {
        let plan = try plan(
            """
            WORKERSigner.KEYALG=RSA
            WORKERSigner.KEYSPEC=2048
            WORKERsigner.keyalg=ECDSA
            -WORKERSIGNER.KEYSPEC
            WORKERSigner.KEYSPEC=P-256
            """)
        #expect(plan.groups.count == 1)
        #expect(
            plan.groups[0].changes == [
                Change(line: 3, property: "KEYALG", value: "ECDSA"), Change(line: 5, property: "KEYSPEC", value: "P-256"),
            ])
    }

    @Test func aNewWorkerWithoutNameIsRefusedNamingTheGroup() {
        #expect(throws: SignPeerError(.invalidProperty, "Line 3: WORKERGENID2 has no NAME; add WORKERGENID2.NAME=<name>.")) {
            try plan("WORKERGENID1.NAME=One\nWORKERGENID1.TYPE=PROCESSABLE\nWORKERGENID2.TYPE=PROCESSABLE\nWORKERGENID2.KEYALG=RSA\n")
        }
        #expect(throws: SignPeerError(.invalidProperty, "Line 1: WORKERGENID1 has no NAME; add WORKERGENID1.NAME=<name>.")) {
            try plan("WORKERGENID1.KEYALG=RSA\nWORKERGENID1.NAME=\n")
        }
    }

    @Test func aNumberedWorkerNeedsANameOnlyToBeCreated() throws {
        let plan = try plan("WORKER12.KEYALG=RSA\n")
        #expect(plan.groups[0].numberedID == 12)
        #expect(plan.groups[0].name == nil)
        #expect(plan.groups[0].changesAfterCreation == plan.groups[0].changes)
    }
}
