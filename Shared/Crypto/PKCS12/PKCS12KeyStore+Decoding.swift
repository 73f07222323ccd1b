import COpenSSL
import CSignPeerShims
import SignPeerCore

extension PKCS12KeyStore {
    /// Opens a DER-encoded PKCS#12 key store, ours or one written by another tool (see
    /// ``PKCS12KeyStore``). A key without `friendlyName` takes its certificate's, or else its
    /// position among the keys (`"1"`, `"2"`, …).
    ///
    /// - Throws: ``SignPeerError`` `authentication_failed` (403) for a wrong password;
    ///   `.invalidRequest` for data that is not a readable PKCS#12 key store or names one alias
    ///   twice.
    public static func decode(_ der: [UInt8], password: String) throws -> PKCS12KeyStore {
        defer { ERR_clear_error() }
        let (pkcs12, consumed) = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let pkcs12 = buffer.isEmpty ? nil : d2i_PKCS12(nil, &cursor, buffer.count)
            return (pkcs12, cursor.map { $0 - buffer.baseAddress! } ?? 0)
        }
        guard let pkcs12 else { throw SignPeerError.invalidKeyStore }
        defer { PKCS12_free(pkcs12) }
        guard consumed == der.count else { throw SignPeerError.invalidKeyStore }
        let hasMAC = PKCS12_mac_present(pkcs12) == 1
        if hasMAC, PKCS12_verify_mac(pkcs12, password, -1) != 1 {
            throw SignPeerError.wrongKeyStoreCode
        }
        // Without a MAC, failing to decrypt is the only sign of a wrong password.
        let decryptionFailure = hasMAC ? SignPeerError.invalidKeyStore : SignPeerError.wrongKeyStoreCode
        guard let safes = PKCS12_unpack_authsafes(pkcs12) else { throw SignPeerError.invalidKeyStore }
        defer { signpeer_sk_PKCS7_pop_free(safes) }
        var reader = BagReader(password: password, decryptionFailure: decryptionFailure)
        for index in 0..<signpeer_sk_PKCS7_num(safes) {
            let safe = signpeer_sk_PKCS7_value(safes, index)
            let bags = switch signpeer_PKCS7_type_nid(safe) {
            case NID_pkcs7_data: PKCS12_unpack_p7data(safe)
            case NID_pkcs7_encrypted: PKCS12_unpack_p7encdata(safe, password, -1)
            default: throw SignPeerError.invalidKeyStore
            }
            guard let bags else { throw decryptionFailure }
            defer { signpeer_sk_PKCS12_SAFEBAG_pop_free(bags) }
            try reader.read(bags)
        }
        return try PKCS12KeyStore(entries: reader.entries())
    }
}

/// Collects the keys and certificates of a PKCS#12 file's safe bags, then pairs them up.
private struct BagReader {
    private struct Labels {
        var friendlyName: String?
        var localKeyID: [UInt8]?
    }

    let password: String
    let decryptionFailure: SignPeerError
    private var keys: [(key: PrivateKey, labels: Labels)] = []
    private var certificates: [(certificate: Certificate, labels: Labels)] = []

    init(password: String, decryptionFailure: SignPeerError) {
        self.password = password
        self.decryptionFailure = decryptionFailure
    }

    /// Reads one SafeContents, descending into nested ones; CRL, secret and unknown bags are
    /// skipped.
    mutating func read(_ bags: OpaquePointer) throws {
        for index in 0..<signpeer_sk_PKCS12_SAFEBAG_num(bags) {
            guard let bag = signpeer_sk_PKCS12_SAFEBAG_value(bags, index) else { throw SignPeerError.invalidKeyStore }
            switch PKCS12_SAFEBAG_get_nid(bag) {
            case NID_keyBag:
                keys.append((try Self.key(PKCS12_SAFEBAG_get0_p8inf(bag)), Self.labels(bag)))
            case NID_pkcs8ShroudedKeyBag:
                guard let info = PKCS12_decrypt_skey(bag, password, -1) else { throw decryptionFailure }
                defer { PKCS8_PRIV_KEY_INFO_free(info) }
                keys.append((try Self.key(info), Self.labels(bag)))
            case NID_certBag where PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate:
                certificates.append((try Self.certificate(bag), Self.labels(bag)))
            case NID_safeContentsBag:
                guard let nested = PKCS12_SAFEBAG_get0_safes(bag) else { throw SignPeerError.invalidKeyStore }
                try read(nested)
            default:
                continue
            }
        }
    }

