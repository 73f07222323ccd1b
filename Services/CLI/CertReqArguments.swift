import Foundation

/// SignServer-style arguments of `generatecertreq`: `<worker> <dn> <sigalg> <outfile>` then
/// optionally `-nextkey` (use `NEXTCERTSIGNKEY`) or `-alias <alias>`; option words in any case.
/// The DN usually holds spaces and commas (`"CN=Signer 1, O=Demo"`), so it is one quoted operand.
struct CertReqArguments: Equatable {
    var worker: String
    var subjectDN: String
    var signatureAlgorithm: String
    var outputFile: String
    var nextKey: Bool
    var alias: String?

    static let usage = "signpeer generatecertreq <worker> <dn> <sigalg> <outfile> [-nextkey | -alias <alias>]"

    /// - Throws: a usage ``CLIError`` naming the first problem; an invalid worker reference or
    ///   alias as ``AdminPaths`` reports it.
    static func parse(_ arguments: [String]) throws(CLIError) -> CertReqArguments {
        func fail(_ problem: String) -> CLIError { .usage(problem, usage) }
        var operands: [String] = []
        var nextKey = false
        var alias: String?
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            switch word.lowercased() {
            case "-nextkey":
                guard !nextKey else { throw fail("-nextkey given twice") }
                nextKey = true
            case "-alias":
                guard alias == nil else { throw fail("-alias given twice") }
                guard index < arguments.count, !arguments[index].lowercased().hasPrefix("-") else {
                    throw fail("-alias needs a value")
                }
                alias = arguments[index]
                index += 1
            default:
                guard !word.hasPrefix("-") else { throw fail("unknown option '\(word)'") }
                operands.append(word)
            }
        }
        if nextKey, alias != nil { throw fail("-nextkey and -alias conflict") }
        guard operands.count >= 4 else { throw fail("expected <worker> <dn> <sigalg> <outfile>") }
        guard operands.count == 4 else { throw fail("too many arguments (quote the DN)") }
        let names = ["<worker>", "<dn>", "<sigalg>", "<outfile>"]
        for (name, operand) in zip(names, operands) where operand.allSatisfy(\.isWhitespace) {
            throw fail("\(name) is empty")
        }
        _ = try AdminPaths.worker(operands[0])
        if let alias { _ = try AdminPaths.segment(alias, what: "key alias") }
        return CertReqArguments(
            worker: operands[0], subjectDN: operands[1].trimmingCharacters(in: .whitespaces),
            signatureAlgorithm: operands[2].trimmingCharacters(in: .whitespaces), outputFile: operands[3],
            nextKey: nextKey, alias: alias)
    }
}
