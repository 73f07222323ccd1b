import CPKCS11
import SignPeerCore

/// Which slot a token uses, as SignServer's `SLOTLABELTYPE`/`SLOTLABELVALUE` say (SPEC §6.1).
/// SoftHSM derives slot numbers from token serials and sorts slots by them, so numbers and
/// indexes change when tokens are re-created; `SLOT_LABEL` is the stable choice.
public enum PKCS11SlotSelector: Sendable, Hashable, CustomStringConvertible {
    /// `SLOT_NUMBER`: the slot ID.
    case number(CK_SLOT_ID)
    /// `SLOT_INDEX`: the position in the list of slots with a token (`i0` or `0`).
    case index(Int)
    /// `SLOT_LABEL`: the token label (at most 32 characters).
    case label(String)

    /// - Throws: ``SignPeerError`` `.invalidProperty` naming the property and value.
    public init(type: String?, value: String?) throws {
        guard let type = type?.trimmingWhitespace(), !type.isEmpty else {
            throw SignPeerError(.invalidProperty, "PKCS11CryptoToken needs SLOTLABELTYPE (SLOT_NUMBER, SLOT_INDEX or SLOT_LABEL).")
        }
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else {
            throw SignPeerError(.invalidProperty, "PKCS11CryptoToken needs SLOTLABELVALUE.")
        }
        switch type.uppercased() {
        case "SLOT_NUMBER":
            guard let number = CK_SLOT_ID(value) else {
                throw SignPeerError(.invalidProperty, "SLOTLABELVALUE '\(value.prefix(64))' is not a slot number.")
            }
            self = .number(number)
        case "SLOT_INDEX":
            let digits = value.hasPrefix("i") || value.hasPrefix("I") ? String(value.dropFirst()) : value
            guard let index = Int(digits), index >= 0 else {
                throw SignPeerError(.invalidProperty, "SLOTLABELVALUE '\(value.prefix(64))' is not a slot index (i0 or 0).")
            }
            self = .index(index)
        case "SLOT_LABEL":
            guard value.utf8.count <= 32 else {
                throw SignPeerError(.invalidProperty, "SLOTLABELVALUE '\(value.prefix(64))' is longer than a token label (32).")
            }
            self = .label(value)
        default:
            throw SignPeerError(
                .invalidProperty, "SLOTLABELTYPE '\(type.prefix(32))' is not SLOT_NUMBER, SLOT_INDEX or SLOT_LABEL.")
        }
    }

    public var description: String {
        switch self {
        case .number(let number): "SLOT_NUMBER \(number)"
        case .index(let index): "SLOT_INDEX i\(index)"
        case .label(let label): "SLOT_LABEL '\(label)'"
        }
    }

    /// The slot among the module's slots with a token; runs on an executor thread.
    func resolve(functions: CK_FUNCTION_LIST, module: PKCS11Module, generation: Int) throws -> CK_SLOT_ID {
        var count: CK_ULONG = 0
        try module.check(functions.C_GetSlotList!(1, nil, &count), "C_GetSlotList", generation: generation)
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try module.check(functions.C_GetSlotList!(1, &slots, &count), "C_GetSlotList", generation: generation)
        slots = Array(slots.prefix(Int(count)))
        let found: CK_SLOT_ID?
        switch self {
        case .number(let number): found = slots.contains(number) ? number : nil
        case .index(let index): found = index < slots.count ? slots[index] : nil
        case .label(let label):
            found = slots.first { slot in
                var info = CK_TOKEN_INFO()
                // A slot whose token is unreadable is simply not this one.
                return functions.C_GetTokenInfo!(slot, &info) == CK.ok && info.labelText == label
            }
        }
        guard let found else {
            throw SignPeerError.pkcs11Offline("no token with \(self) in the module")
        }
        return found
    }
}
