/// The Admin Web's Mustache templates and style sheet, compiled into the gateway so the image
/// needs no template files. `{{name}}` HTML-escapes; the only unescaped value, `{{{content}}}` in
/// the layout, is a page this library rendered itself.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "peers": peers, "workers": workers, "audit": audit, "error": error,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · SignPeer Admin</title>
        <link rel="icon" href="/admin/static/favicon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/admin/static/admin.css">
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/admin/">SignPeer <span>Admin</span></a>
          <nav>{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}</nav>
          <span class="who" title="Signed in with this client certificate">{{subject}}</span>
        </header>
        <main>
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{{content}}}
        </main>
        <footer>SignPeer {{version}}</footer>
        </body>
        </html>

        """

    static let peers = """
        <section>
          <h2>Incoming connections</h2>
          <form method="post" action="/admin/peers/incoming" class="toggle">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="enabled" value="{{^incomingEnabled}}true{{/incomingEnabled}}{{#incomingEnabled}}false{{/incomingEnabled}}">
            <span>Allow incoming connections</span>
            <strong id="incoming-state" class="badge {{#incomingEnabled}}on{{/incomingEnabled}}{{^incomingEnabled}}off{{/incomingEnabled}}">{{#incomingEnabled}}On{{/incomingEnabled}}{{^incomingEnabled}}Off{{/incomingEnabled}}</strong>
            <button type="submit" id="incoming-toggle">{{#incomingEnabled}}Turn off{{/incomingEnabled}}{{^incomingEnabled}}Turn on{{/incomingEnabled}}</button>
          </form>
          {{^incomingEnabled}}<p class="hint">While this is off, every peer request is refused and nothing is recorded.</p>{{/incomingEnabled}}
          <p class="hint">Client certificates that called the peer API (JSON or EJBCA's peer protocol) within the last hour.</p>
          <table id="incoming">
            <thead><tr><th>Remote identity</th><th>Remote address</th><th>Last seen</th><th>Requests</th><th>Authorized</th><th></th></tr></thead>
            <tbody>
            {{#connections}}
              <tr>
                <td><div class="dn">{{subjectDN}}</div><div class="sub">serial {{serialNumber}} · issuer {{issuerDN}}{{#sourceId}} · EJBCA source ID <span class="source-id">{{.}}</span>{{/sourceId}}</div></td>
                <td>{{remoteAddress}}</td>
                <td class="nowrap">{{lastSeen}}</td>
                <td class="num">{{requestCount}}</td>
                <td>{{#authorized}}<span class="badge on">Yes</span>{{/authorized}}{{^authorized}}<span class="badge off">No</span>{{/authorized}}</td>
                <td class="actions">
                  {{^authorized}}
                  <form method="post" action="/admin/peers/authorize">
                    <input type="hidden" name="csrf" value="{{csrf}}">
                    <input type="hidden" name="serialNumber" value="{{serialNumber}}">
                    <input type="hidden" name="issuerDN" value="{{issuerDN}}">
                    <button type="submit" class="primary">Add Authorization</button>
                  </form>
                  {{/authorized}}
                  <form method="post" action="/admin/peers/clear">
                    <input type="hidden" name="csrf" value="{{csrf}}">
                    <input type="hidden" name="serialNumber" value="{{serialNumber}}">
                    <input type="hidden" name="issuerDN" value="{{issuerDN}}">
                    <button type="submit">Clear</button>
                  </form>
                </td>
              </tr>
            {{/connections}}
            {{^connections}}<tr><td colspan="6" class="empty">No incoming connections in the last hour.</td></tr>{{/connections}}
            </tbody>
          </table>
        </section>

        <section>
          <h2>Peer System rules</h2>
          <p class="hint">Client certificates (serial number, issuer DN) authorized as peer systems.</p>
          <table id="rules">
            <thead><tr><th>Serial number</th><th>Issuer DN</th><th></th></tr></thead>
            <tbody>
            {{#rules}}
              <tr>
                <td class="mono">{{serialNumber}}</td>
                <td class="dn">{{issuerDN}}</td>
                <td class="actions">
                  <form method="post" action="/admin/peers/rules/remove">
                    <input type="hidden" name="csrf" value="{{csrf}}">
                    <input type="hidden" name="serialNumber" value="{{serialNumber}}">
                    <input type="hidden" name="issuerDN" value="{{issuerDN}}">
                    <button type="submit" class="danger">Remove</button>
                  </form>
                </td>
              </tr>
            {{/rules}}
            {{^rules}}<tr><td colspan="3" class="empty">No peer system is authorized.</td></tr>{{/rules}}
            </tbody>
          </table>
          <form method="post" action="/admin/peers/rules/add" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>Serial number <input name="serialNumber" required maxlength="128" placeholder="hex, e.g. 4b1f…"></label>
            <label>Issuer DN <input name="issuerDN" required maxlength="1024" size="40" placeholder="CN=Issuing CA, O=Example, C=SE"></label>
            <button type="submit">Add rule</button>
          </form>
        </section>

        """

    static let workers = """
        <table id="workers">
          <thead><tr>
            <th>ID</th><th>Name</th><th>Type</th><th>Token</th><th>Exposed to peers</th><th>Key alias</th>
            <th>Next key alias</th><th>Certificate subject</th><th>Not after</th><th>Issued by peer</th>
          </tr></thead>
          <tbody>
          {{#workers}}
            <tr>
              <td class="num">{{id}}</td>
              <td>{{name}}{{#disabled}} <span class="badge off">disabled</span>{{/disabled}}</td>
              <td>{{type}}</td>
              <td>{{#hasToken}}<span class="badge {{tokenClass}}">{{tokenStatus}}</span>{{#usesOtherToken}} <span class="via">via {{tokenWorkerName}}</span>{{/usesOtherToken}}{{/hasToken}}{{^hasToken}}<span class="none">none</span>{{/hasToken}}</td>
              <td>{{#exposedToPeers}}<span class="badge on">Yes</span>{{/exposedToPeers}}{{^exposedToPeers}}No{{/exposedToPeers}}</td>
              <td class="mono">{{keyAlias}}</td>
              <td class="mono">{{nextKeyAlias}}</td>
              <td class="dn">{{certificateSubject}}</td>
              <td class="nowrap">{{certificateNotAfter}}</td>
              <td>{{#issuedByPeer}}Yes{{/issuedByPeer}}{{^issuedByPeer}}No{{/issuedByPeer}}</td>
            </tr>
          {{/workers}}
          {{^workers}}<tr><td colspan="10" class="empty">No workers are configured.</td></tr>{{/workers}}
          </tbody>
        </table>

        """

    static let audit = """
        <form method="get" action="/admin/audit" class="inline filter">
          <label>Event
            <select name="event">
              <option value="">All events</option>
              {{#events}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/events}}
            </select>
          </label>
          <label>Worker <input name="worker" value="{{worker}}" maxlength="64" placeholder="id or name"></label>
          <button type="submit">Filter</button>
          <a href="/admin/audit">Reset</a>
        </form>
        <p class="hint">The latest {{limit}} events, newest first.</p>
        <table id="audit">
          <thead><tr><th>#</th><th>Time (UTC)</th><th>Event</th><th>Outcome</th><th>Principal</th><th>Worker</th><th>Details</th></tr></thead>
          <tbody>
          {{#entries}}
            <tr>
              <td class="num">{{seq}}</td>
              <td class="nowrap">{{time}}</td>
              <td class="mono">{{event}}</td>
              <td><span class="badge {{outcomeClass}}">{{outcome}}</span></td>
              <td class="dn">{{principal}}</td>
              <td>{{worker}}</td>
              <td class="details">{{#details}}<div><span class="key">{{key}}</span> {{value}}</div>{{/details}}</td>
            </tr>
          {{/entries}}
          {{^entries}}<tr><td colspan="7" class="empty">No matching events.</td></tr>{{/entries}}
          </tbody>
        </table>

        """

    static let error = """
        <p class="error">{{message}}</p>
        <p><a href="/admin/">Back to the Admin Web</a></p>

        """

    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#102a43"/>\
        <path d="M9 17l5 5 9-11" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>

        """

    static let styleSheet = """
        :root { --fg: #1f2933; --muted: #616e7c; --line: #d9dee4; --bg: #f5f7fa; --accent: #1f5fad;
          --on: #1e7a46; --on-bg: #e3f4ea; --off: #9b2c2c; --off-bg: #fbe9e9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: var(--fg); background: var(--bg); }
        header.top { display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 52px;
          background: #102a43; color: #fff; }
        header.top .brand { color: #fff; font-weight: 600; font-size: 16px; text-decoration: none; }
        header.top .brand span { font-weight: 400; opacity: .7; }
        header.top nav { display: flex; gap: 4px; flex: 1; }
        header.top nav a { color: #d9e2ec; text-decoration: none; padding: 6px 12px; border-radius: 4px; }
        header.top nav a:hover { background: #243b53; }
        header.top nav a[aria-current=page] { background: #334e68; color: #fff; }
        header.top .who { font-size: 12px; opacity: .75; white-space: nowrap; overflow: hidden;
          text-overflow: ellipsis; max-width: 40%; }
        main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 32px; }
        h1 { font-size: 22px; margin: 20px 0 12px; }
        h2 { font-size: 17px; margin: 28px 0 8px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px 20px 20px;
          margin-bottom: 20px; }
        table { width: 100%; border-collapse: collapse; background: #fff; margin-top: 8px; }
        main > table { border: 1px solid var(--line); }
        th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted);
          background: #fafbfc; }
        tbody tr:hover { background: #f8fafc; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.nowrap { white-space: nowrap; }
        td.empty { color: var(--muted); text-align: center; padding: 18px; }
        td.details { font-size: 12px; word-break: break-word; }
        td.details .key { color: var(--muted); }
        .via { color: var(--muted); font-size: 12px; white-space: nowrap; }
        .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
        .dn { word-break: break-word; }
        .sub { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
        .none { color: var(--muted); }
        .hint { color: var(--muted); margin: 4px 0; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
          background: #e4e7eb; color: var(--fg); }
        .badge.on { background: var(--on-bg); color: var(--on); }
        .badge.off { background: var(--off-bg); color: var(--off); }
        .notice { background: #e8f1fb; border: 1px solid #b6d2f2; padding: 8px 12px; border-radius: 4px; }
        .error { background: var(--off-bg); border: 1px solid #f0b4b4; color: var(--off); padding: 10px 14px;
          border-radius: 4px; }
        form { margin: 0; }
        form.toggle { display: flex; align-items: center; gap: 12px; margin: 8px 0; font-size: 15px; }
        form.inline { display: flex; flex-wrap: wrap; align-items: end; gap: 12px; margin-top: 14px; }
        form.filter { margin: 0 0 8px; }
        label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
        input, select { font: inherit; color: var(--fg); padding: 5px 8px; border: 1px solid #bcccdc; border-radius: 4px;
          background: #fff; }
        td.actions { white-space: nowrap; text-align: right; }
        td.actions form { display: inline-block; margin-left: 4px; }
        button { font: inherit; padding: 5px 12px; border: 1px solid #9fb3c8; border-radius: 4px; background: #fff;
          color: var(--fg); cursor: pointer; }
        button:hover { background: #f0f4f8; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.primary:hover { background: #174a87; }
        button.danger { color: var(--off); border-color: #e0a3a3; }
        a { color: var(--accent); }
        footer { max-width: 1280px; margin: 0 auto; padding: 0 24px 24px; color: var(--muted); font-size: 12px; }

        """
}
