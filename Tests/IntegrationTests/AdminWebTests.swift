import Foundation
import SignPeerTestSupport
import Testing

/// The Admin Web (SPEC §9.2) as a browser would use it, driven with `curl`: pages for the Admin
/// role only, security headers on every answer, CSRF tokens on every form, and changes that land
/// in the same tables and audit rows as the JSON admin API. The last test drives a real headless
/// Chromium with the admin's client certificate.
@Suite("Admin Web", .serialized)
struct AdminWebTests {
    static let system = SharedSystem(name: "adminweb")
    static let peerSubject = "CN=Demo CA Peer, OU=Peer Systems, O=SignPeer Demo, C=SE"
    static let demoIssuer = "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE"

    @Test func adminsGetThePagesWithSecurityHeadersOthersA403Page() async throws {
        let system = try await Self.system.get()
        for path in ["/admin/", "/admin", "/admin/workers", "/admin/audit", "/admin/audit?event=RULE_ADDED&worker=1"] {
            let page = try await system.page(path, as: "admin")
            #expect(page.status == 200, "\(path): \(page.body.prefix(300))")
            #expect(page.header("Content-Type") == "text/html; charset=utf-8", "\(path)")
            Self.expectSecurityHeaders(page, path)
            #expect(page.body.hasPrefix("<!DOCTYPE html>"))
            #expect(page.body.contains("CN=Demo Admin, OU=Administrators, O=SignPeer Demo, C=SE"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://"), "no external assets: \(path)")
        }
        #expect(try await system.page("/admin/", as: "admin").body.contains("Allow incoming connections"))

        let css = try await system.page("/admin/static/admin.css", as: "admin")
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        Self.expectSecurityHeaders(css, "css")

        // The peer certificate (no Admin role) gets an HTML 403 page, with the same headers.
        for path in ["/admin/", "/admin/workers", "/admin/audit"] {
            let denied = try await system.page(path, as: "peer")
            #expect(denied.status == 403, "\(path)")
            #expect(denied.header("Content-Type") == "text/html; charset=utf-8")
            #expect(denied.body.contains("Access denied"))
            #expect(!denied.body.contains("Allow incoming connections"))
            Self.expectSecurityHeaders(denied, path)
        }

        // A bad filter is an HTML 400, not a crash or a JSON body.
        let bad = try await system.page("/admin/audit?worker=%3Cscript%3E", as: "admin")
        #expect(bad.status == 400)
        #expect(bad.body.contains("Request refused"))
        #expect(!bad.body.contains("<script>"))
    }

