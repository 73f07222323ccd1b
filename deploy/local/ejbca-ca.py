#!/usr/bin/env python3
"""Plays EJBCA's Peer Connector against SignPeer's EJBCA peer endpoint (SPEC §12).

Written from EJBCA-PEER-PROTOCOL.md only (frame layout §2, messages §3), not from SignPeer's code,
so it is an independent check of the server: its own frame encoder and decoder, Python's ssl and
http.client on one kept-alive connection (as EJBCA's pool), and openssl for CSRs, certificates and
fingerprints. The operator's steps (allow incoming connections, authorize the CA from the
incoming-connection registry, deactivate a token) go through SignPeer's admin API.

  ejbca-ca.py --url https://127.0.0.1:8443 --pki .local/pki             # the life cycle (demo)
  ejbca-ca.py --url ... --pki ... --suite full --binding NAME --code PIN  # + refusals, KEEPCHAIN,
                                                                          #   offline token, garbage

Every check prints "ok <name>"; the first failed one prints "FAIL <name>: <why>" and exits 1.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ENDPOINT = "/signserver/peer/v1"
CERTIFICATE_IMPORT = "org.cesecore.keybind.CertificateImportException"
TOKEN_OFFLINE = "org.cesecore.keys.token.CryptoTokenOfflineException"


def java_hash(text):
    """Java's String.hashCode, as EJBCA derives its sourceId from the node name (§2.4)."""
    h = 0
    for ch in text:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


SOURCE_ID = abs(java_hash("ejbca-ca.py"))


class Failure(Exception):
    pass


def check(condition, name, why=""):
    if not condition:
        raise Failure(f"{name}: {why}")


# ---- Frame codec, EJBCA-PEER-PROTOCOL.md §2 ------------------------------------------------------

class Encoder:
    """Writes a data section: big-endian ints, flag 01 before present values, 00 for null."""

    def __init__(self):
        self.parts = []

    def int(self, value):
        self.parts.append(struct.pack(">i", value))
        return self

    def bool(self, value):
        self.parts.append(b"\x01" if value else b"\x00")
        return self

    def bytes(self, value):
        if value is None:
            self.parts.append(b"\x00")
        else:
            self.parts.append(b"\x01" + struct.pack(">i", len(value)) + value)
        return self

    def string(self, value):
        return self.bytes(None if value is None else value.encode("utf-8"))

    def string_list(self, values):
        if values is None:
            self.parts.append(b"\x00")
            return self
        self.parts.append(b"\x01" + struct.pack(">i", len(values)))
        for value in values:
            self.string(value)
        return self

    def done(self):
        return b"".join(self.parts)


class Decoder:
    """Reads a data section; only 00 is null, only 01 is true; running past the end fails."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n, what):
        if n < 0 or self.at + n > len(self.data):
            raise Failure(f"response data ends inside {what}")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def int(self, what="int"):
        return struct.unpack(">i", self.take(4, what))[0]

    def bool(self, what="boolean"):
        return self.take(1, what) == b"\x01"

    def bytes(self, what="bytes"):
        if self.take(1, what) == b"\x00":
            return None
        n = self.int(what)
        if not 0 <= n <= 134217728:
            raise Failure(f"{what}: length {n} out of range")
        return self.take(n, what)

    def string(self, what="string"):
        value = self.bytes(what)
        return None if value is None else value.decode("utf-8", "replace")

    def string_list(self, what="list"):
        if self.take(1, what) == b"\x00":
            return None
        n = self.int(what)
        if not 0 <= n <= 131072:
            raise Failure(f"{what}: count {n} out of range")
        return [self.string(f"{what}[{i}]") for i in range(n)]


class Counter:
    """EJBCA's process-wide message counter: 1 for the first message."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.value += 1
            return self.value


MESSAGE_IDS = Counter()


