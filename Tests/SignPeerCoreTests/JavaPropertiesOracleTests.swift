import Foundation
import SignPeerCore
import SignPeerTestSupport
import Testing

/// Checks the table of cases, and the parser, against the real `java.util.Properties` (Java 17,
/// Debian's `openjdk-17-jre-headless`, which `deploy/local/test.sh` installs): every case file
/// goes through `Tests/Fixtures/java/DumpProperties.java` in one JVM.
struct JavaPropertiesOracleTests {
    struct JavaResult: Decodable {
        var properties: [String: String]?
        var error: String?
    }

    @Test func everyCaseParsesAsJavaParsesIt() async throws {
        let directory = try TemporaryDirectory(prefix: "java-properties")
        defer { directory.remove() }
        let cases = javaPropertiesCases.filter(\.sameInJava)
        var files: [String] = []
        for (index, testCase) in cases.enumerated() {
            let path = directory.path("case-\(index).properties")
            try Data(testCase.bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let java = try await ProcessRunner.run(
            "java", [RepositoryPaths.root + "/Tests/Fixtures/java/DumpProperties.java"] + files)
        try #require(java.status == 0, "java failed (is openjdk-17-jre-headless installed?): \(java.stderr)")
        let lines = java.stdout.split(separator: "\n")
        try #require(lines.count == cases.count, "\(java.stdout)")
        for (testCase, line) in zip(cases, lines) {
            let fromJava = try JSONDecoder().decode(JavaResult.self, from: Data(line.utf8))
            let fromSwift = try? JavaProperties.entries(JavaProperties.decode(testCase.bytes))
            switch testCase.expected {
            case .entries:
                #expect(fromJava.properties == testCase.expectedMap, "table vs Java: \(testCase.name)")
                let swiftMap = fromSwift.map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) }
                #expect(swiftMap == fromJava.properties, "Swift vs Java: \(testCase.name)")
            case .error:
                #expect(fromJava.error != nil, "Java accepted \(testCase.name): \(line)")
                #expect(fromSwift == nil, "Swift accepted \(testCase.name)")
            }
        }
    }
}