    @Test func formsNeedTheAdminsCSRFTokenAndChangeStateLikeTheAPI() async throws {
        let system = try await Self.system.get()
        let token = try await system.csrfToken()
        let incoming = "SELECT count(*) FROM global_properties WHERE name = 'PEERS_INCOMING_ENABLED'"
        #expect(try await system.sql(incoming) == "0")
        let auditRows = try await system.sql("SELECT count(*) FROM audit_log")

        // No token, a wrong token, a token with another field name, or the peer with the
        // admin's token: 403 page, nothing changed, nothing audited.
        let refused: [(String, [String])] = [
            ("admin", ["enabled=true"]),
            ("admin", ["enabled=true", "csrf="]),
            ("admin", ["enabled=true", "csrf=" + String(repeating: "0", count: 64)]),
            ("admin", ["enabled=true", "csrf=" + String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")]),
            ("admin", ["enabled=true", "token=" + token]),
            ("peer", ["enabled=true", "csrf=" + token]),
        ]
        for (identity, fields) in refused {
            let post = try await system.post("/admin/peers/incoming", fields, as: identity)
            #expect(post.status == 403, "\(identity) \(fields)")
            #expect(post.body.contains("Access denied"))
            Self.expectSecurityHeaders(post, "refused POST")
        }
        // GET never changes state.
        let get = try await system.page("/admin/peers/incoming?enabled=true&csrf=\(token)", as: "admin")
        #expect([404, 405].contains(get.status))
        #expect(try await system.sql(incoming) == "0")
        #expect(try await system.sql("SELECT count(*) FROM audit_log") == auditRows)

        // The toggle with the token: PEERS_INCOMING_ENABLED flips, 303 back to the page.
        var post = try await system.post("/admin/peers/incoming", ["enabled=true", "csrf=" + token], as: "admin")
        #expect(post.status == 303)
        #expect(post.header("Location") == "/admin/?done=incoming-on")
        Self.expectSecurityHeaders(post, "303")
        #expect(try await system.sql("SELECT value FROM global_properties WHERE name = 'PEERS_INCOMING_ENABLED'") == "true")
        var page = try await system.page("/admin/?done=incoming-on", as: "admin")
        #expect(page.body.contains("Incoming connections are now allowed."))
        #expect(page.body.contains(">On</strong>"))

        // An unknown peer is recorded and shown; Add Authorization from its row lets it in.
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 403)
        page = try await system.page("/admin/", as: "admin")
        #expect(page.body.contains(Self.peerSubject))
        #expect(page.body.contains("Add Authorization"))
        let row = try await system.sql(
            "SELECT serial_number || '|' || issuer_dn FROM incoming_connections").split(separator: "|").map(String.init)
        let (serial, issuer) = (row[0], row[1])
        let rule = ["serialNumber=" + serial, "issuerDN=" + issuer]
        #expect(try await system.post("/admin/peers/authorize", rule, as: "admin").status == 403)
        post = try await system.post("/admin/peers/authorize", rule + ["csrf=" + token], as: "admin")
        #expect(post.status == 303)
        #expect(post.header("Location") == "/admin/?done=authorized")
        #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 200)
        #expect(try await system.sql("SELECT authorized FROM incoming_connections") == "t")
        #expect(try await system.sql("SELECT count(*) FROM role_rules WHERE role = 'PEER_SYSTEM'") == "1")
        #expect(
            try await system.sql(
                "SELECT principal_subject FROM audit_log WHERE event = 'RULE_ADDED' ORDER BY seq DESC LIMIT 1")
                == "CN=Demo Admin, OU=Administrators, O=SignPeer Demo, C=SE")
        page = try await system.page("/admin/", as: "admin")
        #expect(!page.body.contains("Add Authorization"))

        // Remove the rule: the peer is locked out again.
        post = try await system.post("/admin/peers/rules/remove", rule + ["csrf=" + token], as: "admin")
        #expect(post.status == 303)
        #expect(post.header("Location") == "/admin/?done=removed")
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 403)
        #expect(try await system.sql("SELECT authorized FROM incoming_connections") == "f")
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE event = 'RULE_REMOVED'") == "1")

        // Clear hides the row (kept for audit).
        post = try await system.post("/admin/peers/clear", rule + ["csrf=" + token], as: "admin")
        #expect(post.status == 303)
        #expect(try await system.sql("SELECT cleared_at IS NOT NULL FROM incoming_connections") == "t")
        #expect(!(try await system.page("/admin/", as: "admin").body.contains(Self.peerSubject)))
        #expect(try await system.post("/admin/peers/clear", rule + ["csrf=" + token], as: "admin").status == 404)

        // A hand-typed rule is normalized and everything on the page is HTML-escaped.
        post = try await system.post(
            "/admin/peers/rules/add",
            ["serialNumber=00:AB:CD", "issuerDN=O=Evil <script>alert(1)</script>,CN=x", "csrf=" + token], as: "admin")
        #expect(post.status == 303, "\(post.body)")
        page = try await system.page("/admin/", as: "admin")
        #expect(page.body.contains(">abcd</td>"))
        #expect(page.body.contains("&lt;script\\&gt;alert(1)"))  // RFC 4514 escapes < and > with a backslash
        #expect(!page.body.contains("<script>"))
        let badRule = try await system.post(
            "/admin/peers/rules/add", ["serialNumber=xyz", "issuerDN=CN=x", "csrf=" + token], as: "admin")
        #expect(badRule.status == 400)