def encode_frame(type_name, data=b"", version=0, message_id=None, source_id=SOURCE_ID, base=0, extension=b""):
    name = type_name.encode("utf-8")
    message_id = MESSAGE_IDS.next() if message_id is None else message_id
    return (struct.pack(">ii", base, len(name)) + name + struct.pack(">iqi", source_id, message_id, version)
            + struct.pack(">i", len(extension)) + extension + struct.pack(">i", len(data)) + data)


def decode_frame(body):
    """The checks of §2.1, strictly: name 1..250, header extension skipped, exact data length."""
    reader = Decoder(body)
    base = reader.int("base version")
    n = reader.int("type-name length")
    if not 1 <= n <= 250:
        raise Failure(f"type-name length {n}")
    name = reader.take(n, "type name").decode("utf-8", "replace")
    source_id, message_id, version, ext = struct.unpack(">iqii", reader.take(20, "header"))
    if ext > 0:
        reader.take(ext, "header extension")
    z = reader.int("data length")
    if z != len(body) - reader.at:
        raise Failure(f"data length {z} but {len(body) - reader.at} bytes follow")
    return {"base": base, "type": name, "sourceId": source_id, "messageId": message_id, "version": version,
            "data": body[reader.at:]}


# ---- Messages, §3 -------------------------------------------------------------------------------

def ping():
    return encode_frame("PING")


def status_request():
    return encode_frame("INTERNAL_KEY_BINDING_STATUS_REQUEST")


def prepare_renewal(binding_id, renew_keys):
    return encode_frame("INTERNAL_KEY_BINDING_PREPARE_RENEWAL", Encoder().int(binding_id).bool(renew_keys).done())


def update_v0(binding_id, der):
    return encode_frame("INTERNAL_KEY_BINDING_UPDATE", Encoder().int(binding_id).bytes(der).done(), version=0)


def update_v1(binding_id, certificate, encoding):
    data = Encoder().int(binding_id).bytes(certificate).int(encoding).done()
    return encode_frame("INTERNAL_KEY_BINDING_UPDATE", data, version=1)


def authorization_check(resources):
    return encode_frame("AUTHORIZATION_CHECK", Encoder().string_list(resources).done())


def decode_status(frame):
    reader = Decoder(frame["data"])
    count = reader.int("count")
    bindings = []
    for i in range(count):
        bindings.append({
            "type": reader.string(), "id": reader.int(), "name": reader.string(), "status": reader.string(),
            "fingerprint": reader.string(), "cryptoTokenId": reader.int(), "cryptoTokenName": reader.string(),
            "cryptoTokenActive": reader.bool(), "keyAlias": reader.string(), "keyAlgorithm": reader.string(),
            "keySpecification": reader.string(), "subjectKeyId": reader.string()})
    return bindings


def decode_prepare_response(frame):
    reader = Decoder(frame["data"])
    answer = {"id": reader.int(), "keysRenewed": reader.bool(), "csr": reader.bytes("csr")}
    answer["preferredEncoding"] = reader.int("preferred encoding") if frame["version"] != 0 else 0
    return answer


def decode_error(frame):
    reader = Decoder(frame["data"])
    return reader.string("class name"), reader.string("message")


# ---- Transport ----------------------------------------------------------------------------------

