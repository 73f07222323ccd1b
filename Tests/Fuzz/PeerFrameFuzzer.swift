// libFuzzer entry point for the peer-protocol codec (Shared/PeerProtocol), compiled together
// with the codec's sources into one module by `run.sh`; not a SwiftPM target, so the normal
// `swift build` never sees it.
//
// Every input is read as a data section and as UPDATE PEM text, then decoded as a frame and,
// whatever its type name says, by every typed decoder.
// A decoded message must re-encode to bytes that decode to the same message. Any trap, any
// out-of-bounds read (AddressSanitizer) or a failed round trip aborts the run.

private func check<Message: PeerMessage>(_ frame: PeerFrame, as type: Message.Type) {
    var renamed = frame
    renamed.typeName = Message.typeName
    guard let message = try? renamed.message(as: type) else { return }
    guard let bytes = try? PeerFrame(message, sourceId: frame.sourceId, messageId: frame.messageId).encoded(),
        let again = try? PeerFrame(decoding: bytes), let decoded = try? again.message(as: type), decoded == message
    else { fatalError("\(Message.typeName) did not survive a round trip") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    var reader = PeerDataReader(bytes)
    _ = try? reader.readStringList("list")
    _ = PEMBlocks.canonical(label: "CERTIFICATE", bodies: PEMBlocks.bodies(label: "CERTIFICATE", in: bytes))
    guard let frame = try? PeerFrame(decoding: bytes) else { return 0 }
    guard let encoded = try? frame.encoded(), (try? PeerFrame(decoding: encoded)) == frame else {
        if frame.typeName.utf8.count <= PeerFrame.maximumTypeNameLength { fatalError("frame did not survive a round trip") }
        return 0
    }
    check(frame, as: Ping.self)
    check(frame, as: GenericErrorResponse.self)
    check(frame, as: AuthorizationCheck.self)
    check(frame, as: AuthorizationCheckResponse.self)
    check(frame, as: KeyBindingStatusResponse.self)
    check(frame, as: PrepareRenewal.self)
    check(frame, as: PrepareRenewalResponse.self)
    check(frame, as: KeyBindingUpdate.self)
    return 0
}
