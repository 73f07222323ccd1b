import CPKCS11
import Foundation

/// One checked-out session during one operation on an executor thread: the function list, the
/// session handle and the generation it belongs to. Never shared between threads (a PKCS#11
/// session is not thread-safe; SoftHSM crashes when two threads sign in one session).
struct PKCS11Session {
    let module: PKCS11Module
    let functions: CK_FUNCTION_LIST
    let handle: CK_SESSION_HANDLE
    let slot: CK_SLOT_ID
    let generation: Int

    func check(_ rv: CK_RV, _ function: String) throws {
        try module.check(rv, function, generation: generation)
    }

    /// Every object matching `template`.
    func find(_ template: [PKCS11Attribute]) throws -> [CK_OBJECT_HANDLE] {
        try template.withTemplate { pointer, count in
            try check(functions.C_FindObjectsInit!(handle, pointer, count), "C_FindObjectsInit")
        }
        var found: [CK_OBJECT_HANDLE] = []
        var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 64)
        do {
            while true {
                var count: CK_ULONG = 0
                try check(functions.C_FindObjects!(handle, &batch, CK_ULONG(batch.count), &count), "C_FindObjects")
                found += batch.prefix(Int(count))
                if count < CK_ULONG(batch.count) { break }
            }
        } catch {
            _ = functions.C_FindObjectsFinal!(handle)
            throw error
        }
        try check(functions.C_FindObjectsFinal!(handle), "C_FindObjectsFinal")
        return found
    }

    /// The value of one attribute; nil when the object has none or it is sensitive.
    func attribute(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws -> [UInt8]? {
        var query = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        let rv = functions.C_GetAttributeValue!(handle, object, &query, 1)
        if rv == CK.attributeSensitive || rv == CK.attributeTypeInvalid { return nil }
        try check(rv, "C_GetAttributeValue")
        guard query.ulValueLen != CK.unavailableInformation else { return nil }
        var value = [UInt8](repeating: 0, count: Int(query.ulValueLen))
        try value.withUnsafeMutableBytes { buffer in
            var read = CK_ATTRIBUTE(type: type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(buffer.count))
            try check(functions.C_GetAttributeValue!(handle, object, &read, 1), "C_GetAttributeValue")
        }
        return value
    }

    func bool(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws -> Bool? {
        try attribute(object, type).map { $0.first.map { $0 != 0 } ?? false }
    }

    func ulong(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws -> CK_ULONG? {
        guard let bytes = try attribute(object, type), bytes.count == MemoryLayout<CK_ULONG>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
    }

    /// SoftHSM answers CKR_GENERAL_ERROR, or misses objects, for a moment while its token's files
    /// are rewritten (by another process, or another session of this one: seen with four
    /// renewals of one token at once). Runs `attempt`, and again after 20 and 100 ms while
    /// `transient` holds for its answer; answers the last one.
    static func askingAgain<T>(_ attempt: () throws -> T, while transient: (T) -> Bool) rethrows -> T {
        var answer = try attempt()
        for pause: UInt32 in [20_000, 100_000] where transient(answer) {
            usleep(pause)
            answer = try attempt()
        }
        return answer
    }

    /// Token information of the session's slot, which also proves the token is still there.
    ///
    /// SoftHSM answers CKR_GENERAL_ERROR when the token's files are gone, and also, briefly, while
    /// another process rewrites them. So a general error is asked again twice (after 20 and
    /// 100 ms); only when it stays is it an outage.
    func tokenInfo() throws -> CK_TOKEN_INFO {
        var info = CK_TOKEN_INFO()
        let rv = Self.askingAgain({ functions.C_GetTokenInfo!(slot, &info) }, while: { $0 == CK_RV(0x05) })
        if rv == CK_RV(0x05) { module.reportOutage(PKCS11Error("C_GetTokenInfo", rv).description) }
        try check(rv, "C_GetTokenInfo")
        return info
    }
}

extension CK_TOKEN_INFO {
    /// The blank-padded, not NUL-terminated 32-byte label, trimmed.
    var labelText: String {
        withUnsafeBytes(of: label) { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: [" ", "\0"])
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var result = Substring(self)
        while let last = result.last, set.contains(last) { result.removeLast() }
        while let first = result.first, set.contains(first) { result.removeFirst() }
        return String(result)
    }
}