class Connection:
    """One HTTP/1.1 keep-alive connection with a client certificate, like a pooled EJBCA one."""

    def __init__(self, url, pki, identity):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port or 443
        self.context = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
        self.context.check_hostname = False
        self.context.load_cert_chain(os.path.join(pki, identity + ".pem"), os.path.join(pki, identity + ".key"))
        self.connection = None
        self.timeout = 60

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(
                    self.host, self.port, context=self.context, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, response.reason, dict((k.lower(), v) for k, v in response.getheaders()), payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class CA:
    def __init__(self, args):
        self.args = args
        self.peer = Connection(args.url, args.pki, "peer")
        self.admin_connection = Connection(args.url, args.pki, "admin")
        self.work = tempfile.mkdtemp(prefix="ejbca-ca-")
        self.server_source_id = None
        self.renewals_with_new_keys = 0
        self.first_prepare = None

    # Peer protocol --------------------------------------------------------------------------

    def post(self, body, connection=None):
        """POSTs one frame as EJBCA does: Content-Length, no Content-Type."""
        return (connection or self.peer).request("POST", ENDPOINT, body=body)

    def exchange(self, body, expect_type, name, connection=None):
        status, reason, headers, payload = self.post(body, connection)
        check(status == 200, name, f"HTTP {status} {reason}: {payload[:200]!r}")
        check(headers.get("content-type", "").startswith("application/octet-stream"), name,
              f"Content-Type {headers.get('content-type')}")
        check(headers.get("content-length") == str(len(payload)), name, f"Content-Length {headers.get('content-length')}")
        frame = decode_frame(payload)
        check(frame["base"] == 0, name, "base version")
        if self.server_source_id is None:
            self.server_source_id = frame["sourceId"]
        check(frame["sourceId"] == self.server_source_id and frame["sourceId"] >= 0, name,
              f"sourceId {frame['sourceId']} (first answer had {self.server_source_id})")
        if frame["type"] == "GENERIC_ERROR_RESPONSE" and expect_type != frame["type"]:
            raise Failure(f"{name}: GENERIC_ERROR_RESPONSE {decode_error(frame)}")
        check(frame["type"] == expect_type, name, f"got {frame['type']}")
        frame["raw"] = payload
        return frame

    def expect_status(self, body, code, name, reason=None):
        status, got_reason, _, payload = self.post(body)
        check(status == code, name, f"HTTP {status} {got_reason}: {payload[:200]!r}")
        if reason is not None:
            check(got_reason == reason, name, f"reason phrase {got_reason!r}")

    def status(self):
        return decode_status(self.exchange(status_request(), "INTERNAL_KEY_BINDING_STATUS_RESPONSE", "status"))

    def binding(self, name):
        for binding in self.status():
            if binding["name"] == name:
                return binding
        raise Failure(f"status: no binding named {name}")

    def expect_error(self, body, class_name, code, name):
        frame = self.exchange(body, "GENERIC_ERROR_RESPONSE", name)
        got_class, message = decode_error(frame)
        check(got_class == class_name, name, f"class {got_class}")
        check(message is not None and message.startswith(code + ": "), name, f"message {message!r}")
        ok(name, f"{got_class}: {message}")

    # Operator (admin API) -------------------------------------------------------------------

    def admin(self, method, path, payload=None):
        body = None if payload is None else json.dumps(payload).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        status, reason, _, answer = self.admin_connection.request(method, "/admin/v1" + path, body, headers)
        check(200 <= status < 300, f"admin {method} {path}", f"HTTP {status}: {answer[:300]!r}")
        return json.loads(answer) if answer else None

    def incoming_row(self):
        subject = openssl("x509", "-in", os.path.join(self.args.pki, "peer.pem"), "-noout", "-subject",
                          "-nameopt", "RFC2253").decode().strip().split("=", 1)[1]
        for row in self.admin("GET", "/incoming")["connections"]:
            if row["subjectDN"].replace(", ", ",") == subject:
                return row
        return None

    def token_keys(self, worker):
        return sorted(entry["alias"] for entry in self.admin("GET", f"/workers/{worker}/token/keys")["entries"])

    def peer_json(self, path):
        status, _, _, payload = self.peer.request("GET", "/peer/v1" + path)
        check(status == 200, f"GET /peer/v1{path}", f"HTTP {status}")
        return json.loads(payload)

    # The life cycle -------------------------------------------------------------------------

    def admit(self, expect_refusals):
        """Ping; if refused, do what the operator does: allow incoming, authorize from the registry."""
        status, reason, _, payload = self.post(ping())
        if expect_refusals:
            check(status == 401 and reason == "Unauthorized", "ping refused while incoming is off", f"HTTP {status} {reason}")
            check(self.incoming_row() is None, "nothing recorded while incoming is off")
            ok("ping refused while incoming is off", "401 Unauthorized, no registry row")
        if status == 401:
            self.admin("PUT", "/global/properties/PEERS_INCOMING_ENABLED", {"value": "true"})
            status, reason, _, payload = self.post(ping())
        if status == 401:
            check(reason == "Unauthorized", "ping refused before authorization", f"reason {reason!r}")
            row = self.incoming_row()
            check(row is not None, "registry records the refused CA")
            check(row.get("sourceId") == SOURCE_ID, "registry keeps the CA's sourceId", f"row {row}")
            check(row["authorized"] is False, "registry row is unauthorized")
            ok("ping refused before authorization", f"401 Unauthorized; registry row sourceId {row['sourceId']}")
            self.admin("POST", "/incoming/authorize", {"serialNumber": row["serialNumber"], "issuerDN": row["issuerDN"]})
            ok("authorized from the registry row", row["subjectDN"])
            # Other replicas may cache the old roles for SIGNPEER_ROLE_CACHE_MS (2 s by default).
            for _ in range(30):
                if self.post(ping())[0] != 401:
                    break
                time.sleep(0.2)
        elif expect_refusals:
            raise Failure("ping refused before authorization: it was accepted")
        frame = self.exchange(ping(), "PING_RESPONSE", "ping")
        check(frame["data"] == b"" and frame["version"] == 0, "ping", "PING_RESPONSE carries data")
        ok("ping", f"PING_RESPONSE from sourceId {frame['sourceId']}, messageId {frame['messageId']}")

    def renew(self, binding, name_prefix):
        """PREPARE_RENEWAL with new keys, the CSR checked and issued, UPDATE v1 with a PEM chain."""
        before = binding["keyAlias"]
        request = prepare_renewal(binding["id"], True)
        frame = self.exchange(request, "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", f"{name_prefix} prepare renewal")
        self.renewals_with_new_keys += 1
        answer = decode_prepare_response(frame)
        check(frame["version"] == 1 and answer["preferredEncoding"] == 1, f"{name_prefix} prepare renewal",
              f"version {frame['version']}, preferred encoding {answer['preferredEncoding']}")
        check(answer["id"] == binding["id"] and answer["keysRenewed"] is True, f"{name_prefix} prepare renewal", str(answer))
        check(answer["csr"], f"{name_prefix} prepare renewal", "no CSR")
        csr = self.save(f"{binding['id']}-{frame['messageId']}.csr", answer["csr"])
        verify = subprocess.run(["openssl", "req", "-inform", "DER", "-in", csr, "-noout", "-verify"],
                                capture_output=True, text=True)
        check(verify.returncode == 0 and "verify OK" in verify.stdout + verify.stderr, f"{name_prefix} CSR verifies",
              verify.stderr)
        subject = openssl("req", "-inform", "DER", "-in", csr, "-noout", "-subject").decode().strip()
        ok(f"{name_prefix} prepare renewal", f"new key, DER CSR verifies with openssl ({subject})")
        return request, frame, csr, before

    def issue(self, csr, name):
        ext = self.save(name + ".ext", b"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                        b"extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
        leaf = os.path.join(self.work, name + ".pem")
        csr_pem = self.save(name + ".csr.pem", openssl("req", "-inform", "DER", "-in", csr))
        openssl("x509", "-req", "-in", csr_pem, "-CA", os.path.join(self.args.pki, "ca.pem"),
                "-CAkey", os.path.join(self.args.pki, "ca.key"), "-set_serial", "0x" + os.urandom(12).hex(),
                "-days", "365", "-extfile", ext, "-out", leaf)
        return leaf

    def ejbca_pem_chain(self, leaf):
        """The chain as EJBCA's PEM writer emits it: Subject:/Issuer: lines before each block."""
        parts = []
        for path in (leaf, os.path.join(self.args.pki, "ca.pem")):
            subject = openssl("x509", "-in", path, "-noout", "-subject").decode().strip()
            issuer = openssl("x509", "-in", path, "-noout", "-issuer").decode().strip()
            pem = open(path, "rb").read()
            parts.append(f"Subject: {subject}\nIssuer: {issuer}\n".encode() + pem)
        return b"".join(parts)

    def fingerprint(self, leaf, digest="-sha1"):
        out = openssl("x509", "-in", leaf, "-noout", "-fingerprint", digest).decode().strip()
        return out.split("=", 1)[1].replace(":", "").lower()

    def ski(self, leaf):
        out = openssl("x509", "-in", leaf, "-noout", "-ext", "subjectKeyIdentifier").decode()
        return out.splitlines()[-1].strip().replace(":", "").lower()

    def save(self, name, data):
        path = os.path.join(self.work, name.replace("/", "_"))
        with open(path, "wb") as handle:
            handle.write(data)
        return path

    def lifecycle(self, binding):
        label = binding["name"]
        check(binding["type"] == "AuthenticationKeyBinding" and binding["status"] in ("ACTIVE", "DISABLED"), label,
              str(binding))
        check(binding["cryptoTokenActive"], f"{label} token active", str(binding))
        ok(f"{label} status", f"id {binding['id']}, key {binding['keyAlias']} {binding['keyAlgorithm']}/"
           f"{binding['keySpecification']}, fingerprint {binding['fingerprint']}")
        request, first, csr, before = self.renew(binding, label)
        self.first_prepare = (request, first)

        # EJBCA re-sends the same bytes after a timeout: the same answer, no second key.
        keys = self.token_keys(binding["name"])
        again = self.exchange(request, "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", f"{label} repeated prepare")
        check(again["raw"] == first["raw"], f"{label} repeated prepare", "a different answer")
        check(self.token_keys(binding["name"]) == keys, f"{label} repeated prepare", "a second key was generated")
        ok(f"{label} repeated prepare renewal", "byte-identical first answer, same CSR, no second key")

        leaf = self.issue(csr, f"leaf-{binding['id']}-{MESSAGE_IDS.value}")
        update = update_v1(binding["id"], self.ejbca_pem_chain(leaf), 1)
        frame = self.exchange(update, "INTERNAL_KEY_BINDING_UPDATE_RESPONSE", f"{label} update")
        check(frame["data"] == b"", f"{label} update", "UPDATE_RESPONSE carries data")
        ok(f"{label} update", "v1 PEM chain (with Subject:/Issuer: lines) installed")
        again = self.exchange(update, "INTERNAL_KEY_BINDING_UPDATE_RESPONSE", f"{label} repeated update")
        check(again["raw"] == frame["raw"], f"{label} repeated update", "a different answer")
        ok(f"{label} repeated update", "byte-identical first answer")

        after = self.binding(binding["name"])
        expected = self.fingerprint(leaf)
        check(after["fingerprint"] == expected, f"{label} status after update",
              f"fingerprint {after['fingerprint']}, openssl says {expected}")
        check(after["keyAlias"] != before and after["cryptoTokenActive"], f"{label} status after update", str(after))
        check(after["subjectKeyId"] == self.ski(leaf), f"{label} status after update",
              f"SKI {after['subjectKeyId']} vs {self.ski(leaf)}")
        ok(f"{label} status after update", f"key {after['keyAlias']}, fingerprint {after['fingerprint']} = openssl x509 -fingerprint")
        return after, leaf

    # Full suite: refusals, KEEPCHAIN, offline token, failures, garbage ------------------------

    def keepchain(self, binding):
        name = binding["name"]
        self.admin("PUT", f"/workers/{name}/properties/PEERS_KEEPCHAIN", {"value": "true"})
        _, _, csr, _ = self.renew(binding, f"{name} legacy")
        leaf = self.issue(csr, f"legacy-{binding['id']}")
        der = openssl("x509", "-in", leaf, "-outform", "DER")
        self.exchange(update_v0(binding["id"], der), "INTERNAL_KEY_BINDING_UPDATE_RESPONSE", f"{name} legacy update")
        chain = self.peer_json(f"/keybindings/{binding['id']}")["certificateChain"]
        blocks = re.findall(r"-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----", chain)
        ca = open(os.path.join(self.args.pki, "ca.pem")).read().strip()
        check(len(blocks) == 2 and blocks[1].split() == ca.split(), f"{name} legacy update keeps the chain",
              f"{len(blocks)} certificates")
        check(self.binding(name)["fingerprint"] == self.fingerprint(leaf), f"{name} legacy update", "fingerprint")
        ok(f"{name} legacy update", "v0 DER with PEERS_KEEPCHAIN: leaf replaced, CA certificate kept")
        self.admin("DELETE", f"/workers/{name}/properties/PEERS_KEEPCHAIN")
        return leaf

    def failures(self, binding, old_leaf):
        name = binding["name"]
        # A certificate for another key (the previous one) is refused and changes nothing.
        before = self.binding(name)
        der = openssl("x509", "-in", old_leaf, "-outform", "DER")
        self.expect_error(update_v1(binding["id"], der, 0), CERTIFICATE_IMPORT, "certificate_key_mismatch",
                          f"{name} update with another key's certificate")
        check(self.binding(name) == before, f"{name} refused update changes nothing")
        self.expect_error(update_v1(binding["id"], b"not a certificate", 0), CERTIFICATE_IMPORT, "invalid_certificate",
                          f"{name} update with garbage DER")
        self.expect_error(update_v1(binding["id"], b"Subject: nothing here\n", 1), CERTIFICATE_IMPORT,
                          "invalid_certificate", f"{name} update with PEM text without a block")
        self.expect_error(update_v1(binding["id"], der, 7), CERTIFICATE_IMPORT, "invalid_certificate",
                          f"{name} update with unknown encoding 7")
        self.expect_error(update_v0(999999, der), CERTIFICATE_IMPORT, "key_binding_not_found", "update of an unknown binding")
        self.expect_error(prepare_renewal(999999, True), TOKEN_OFFLINE, "key_binding_not_found",
                          "prepare renewal of an unknown binding")
        check(self.binding(name) == before, f"{name} failed requests change nothing")

        # Offline token: STATUS shows it, PREPARE_RENEWAL is a CryptoTokenOfflineException.
        keys = self.token_keys(name)
        self.admin("POST", f"/workers/{name}/token/deactivate", {})
        offline = self.binding(name)
        check(offline["cryptoTokenActive"] is False and offline["keyAlgorithm"] is None
              and offline["keySpecification"] is None and offline["subjectKeyId"] is None,
              f"{name} status with the token offline", str(offline))
        ok(f"{name} status with the token offline", "cryptoTokenActive false, key details null")
        self.expect_error(prepare_renewal(binding["id"], True), TOKEN_OFFLINE, "crypto_token_offline",
                          f"{name} prepare renewal with the token offline")
        self.admin("POST", f"/workers/{name}/token/activate", {"code": self.args.code})
        check(self.token_keys(name) == keys, f"{name} offline prepare generated no key")

        # AUTHORIZATION_CHECK: a signer grants no EJBCA access rules.
        frame = self.exchange(authorization_check(["/peer/view", None, "/peer/manage"]),
                              "AUTHORIZATION_CHECK_RESPONSE", "authorization check")
        check(Decoder(frame["data"]).string_list() == [], "authorization check", repr(frame["data"]))
        frame = self.exchange(encode_frame("AUTHORIZATION_CHECK"), "AUTHORIZATION_CHECK_RESPONSE", "authorization check")
        check(Decoder(frame["data"]).string_list() == [], "authorization check without data", repr(frame["data"]))
        ok("authorization check", "AUTHORIZATION_CHECK_RESPONSE with an empty list")
        for unknown in ("PUBLISH_TO_VA", "PING_RESPONSE", "internal_key_binding_status_request"):
            frame = self.exchange(encode_frame(unknown, b"\x00\x01"), "UNKNOWN_MESSAGE_TYPE_RESPONSE", f"unknown {unknown}")
            check(frame["data"] == b"", f"unknown {unknown}", "data")
        ok("unknown message types", "UNKNOWN_MESSAGE_TYPE_RESPONSE, also for response types sent as requests")
        self.exchange(encode_frame("PING", extension=b"\x07" * 9, base=3), "PING_RESPONSE", "ping with a header extension")
        ok("ping with a header extension and base version 3", "extension skipped")

    def garbage(self, binding):
        """Frames broken in every way §2 lists: 400 (413 when too large), nothing changes, still up."""
        snapshot = (self.status(), self.token_keys(binding["name"]),
                    self.peer_json(f"/keybindings/{binding['id']}"))
        good = prepare_renewal(binding["id"], True)
        n = len("INTERNAL_KEY_BINDING_PREPARE_RENEWAL")
        cases = {
            "empty body": b"",
            "3 bytes": b"\x00\x00\x00",
            "ends inside the header": good[:20],
            "type-name length 0": struct.pack(">ii", 0, 0) + good[8:],
            "type-name length 251": struct.pack(">ii", 0, 251) + b"A" * 251 + good[8 + n:],
            "negative type-name length": struct.pack(">ii", 0, -1) + good[8:],
            "data length one short": good[:-1],
            "data length one over": good + b"\x00",
            "negative data length": good[:8 + n + 20] + struct.pack(">i", -5) + good[8 + n + 24:],
            "header extension past the end": good[:8 + n + 16] + struct.pack(">i", 1000) + good[8 + n + 20:],
            "header extension over 128 MiB": good[:8 + n + 16] + struct.pack(">i", 134217729) + good[8 + n + 20:],
            "PREPARE_RENEWAL data cut short": encode_frame("INTERNAL_KEY_BINDING_PREPARE_RENEWAL", b"\x00\x00\x00"),
            "PREPARE_RENEWAL without data": encode_frame("INTERNAL_KEY_BINDING_PREPARE_RENEWAL"),
            "UPDATE v1 without the encoding": encode_frame("INTERNAL_KEY_BINDING_UPDATE",
                                                           Encoder().int(binding["id"]).bytes(b"\x30\x00").done(), version=1),
            "UPDATE with a CSR length over 128 MiB": encode_frame(
                "INTERNAL_KEY_BINDING_UPDATE", Encoder().int(binding["id"]).done() + b"\x01" + struct.pack(">i", 0x7FFFFFFF)),
            "UPDATE v0 cut inside the certificate": encode_frame(
                "INTERNAL_KEY_BINDING_UPDATE", Encoder().int(binding["id"]).done() + b"\x01" + struct.pack(">i", 100) + b"\x30"),
            "random bytes": bytes(hashlib.sha256(str(i).encode()).digest()[0] for i in range(300)),
            "JSON": b'{"renewKeys": true}',
        }
        for name, body in cases.items():
            self.expect_status(body, 400, f"garbage: {name}")
        ok("garbage frames", f"{len(cases)} kinds answered 400")
        large = Connection(self.args.url, self.args.pki, "peer")
        try:
            status, _, _, _ = self.post(encode_frame("PING", b"\x00" * (1024 * 1024 + 1)), large)
        finally:
            large.close()
        check(status == 413, "garbage: body over 1 MiB", f"HTTP {status}")
        ok("body over 1 MiB", "413")
        self.exchange(ping(), "PING_RESPONSE", "ping after garbage")
        after = (self.status(), self.token_keys(binding["name"]), self.peer_json(f"/keybindings/{binding['id']}"))
        check(after == snapshot, "garbage changes nothing", "the binding changed")
        ok("service up and nothing changed after garbage")

    def concurrent_duplicates(self, binding):
        """Two copies of one PREPARE_RENEWAL at once, on two connections: one key, one answer."""
        keys = self.token_keys(binding["name"])
        request = prepare_renewal(binding["id"], True)
        answers = [None, None]

        def send(index):
            connection = Connection(self.args.url, self.args.pki, "peer")
            try:
                answers[index] = self.post(request, connection)
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        check(all(a is not None and a[0] == 200 for a in answers), "concurrent duplicates", str([a and a[0] for a in answers]))
        check(answers[0][3] == answers[1][3], "concurrent duplicates", "different answers")
        self.renewals_with_new_keys += 1
        after = self.token_keys(binding["name"])
        check(len(after) == len(keys) + 1 or (len(after) == len(keys) and after != keys), "concurrent duplicates",
              f"keys before {keys}, after {after}")
        ok("concurrent duplicate prepare renewals", "both got the same answer, one key generated")


    def retry_after_timeout(self, binding):
        """EJBCA's read timeout: the first copy is abandoned mid-flight, the retry gets its answer."""
        request = prepare_renewal(binding["id"], True)
        impatient = Connection(self.args.url, self.args.pki, "peer")
        impatient.timeout = 0.05
        try:
            self.post(request, impatient)
            gave_up = False
        except (TimeoutError, OSError):
            gave_up = True
        finally:
            impatient.close()
        frame = self.exchange(request, "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", "retry after a read timeout")
        self.renewals_with_new_keys += 1
        again = self.exchange(request, "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", "retry after a read timeout")
        check(again["raw"] == frame["raw"], "retry after a read timeout", "different answers")
        ok("retry after a read timeout", ("the first copy was abandoned; " if gave_up else "") + "one answer, one key")

    def restarted_counter(self, binding):
        """A restarted EJBCA counts from 1 again: the first PREPARE_RENEWAL's exact bytes, sent
        after the binding moved on, are a new request, not a retry."""
        request, first = self.first_prepare
        frame = self.exchange(request, "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", "old messageId after a restart")
        self.renewals_with_new_keys += 1
        check(decode_prepare_response(frame)["csr"] != decode_prepare_response(first)["csr"],
              "old messageId after a restart", "the first, outdated CSR was replayed")
        # (A pending next key is replaced under the same alias, so the alias list may not change;
        # a different CSR from a deterministic RSA signature means a different key.)
        ok("old messageId after the binding moved on", "a fresh CSR for a new key, not the outdated first answer")


def openssl(*arguments):
    result = subprocess.run(["openssl", *arguments], capture_output=True)
    if result.returncode != 0:
        raise Failure(f"openssl {' '.join(arguments[:2])}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def ok(name, detail=""):
    print(f"ok {name}" + (f" -- {detail}" if detail else ""), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="https://127.0.0.1:8443")
    parser.add_argument("--pki", default=".local/pki", help="folder with ca.pem, ca.key, peer.pem/key, admin.pem/key")
    parser.add_argument("--suite", choices=("lifecycle", "full"), default="lifecycle")
    parser.add_argument("--binding", help="binding name (default: every binding)")
    parser.add_argument("--code", help="activation code of the binding's token (full suite)")
    parser.add_argument("--replica", help="URL of another gateway replica that must answer with the same sourceId")
    args = parser.parse_args()
    ca = CA(args)
    try:
        ca.admit(expect_refusals=args.suite == "full")
        bindings = [b for b in ca.status() if args.binding in (None, b["name"])]
        check(bindings, "status", f"no binding {args.binding or ''} listed")
        leaves = {}
        for binding in bindings:
            _, leaves[binding["name"]] = ca.lifecycle(binding)
        if args.suite == "full":
            binding = ca.binding(bindings[0]["name"])
            check(args.code, "full suite", "--code is required")
            ca.keepchain(binding)
            ca.failures(ca.binding(binding["name"]), leaves[binding["name"]])
            ca.garbage(ca.binding(binding["name"]))
            ca.concurrent_duplicates(ca.binding(binding["name"]))
            ca.retry_after_timeout(ca.binding(binding["name"]))
            ca.restarted_counter(ca.binding(binding["name"]))
        if args.replica:
            replica = Connection(args.replica, args.pki, "peer")
            frame = ca.exchange(ping(), "PING_RESPONSE", "ping on the replica", connection=replica)
            ok("replica answers with the same sourceId", str(frame["sourceId"]))
        print(f"renewals with new keys: {ca.renewals_with_new_keys}")
        print(f"server sourceId: {ca.server_source_id}")
    except Failure as failure:
        print(f"FAIL {failure}", flush=True)
        return 1
    finally:
        ca.peer.close()
        ca.admin_connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
