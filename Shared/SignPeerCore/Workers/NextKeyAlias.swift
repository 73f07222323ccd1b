/// SPEC §7.1's next-key alias rule: increment the trailing digits of `DEFAULTKEY` keeping their
/// zero-padded width (`signKey00001` → `signKey00002`, `k99` → `k100`); no trailing digits, or
/// all digits → append `2`; then keep incrementing while the alias is taken in the token.
public enum NextKeyAlias {
    public static func next(after current: String?, taken: Set<String>) -> String {
        var candidate = increment(current ?? "key")
        var guardCount = 0
        while taken.contains(candidate), guardCount < 1_000_000 {
            candidate = increment(candidate)
            guardCount += 1
        }
        return candidate
    }

    static func increment(_ alias: String) -> String {
        let digits = alias.reversed().prefix { $0.isASCII && $0.isNumber }
        if digits.isEmpty || digits.count == alias.count { return alias + "2" }
        let prefix = alias.dropLast(digits.count)
        let number = String(digits.reversed())
        var incremented = Array(number)
        var index = incremented.count - 1
        while index >= 0 {
            if incremented[index] == "9" {
                incremented[index] = "0"
                index -= 1
            } else {
                incremented[index] = Character(String(incremented[index].wholeNumberValue! + 1))
                break
            }
        }
        let body = index < 0 ? "1" + String(incremented) : String(incremented)
        return prefix + body
    }
}
