/// The `{id}` of `/peer/v1/keybindings/{id}`: a positive decimal integer. Anything else is a
/// 400 `invalid_request` (never a 500 or a crash).
public enum KeyBindingID {
    public static func parse(_ text: String?) throws -> Int {
        guard let text, (1...10).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let id = Int(text), id > 0, id <= Int(Int32.max)
        else {
            throw SignPeerError.invalidRequest("A key binding id is a positive integer.")
        }
        return id
    }
}
