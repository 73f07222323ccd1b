import Foundation

/// Converts between `Date` and PostgreSQL's timestamp text, without `DateFormatter` (which is
/// slow to create and not needed for one fixed format) and without time-zone databases.
enum PostgresTimestamp {
    /// `Date` as ISO 8601 UTC text with microseconds, e.g. `2024-05-06T07:08:09.123456Z`, which
    /// PostgreSQL reads as `timestamptz` whatever the session's DateStyle and TimeZone.
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (days, microsOfDay) = floorDivide(micros, 86_400_000_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = microsOfDay / 1_000_000
        let fraction = microsOfDay % 1_000_000
        let yearText = year > 0 ? pad(year, 4) : pad(1 - year, 4)
        return "\(yearText)-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
            + (year > 0 ? "" : " BC")
    }

    /// Parses what PostgreSQL prints for `timestamptz`, `timestamp` and `date` in ISO DateStyle
    /// (`2024-05-06 07:08:09.5+02`, `...+05:30`, `...+00:00:36`, `2024-05-06`, `... BC`,
    /// `infinity`), plus the `T`/`Z` forms of ISO 8601. A value without an offset is taken as UTC.
    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        let isBeforeChrist = text.hasSuffix(" BC")
        var scanner = Scanner(Array(text.utf8.dropLast(isBeforeChrist ? 3 : 0)))
        guard var year = scanner.number(minDigits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros: Int64 = 0
        if scanner.skip(" ") || scanner.skip("T") {
            guard let hour = scanner.number(digits: 2), scanner.skip(":"),
                let minute = scanner.number(digits: 2), scanner.skip(":"),
                let second = scanner.number(digits: 2), hour <= 24, minute < 60, second < 61
            else { return nil }
            micros = (hour * 3600 + minute * 60 + second) * 1_000_000
            if scanner.skip(".") {
                var scale: Int64 = 100_000
                var digits = 0
                while let digit = scanner.digit() {
                    micros += digit * scale
                    scale /= 10
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
            let sign: Int64? =
                scanner.skip("Z") ? nil : scanner.skip("+") ? 1 : scanner.skip("-") ? -1 : nil
            if let sign {
                guard let hours = scanner.number(digits: 2) else { return nil }
                var offset = hours * 3600
                if scanner.skip(":") {
                    guard let minutes = scanner.number(digits: 2) else { return nil }
                    offset += minutes * 60
                    if scanner.skip(":") {
                        guard let seconds = scanner.number(digits: 2) else { return nil }
                        offset += seconds
                    }
                }
                micros -= sign * offset * 1_000_000
            }
        }
        guard scanner.isAtEnd else { return nil }
        if isBeforeChrist {
            year = 1 - year
        }
        let total = days(fromCivil: year, month, day) * 86_400_000_000 + micros
        return Date(timeIntervalSince1970: Double(total) / 1_000_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400).quotient
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (year 0 is 1 BC).
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = a >= 0 ? a / b : (a - b + 1) / b
        return (quotient, a - quotient * b)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Reads ASCII digits and punctuation from UTF-8 bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }

        mutating func skip(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = literal.withUTF8Buffer { $0.elementsEqual(bytes[index..<index + count]) }
            if matches { index += count }
            return matches
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
            else { return nil }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        /// Exactly `digits` digits.
        mutating func number(digits: Int) -> Int64? {
            let start = index
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let digit = digit() else {
                    index = start
                    return nil
                }
                value = value * 10 + digit
            }
            return value
        }

        /// At least `minDigits` digits, as many as there are (years may exceed 9999).
        mutating func number(minDigits: Int) -> Int64? {
            let start = index
            var value: Int64 = 0
            while index - start < 9, let digit = digit() {
                value = value * 10 + digit
            }
            guard index - start >= minDigits else {
                index = start
                return nil
            }
            return value
        }
    }
}
