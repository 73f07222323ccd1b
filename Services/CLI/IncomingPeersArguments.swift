/// SignServer-style arguments of `incomingpeers`: `-list`, `-clear <serial> <issuerdn>` or
/// `-authorize <serial> <issuerdn>` (option words in any case).
enum IncomingPeersArguments: Equatable {
    case list
    case clear(serialNumber: String, issuerDN: String)
    case authorize(serialNumber: String, issuerDN: String)

    static let forms = [
        "signpeer incomingpeers -list",
        "signpeer incomingpeers -clear <serial> <issuerdn>",
        "signpeer incomingpeers -authorize <serial> <issuerdn>",
    ]
    static let usage = "signpeer incomingpeers -list | -clear <serial> <issuerdn> | -authorize <serial> <issuerdn>"

    /// - Throws: a usage ``CLIError`` naming the problem.
    static func parse(_ arguments: [String]) throws(CLIError) -> IncomingPeersArguments {
        func fail(_ problem: String) -> CLIError { .usage(problem, usage) }
        guard let first = arguments.first else { throw fail("one of -list, -clear or -authorize is required") }
        let operands = Array(arguments.dropFirst())
        switch first.lowercased() {
        case "-list":
            guard operands.isEmpty else { throw fail("-list takes no arguments") }
            return .list
        case "-clear", "-authorize":
            let mode = first.lowercased()
            guard operands.count == 2 else { throw fail("\(mode) needs <serial> <issuerdn>") }
            let serial = operands[0], issuer = operands[1]
            guard !serial.allSatisfy(\.isWhitespace), !issuer.allSatisfy(\.isWhitespace) else {
                throw fail("\(mode) needs <serial> <issuerdn>")
            }
            if serial.hasPrefix("-") { throw fail("unexpected option '\(serial)'") }
            return mode == "-clear"
                ? .clear(serialNumber: serial, issuerDN: issuer) : .authorize(serialNumber: serial, issuerDN: issuer)
        default:
            throw fail("unexpected argument '\(first)'")
        }
    }
}