    /// The entries by alias: each key with its leaf (the certificate with the key's
    /// `localKeyID`) and the leaf's CA certificates (those labelled with the alias but without a
    /// `localKeyID`, else those found by issuer among the unlabelled ones).
    func entries() throws -> [String: PKCS12KeyStore.Entry] {
        var entries: [String: PKCS12KeyStore.Entry] = [:]
        for (position, (key, labels)) in keys.enumerated() {
            let leaf = labels.localKeyID.flatMap { id in certificates.first { $0.labels.localKeyID == id } }
            let alias = labels.friendlyName ?? leaf?.labels.friendlyName ?? String(position + 1)
            guard entries[alias] == nil else {
                throw SignPeerError.invalidRequest("The key store holds more than one key with alias '\(alias)'.")
            }
            var chain: [Certificate] = []
            if let leaf {
                let labelled = certificates.filter { $0.labels.localKeyID == nil && $0.labels.friendlyName == alias }
                    .map(\.certificate)
                chain = [leaf.certificate] + (labelled.isEmpty ? issuers(of: leaf.certificate) : labelled)
            }
            entries[alias] = PKCS12KeyStore.Entry(key: key, certificateChain: chain)
        }
        return entries
    }

    /// The issuers of `certificate` up to a self-signed one, taken from the certificates that
    /// carry no labels at all.
    private func issuers(of certificate: Certificate) -> [Certificate] {
        let candidates = certificates.filter { $0.labels.localKeyID == nil && $0.labels.friendlyName == nil }
            .map(\.certificate)
        var chain = [certificate]
        while let last = chain.last, !last.isIssued(by: last),
            let issuer = candidates.first(where: { !chain.contains($0) && last.isIssued(by: $0) })
        {
            chain.append(issuer)
        }
        return Array(chain.dropFirst())
    }

    private static func key(_ info: OpaquePointer?) throws -> PrivateKey {
        guard let info, let pkey = EVP_PKCS82PKEY(info) else { throw SignPeerError.invalidKeyStore }
        do {
            return try PrivateKey(adopting: pkey)
        } catch {
            throw SignPeerError.invalidKeyStore
        }
    }

    private static func certificate(_ bag: OpaquePointer) throws -> Certificate {
        guard let x509 = PKCS12_SAFEBAG_get1_cert(bag) else { throw SignPeerError.invalidKeyStore }
        defer { X509_free(x509) }
        let length = i2d_X509(x509, nil)
        guard length > 0 else { throw SignPeerError.invalidKeyStore }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        guard written == length, let certificate = try? Certificate(derEncoded: der) else {
            throw SignPeerError.invalidKeyStore
        }
        return certificate
    }

    private static func labels(_ bag: OpaquePointer) -> Labels {
        var labels = Labels()
        // Decoded here rather than with PKCS12_get_friendlyname: OpenSSL 3.0's OPENSSL_uni2utf8
        // returns NULL for names with characters above U+07FF, such as `✓`.
        if let attribute = PKCS12_SAFEBAG_get0_attr(bag, NID_friendlyName),
            attribute.pointee.type == V_ASN1_BMPSTRING, let name = attribute.pointee.value.bmpstring
        {
            let bytes = UnsafeBufferPointer(start: name.pointee.data, count: Int(name.pointee.length))
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            // Some writers end the BMPString with a NUL character.
            labels.friendlyName = String(decoding: units.reversed().drop { $0 == 0 }.reversed(), as: UTF16.self)
        }
        if let attribute = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID),
            attribute.pointee.type == V_ASN1_OCTET_STRING, let id = attribute.pointee.value.octet_string
        {
            labels.localKeyID = Array(UnsafeBufferPointer(start: id.pointee.data, count: Int(id.pointee.length)))
        }
        return labels
    }
}
