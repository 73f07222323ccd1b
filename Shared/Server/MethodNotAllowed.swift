import HTTPTypes
import Hummingbird
import SignPeerCore
import Synchronization

/// The routes of a router by path pattern, filled once every route is registered, so a request
/// for an existing path with another method can be answered 405 `method_not_allowed` with an
/// `Allow` header (RFC 9110 §15.5.6) instead of the router's 404.
public final class RouteMethodTable: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<String>)]>([])

    public init() {}

    /// Reads the router's routes; call after the last route was added.
    public func load<Context>(from router: Router<Context>) {
        var table: [String: Set<String>] = [:]
        for route in router.routes { table["\(route.path)", default: []].insert(route.method.rawValue) }
        patterns.withLock { patterns in
            patterns = table.map { (Self.segments(of: $0.key), $0.value) }
        }
    }

    /// The methods registered for a path matching `path`; empty when no route has that path.
    func methods(for path: String) -> Set<String> {
        let request = Self.segments(of: path)
        return patterns.withLock { patterns in
            patterns.filter { Self.matches($0.segments, request) }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ pattern: [Substring], _ request: [Substring]) -> Bool {
        for (index, segment) in pattern.enumerated() {
            if segment == "**" { return true }
            guard index < request.count else { return false }
            if segment == "*" || segment.hasPrefix("{") || segment.hasPrefix(":") { continue }
            if segment != request[index] { return false }
        }
        return pattern.count == request.count
    }
}

/// Turns the router's "no route" 404 into 405 when the path exists with other methods.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteMethodTable

    public init(table: RouteMethodTable) { self.table = table }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var response = JSONResponse.error(
                SignPeerError.methodNotAllowed("Method not allowed on this resource."))
            response.headers[.allow] = allowed.sorted().joined(separator: ", ")
            return response
        }
    }
}
