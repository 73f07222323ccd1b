import SignPeerCore

/// SPEC §3: a property value without surrounding whitespace, or `nil` when it counts as absent
/// (unset, empty or whitespace only).
func presentValue(_ value: String?) -> String? {
    guard let trimmed = value?.trimmingWhitespace(), !trimmed.isEmpty else { return nil }
    return trimmed
}
