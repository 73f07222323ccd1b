import Hummingbird
import Mustache
import SignPeerCore

/// Renders Admin Web pages: a page template inside the common layout, as an HTML response.
struct AdminWebPages: Sendable {
    enum Page: String, CaseIterable, Sendable {
        case peers, workers, audit

        var title: String {
            switch self {
            case .peers: "Peer Systems"
            case .workers: "Workers"
            case .audit: "Audit log"
            }
        }

        var path: String {
            switch self {
            case .peers: "/admin/"
            case .workers: "/admin/workers"
            case .audit: "/admin/audit"
            }
        }
    }

    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// One of the three pages, with `view` rendered by the page's template.
    func page(_ page: Page, view: Any, principal: Principal, notice: String? = nil) -> Response {
        html(
            title: page.title, current: page, content: library.render(view, withTemplate: page.rawValue) ?? "",
            subject: principal.subjectDN, notice: notice, status: .ok)
    }

    /// The error page (403 for a non-admin or a bad CSRF token, 400, 404, 500...).
    func error(title: String, message: String, subject: String?, status: HTTPResponse.Status) -> Response {
        struct View { let message: String }
        return html(
            title: title, current: nil, content: library.render(View(message: message), withTemplate: "error") ?? "",
            subject: subject ?? "", notice: nil, status: status)
    }

    private func html(
        title: String, current: Page?, content: String, subject: String, notice: String?, status: HTTPResponse.Status
    ) -> Response {
        struct NavItem { let href: String, label: String, current: Bool }
        struct Layout {
            let title: String, nav: [NavItem], subject: String, notice: String?, content: String, version: String
        }
        let layout = Layout(
            title: title,
            nav: Page.allCases.map { NavItem(href: $0.path, label: $0.title, current: $0 == current) },
            subject: subject, notice: notice, content: content, version: ProductVersion.current)
        let text = library.render(layout, withTemplate: "layout") ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
