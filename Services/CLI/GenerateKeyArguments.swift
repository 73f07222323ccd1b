import Foundation

/// SignServer-style arguments of `generatekey`: `<worker> -keyalg <alg> -keyspec <spec>
/// -alias <alias>`, the options in any order and any case. `-keyspec` may be left out for the
/// algorithms that have no parameters (Ed25519, Ed448).
struct GenerateKeyArguments: Equatable {
    var worker: String
    var keyAlgorithm: String
    var keySpecification: String?
    var alias: String

    static let usage = "signpeer generatekey <worker> -keyalg <alg> -keyspec <spec> -alias <alias>"

    /// Algorithms whose keys have no specification (compared in any case).
    static let algorithmsWithoutSpecification: Set<String> = ["ed25519", "ed448"]

    private static let options: Set<String> = ["-keyalg", "-keyspec", "-alias"]

    /// - Throws: a usage ``CLIError`` naming the first problem; an invalid worker reference or
    ///   alias as ``AdminPaths`` reports it.
    static func parse(_ arguments: [String]) throws(CLIError) -> GenerateKeyArguments {
        func fail(_ problem: String) -> CLIError { .usage(problem, usage) }
        var worker: String?
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            let option = word.lowercased()
            if options.contains(option) {
                guard index < arguments.count, !options.contains(arguments[index].lowercased()) else {
                    throw fail("\(option) needs a value")
                }
                guard values[option] == nil else { throw fail("\(option) given twice") }
                let value = arguments[index].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { throw fail("\(option) needs a value") }
                values[option] = value
                index += 1
            } else if word.hasPrefix("-") {
                throw fail("unknown option '\(word)'")
            } else if worker == nil {
                worker = word
            } else {
                throw fail("unexpected argument '\(word)'")
            }
        }
        guard let worker else { throw fail("missing <worker>") }
        guard let algorithm = values["-keyalg"] else { throw fail("-keyalg is required") }
        guard let alias = values["-alias"] else { throw fail("-alias is required") }
        let specification = values["-keyspec"]
        if specification == nil, !algorithmsWithoutSpecification.contains(algorithm.lowercased()) {
            throw fail("-keyspec is required for \(algorithm)")
        }
        _ = try AdminPaths.worker(worker)
        _ = try AdminPaths.segment(alias, what: "key alias")
        return GenerateKeyArguments(worker: worker, keyAlgorithm: algorithm, keySpecification: specification, alias: alias)
    }
}
