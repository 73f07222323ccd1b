import Foundation
import SignPeerPostgres
import Testing

@Suite("Parameters and decoding")
struct PostgresValueTests {
    @Test func everyValueTypeRoundTrips() async throws {
        let client = try await makeClient()
        let bytes: [UInt8] = [0, 1, 0, 255, 0x5c, 0x78, 0]
        let date = Date(timeIntervalSince1970: 1_715_000_000.123456)
        let text = "Grüße 🌍 日本語 \"quoted\" back\\slash"
        let rows = try await client.query(
            """
            SELECT $1::text AS text, $2::int8 AS int, $3::bool AS bool, $4::bytea AS bytes,
                   $5::float8 AS double, $6::timestamptz AS timestamp, $7::text AS null,
                   $8::int4 AS int32, $9::float8 AS infinity, $10::bool AS no
            """,
            [
                .text(text), .int(-9_007_199_254_740_993), .bool(true), .bytes(bytes), .double(0.1),
                .timestamp(date), .null, 2_147_483_647, .double(-.infinity), false,
            ])
        let row = try #require(rows.first)
        #expect(try row.decode(String.self, column: "text") == text)
        #expect(try row.decode(Int64.self, column: "int") == -9_007_199_254_740_993)
        #expect(try row.decode(Int.self, at: 1) == -9_007_199_254_740_993)
        #expect(try row.decode(Bool.self, column: "bool") == true)
        #expect(try row.decode(Bool.self, column: "no") == false)
        #expect(try row.decode([UInt8].self, column: "bytes") == bytes)
        #expect(try row.decode(Double.self, column: "double") == 0.1)
        #expect(try row.decode(Double.self, column: "infinity") == -.infinity)
        let decodedDate = try row.decode(Date.self, column: "timestamp")
        #expect(abs(decodedDate.timeIntervalSince(date)) < 0.000_001)
        #expect(try row.decode(String?.self, column: "null") == nil)
        #expect(try row.decode(Int?.self, column: "int") == -9_007_199_254_740_993)
        #expect(try row.decode(Int32.self, column: "int32") == .max)
        await client.shutdown()
    }

    @Test func literalsBuildValues() {
        let values: [PostgresValue] = ["text", 42, true, nil, 1.5]
        #expect(values == [.text("text"), .int(42), .bool(true), .null, .double(1.5)])
    }

    @Test func injectionAttemptStaysData() async throws {
        let client = try await makeClient()
        try await client.execute("CREATE TABLE x (value text)")
        let hostile = "'; DROP TABLE x; --"
        #expect(
            try await client.execute("INSERT INTO x (value) VALUES ($1)", [.text(hostile)]) == 1)
        let rows = try await client.query("SELECT value FROM x WHERE value = $1", [.text(hostile)])
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, column: "value") == hostile)
        await client.shutdown()
    }

    @Test func textWithNulIsRejectedNotTruncated() async throws {
        let client = try await makeClient()
        let error = await #expect(throws: PostgresError.self) {
            try await client.query("SELECT $1::text", [.text("a\u{0}b")])
        }
        #expect(error?.sqlState == "22021")
        await client.shutdown()
    }

    @Test func decodingErrorsNameTheColumnAndTypeButNotTheValue() async throws {
        let client = try await makeClient()
        let row = try #require(
            try await client.query("SELECT 'secret-value' AS token, NULL::int AS missing").first)
        #expect(throws: PostgresError.decoding(column: "token", expected: "Int")) {
            try row.decode(Int.self, column: "token")
        }
        #expect(throws: PostgresError.decoding(column: "missing", expected: "Int")) {
            try row.decode(Int.self, column: "missing")
        }
        #expect(throws: PostgresError.columnNotFound(column: "nope")) {
            try row.decode(String.self, column: "nope")
        }
        #expect(throws: PostgresError.columnNotFound(column: "#5")) {
            try row.decode(String.self, at: 5)
        }
        let description = "\(PostgresError.decoding(column: "token", expected: "Int"))"
        #expect(!description.contains("secret"))
        await client.shutdown()
    }

    @Test func serverErrorsDoNotEchoParameterValues() async throws {
        let client = try await makeClient()
        let error = await #expect(throws: PostgresError.self) {
            try await client.query("SELECT $1::int", [.text("secret-password")])
        }
        #expect(error?.sqlState == "22P02")
        #expect(!"\(error!)".contains("secret"))
        await client.shutdown()
    }

    @Test func timestampsDecodeInEveryOutputForm() async throws {
        let client = try await makeClient()
        let expected = Date(timeIntervalSince1970: 1_704_164_645.5)  // 2024-01-02 03:04:05.5 UTC
        try await client.withConnection { connection in
            let utc = try #require(
                try await connection.query("SELECT '2024-01-02 03:04:05.5+00'::timestamptz AS t")
                    .first)
            #expect(try utc.decode(Date.self, column: "t") == expected)
            try await connection.execute("SET TimeZone TO 'Asia/Kolkata'")
            let kolkata = try #require(
                try await connection.query(
                    "SELECT '2024-01-02 03:04:05.5+00'::timestamptz::text AS t"
                ).first)
            #expect(try kolkata.decode(String.self, column: "t") == "2024-01-02 08:34:05.5+05:30")
            #expect(try kolkata.decode(Date.self, column: "t") == expected)
            try await connection.execute("RESET TimeZone")
        }
        let texts: [(String, TimeInterval)] = [
            ("2024-01-02 03:04:05.5", 1_704_164_645.5),
            ("2024-01-02T03:04:05.5Z", 1_704_164_645.5),
            ("2024-01-02 03:04:05-01:30", 1_704_170_045),
            ("1900-02-28 00:00:00+00:00:36", -2_203_977_636),
            ("2024-01-02", 1_704_153_600),
            ("0001-01-01 00:00:00+00", -62_135_596_800),  // proleptic Gregorian, as PostgreSQL
            ("0044-03-15 12:00:00+00 BC", -63_517_780_800),
            ("0044-03-15 BC", -63_517_824_000),
        ]
        for (text, seconds) in texts {
            #expect(Date(postgresText: text)?.timeIntervalSince1970 == seconds, "\(text)")
            let server = try await client.query(
                "SELECT extract(epoch FROM $1::timestamptz)::float8", [.text(text)])
            #expect(try server[0].decode(Double.self, at: 0) == seconds, "\(text)")
        }
        #expect(Date(postgresText: "infinity") == .distantFuture)
        #expect(Date(postgresText: "2024-13-01") == nil)
        #expect(Date(postgresText: "yesterday") == nil)
        await client.shutdown()
    }

    @Test func timestampsRoundTripAcrossCenturies() async throws {
        let client = try await makeClient()
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1.25),
            Date(timeIntervalSince1970: 4_102_444_800.000_001), .distantPast,
            Date(timeIntervalSince1970: -62_135_596_800 - 86_400),  // 31 Dec 1 BC
        ]
        for date in dates {
            let row = try #require(
                try await client.query("SELECT $1::timestamptz AS t", [.timestamp(date)]).first)
            let decoded = try row.decode(Date.self, column: "t")
            #expect(abs(decoded.timeIntervalSince(date)) < 0.000_002, "\(date)")
        }
        await client.shutdown()
    }
}
