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
        let time = LogTimestamp.now()
        Self.writeToStandardError(json ? jsonLine(event, time) : textLine(event, time))
    }

    /// The event's fields by name: the logger's metadata, then the event's (which wins), without
    /// Hummingbird's per-request id (SignPeer logs its own `request_id`).
    private func fields(_ event: LogEvent) -> [(key: String, value: Logger.MetadataValue)] {
        var fields: [(key: String, value: Logger.MetadataValue)] = []
        fields.reserveCapacity(metadata.count + (event.metadata?.count ?? 0))
        for field in metadata where field.key != "hb.request.id" && event.metadata?[field.key] == nil {
            fields.append(field)
        }
        for field in event.metadata ?? [:] where field.key != "hb.request.id" { fields.append(field) }
        return fields.sorted { $0.key < $1.key }
    }

    private func jsonLine(_ event: LogEvent, _ time: String) -> [UInt8] {
        var object: [String: String] = [
            "time": time, "level": event.level.rawValue, "service": service, "message": "\(event.message)",
        ]
        for (key, value) in fields(event) { object[key] = value.description }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// `time level service: message key=value ...`, built as bytes (the access log writes a line
    /// per request); a value's line breaks are written as `\n`, so one event stays one line.
    private func textLine(_ event: LogEvent, _ time: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160)
        bytes += time.utf8
        bytes.append(UInt8(ascii: " "))
        bytes += event.level.rawValue.utf8
        bytes.append(UInt8(ascii: " "))
        bytes += service.utf8
        bytes += ": ".utf8
        bytes += event.message.description.utf8
        for (key, value) in fields(event) {
            bytes.append(UInt8(ascii: " "))
            bytes += key.utf8
            bytes.append(UInt8(ascii: "="))
            for byte in value.description.utf8 {
                if byte == UInt8(ascii: "\n") { bytes += "\\n".utf8 } else { bytes.append(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// One write(2) per line (retried on a short write), so lines of concurrent events never mix.
    private static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