        // The toggle back off; the audit page lists the changes and filters by event.
        post = try await system.post("/admin/peers/incoming", ["enabled=false", "csrf=" + token], as: "admin")
        #expect(post.header("Location") == "/admin/?done=incoming-off")
        #expect(try await system.sql("SELECT value FROM global_properties WHERE name = 'PEERS_INCOMING_ENABLED'") == "false")
        let audit = try await system.page("/admin/audit?event=RULE_REMOVED", as: "admin")
        #expect(audit.body.contains("RULE_REMOVED"))
        #expect(!audit.body.contains(">RULE_ADDED</td>"))
        #expect(try await system.page("/admin/audit", as: "admin").body.contains(">PROPERTY_SET</td>"))
    }

    @Test func theWorkersPageListsEveryWorker() async throws {
        let system = try await Self.system.get()
        let setup = try await system.cli(["setproperties", RepositoryPaths.root + "/deploy/local/demo-workers.properties"])
        #expect(setup.status == 0, "\(setup.stderr)")
        let page = try await system.page("/admin/workers", as: "admin")
        #expect(page.status == 200)
        for text in ["DemoRSASigner", "DemoCryptoToken", "DemoECSigner", "PROCESSABLE", "CRYPTO_WORKER", "OFFLINE", "via DemoCryptoToken"] {
            #expect(page.body.contains(text), "\(text)")
        }
        let audit = try await system.page("/admin/audit?worker=DemoECSigner", as: "admin")
        #expect(audit.body.contains("DemoECSigner"))
        #expect(!audit.body.contains("DemoRSASigner"))
    }

    /// One real browser session (headless Chromium through Selenium, `Tests/Browser`): the admin's
    /// certificate picked from an NSS database, the unknown peer shown and authorized with one
    /// click, then the peer gets in. Screenshots of the three pages go to `test-artifacts/`.
    /// Fails (never skips) when Chromium, chromedriver, NSS tools or Selenium are missing:
    /// `deploy/local/test.sh` and `.ci/run` install them.
    @Test func aRealBrowserAuthorizesTheUnknownPeerInOneClick() async throws {
        var missing = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/certutil", "/usr/bin/pk12util"]
            .filter { !FileManager.default.isExecutableFile(atPath: $0) }
        if try await ProcessRunner.run("python3", ["-c", "import selenium"]).status != 0 { missing.append("selenium") }
        guard missing.isEmpty else {
            Issue.record(
                "The browser test needs \(missing.joined(separator: ", ")): apt-get install chromium chromium-driver libnss3-tools; pip install selenium (deploy/local/test.sh does both)")
            return
        }
        let system = try await SignPeerSystem(name: "adminbrowser")
        defer { system.shutdown() }
        try await system.start()
        for command in [
            ["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"],
            ["setproperties", RepositoryPaths.root + "/deploy/local/demo-workers.properties"],
            ["activatecryptotoken", "DemoCryptoToken", "browser-test-pin"],
            ["generatekey", "DemoCryptoToken", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "ecKey001"],
        ] {
            let result = try await system.cli(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 403)
        #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 403)

        let screenshots = RepositoryPaths.root + "/test-artifacts"
        let browser = try await ProcessRunner.run(
            "python3",
            [
                RepositoryPaths.root + "/Tests/Browser/admin_web_test.py", "--url", "https://127.0.0.1:\(system.gatewayPort)",
                "--pki", system.pki, "--screenshots", screenshots,
            ])
        #expect(browser.status == 0, "browser test: \(browser.stderr)\n\(browser.stdout)")
        for name in ["peer-systems", "workers", "audit"] {
            #expect(FileManager.default.fileExists(atPath: screenshots + "/admin-web-\(name).png"), "screenshot \(name)")
        }

        // The click added the Peer System rule: the peer can list the bindings now.
        #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 200)
        #expect(try await system.sql("SELECT count(*) FROM role_rules WHERE role = 'PEER_SYSTEM'") == "1")
    }

    static func expectSecurityHeaders(_ page: CurlPage, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            page.header("Content-Security-Policy")
                == "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "\(label)", sourceLocation: sourceLocation)
        #expect(page.header("X-Frame-Options") == "DENY", "\(label)", sourceLocation: sourceLocation)
        #expect(page.header("X-Content-Type-Options") == "nosniff", "\(label)", sourceLocation: sourceLocation)
        #expect(page.header("Referrer-Policy") == "no-referrer", "\(label)", sourceLocation: sourceLocation)
        #expect(page.header("Cache-Control") == "no-store", "\(label)", sourceLocation: sourceLocation)
    }
}

/// A response with its headers, for the Admin Web's HTML pages.
struct CurlPage {
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

extension SignPeerSystem {
    /// GET (or, with `form`, a url-encoded POST) with the response headers.
    func page(_ path: String, as identity: String, form: [String]? = nil) async throws -> CurlPage {
        let headerFile = directory + "/headers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        var extra = ["-D", headerFile]
        for field in form ?? [] { extra += ["--data-urlencode", field] }
        let result = try await curl(path, as: identity, extra: extra)
        let text = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        let headers = text.split(separator: "\r\n").dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return CurlPage(status: result.status, headers: headers, body: result.body)
    }

    func post(_ path: String, _ form: [String], as identity: String) async throws -> CurlPage {
        try await page(path, as: identity, form: form)
    }

    /// The CSRF token of the admin's forms, read from the Peer Systems page.
    func csrfToken() async throws -> String {
        let body = try await page("/admin/", as: "admin").body
        let pattern = try Regex(#"name="csrf" value="([0-9a-f]{64})""#)
        guard let match = body.firstMatch(of: pattern), let token = match.output[1].substring else {
            throw HarnessError("no CSRF token on the page")
        }
        return String(token)
    }
}
