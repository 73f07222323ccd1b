import Foundation

/// SignServer-style arguments of the `ws*` authorization commands, parsed by hand because they are
/// single-dash words (`-add -certserialno <hex> -issuerdn <dn>`, `-add -cert <file>`,
/// `-remove -certserialno <hex> -issuerdn <dn>`, `-list`). Option words match in any case.
enum RuleArguments: Equatable {
    case list
    case add(serialNumber: String, issuerDN: String)
    case addCertificate(file: String)
    case remove(serialNumber: String, issuerDN: String)

    private static let formSuffixes = [
        "-add -certserialno <hex> -issuerdn <dn>", "-add -cert <file>",
        "-remove -certserialno <hex> -issuerdn <dn>", "-list",
    ]

    /// The accepted forms, each a complete command line.
    static func forms(_ command: String) -> [String] { formSuffixes.map { "signpeer \(command) \($0)" } }

    /// The forms on one line, for error messages.
    static func usage(_ command: String) -> String {
        "signpeer \(command) " + formSuffixes.joined(separator: " | ")
    }

    private static let flags: Set<String> = ["-add", "-remove", "-list"]
    private static let valued: Set<String> = ["-certserialno", "-issuerdn", "-cert"]

    /// - Throws: a usage ``CLIError`` naming the first problem.
    static func parse(_ arguments: [String], command: String) throws(CLIError) -> RuleArguments {
        func fail(_ problem: String) -> CLIError { .usage(problem, usage(command)) }
        var modes: [String] = []
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let word = arguments[index].lowercased()
            index += 1
            if flags.contains(word) {
                guard !modes.contains(word) else { throw fail("\(word) given twice") }
                modes.append(word)
            } else if valued.contains(word) {
                guard index < arguments.count, !isOption(arguments[index]) else { throw fail("\(word) needs a value") }
                guard values[word] == nil else { throw fail("\(word) given twice") }
                let value = arguments[index].trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { throw fail("\(word) needs a value") }
                values[word] = value
                index += 1
            } else {
                throw fail("unexpected argument '\(arguments[index - 1])'")
            }
        }
        guard modes.count == 1, let mode = modes.first else {
            throw fail(modes.isEmpty ? "one of -add, -remove or -list is required" : "\(modes.joined(separator: " and ")) conflict")
        }
        let serial = values["-certserialno"], issuer = values["-issuerdn"], certificate = values["-cert"]
        switch mode {
        case "-list":
            guard values.isEmpty else { throw fail("-list takes no other option") }
            return .list
        case "-add":
            if let certificate {
                guard serial == nil, issuer == nil else {
                    throw fail("-cert cannot be combined with -certserialno or -issuerdn")
                }
                return .addCertificate(file: certificate)
            }
            guard let serial, let issuer else { throw fail("-add needs -certserialno and -issuerdn, or -cert") }
            return .add(serialNumber: serial, issuerDN: issuer)
        default:
            guard certificate == nil else { throw fail("-remove takes -certserialno and -issuerdn, not -cert") }
            guard let serial, let issuer else { throw fail("-remove needs -certserialno and -issuerdn") }
            return .remove(serialNumber: serial, issuerDN: issuer)
        }
    }

    private static func isOption(_ word: String) -> Bool {
        let lowered = word.lowercased()
        return flags.contains(lowered) || valued.contains(lowered)
    }
}
