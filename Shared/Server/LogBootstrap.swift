import Foundation
import Logging

/// Structured logging for every service: one line per event on standard error, either as JSON
/// (`SIGNPEER_LOG_FORMAT=json`, for log collectors) or as `key=value` text (the default, for
/// people). Metadata such as `request_id` is always included. Nothing secret is ever put in
/// metadata by the services.
public enum LogBootstrap {
    public static func bootstrap(service: String, environment: EnvironmentReader) throws -> Logger {
        let levelName = try environment.oneOf(
            "SIGNPEER_LOG_LEVEL", default: "info",
            allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        let format = try environment.oneOf("SIGNPEER_LOG_FORMAT", default: "text", allowed: ["text", "json"])
        let level = Logger.Level(rawValue: levelName) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, service: service, json: format == "json")
            handler.logLevel = level
            return handler
        }
        return Logger(label: service)
    }
}

/// Writes each log event as one line to standard error.
struct LineLogHandler: LogHandler {
    let label: String
    let service: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        merged.removeValue(forKey: "hb.request.id")
        let time = LogTimestamp.now()
        let line: String
        if json {
            var object: [String: String] = [
                "time": time, "level": event.level.rawValue, "service": service, "message": "\(event.message)",
            ]
            for (key, value) in merged { object[key] = value.description }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            // One event, one line: a value's line breaks are written as `\n`.
            let fields = merged.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.description.replacingOccurrences(of: "\n", with: "\\n"))" }
                .joined(separator: " ")
            line = "\(time) \(event.level.rawValue) \(service): \(event.message)" + (fields.isEmpty ? "" : " " + fields)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
