/// The model's per-token text streams: `response.output_audio_transcript.delta` (the bot's words, about
/// as many a second as it speaks), `response.output_text.delta`, `response.function_call_arguments.delta`
/// and `conversation.item.input_audio_transcription.delta`. A call uses none of them: it takes each text
/// whole from the matching `.done` event. So the engine recognizes them without `JSONDecoder` and
/// drops them, which on a real session is as many events as the audio deltas.
///
/// `matches` checks the whole frame's JSON grammar (UTF-8 included) and that its one `type` is one of
/// these, with a string `delta`; it does not check the other members, which the call never reads.
public enum TextDeltaFrame {
    /// The event types recognized, in the order they are tried.
    static let types: [StaticString] = [
        "response.output_audio_transcript.delta", "response.output_text.delta",
        "response.function_call_arguments.delta", "conversation.item.input_audio_transcription.delta",
    ]

    /// True when `bytes` is one JSON object of a text-delta type (see the type's notes).
    public static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var scanner = JSONObjectScanner(bytes)
        var sawType = false  // and it was a text-delta type: any other ends the scan
        var sawDelta = false
        while let member = scanner.next() {
            guard !member.keyEscaped else { return false }
            if JSONObjectScanner.bytes(bytes, in: member.key, equal: "type") {
                guard !sawType, case .string(let r) = member.value,
                      types.contains(where: { JSONObjectScanner.bytes(bytes, in: r, equal: $0) }) else { return false }
                sawType = true
            } else if JSONObjectScanner.bytes(bytes, in: member.key, equal: "delta") {
                switch member.value {
                case .string, .escapedString: guard !sawDelta else { return false }
                default: return false
                }
                sawDelta = true
            }
        }
        return scanner.finished && sawType && sawDelta
    }

    /// `matches` over an array (tests, cold paths).
    public static func matches(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { matches($0) }
    }
}
