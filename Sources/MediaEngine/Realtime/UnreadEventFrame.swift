/// Model events a call never reads, recognized without `JSONDecoder` and dropped:
///
/// - The per-token text streams: `response.output_audio_transcript.delta` (the bot's words, about as
///   many a second as it speaks), `response.output_text.delta`, `response.function_call_arguments.delta`
///   and `conversation.item.input_audio_transcription.delta`. The call takes each text whole from the
///   matching `.done` event. On a real session they are as many events as the audio deltas.
/// - The lifecycle events around each item the call does not act on (it acts on `response.created`,
///   `response.done`, the `.done` of transcripts and function calls, `speech_started`, `committed`,
///   `error` and the session events): about ten per answer, each one `JSONDecoder` pass over an item
///   the call has no use for.
///
/// `matches` checks the whole frame's JSON grammar (UTF-8 included) and that its one `type` is one of
/// these (a text delta with a string `delta`); it does not check the other members, which the call
/// never reads.
public enum UnreadEventFrame {
    /// The per-token text streams, in the order they are tried.
    static let textDeltaTypes: [StaticString] = [
        "response.output_audio_transcript.delta", "response.output_text.delta",
        "response.function_call_arguments.delta", "conversation.item.input_audio_transcription.delta",
    ]
    /// Lifecycle events the call ignores, most frequent first.
    static let lifecycleTypes: [StaticString] = [
        "response.output_item.added", "response.output_item.done", "conversation.item.added", "conversation.item.done",
        "response.content_part.added", "response.content_part.done", "response.output_audio.done",
        "input_audio_buffer.speech_stopped", "rate_limits.updated", "response.output_text.done",
        "conversation.item.created", "conversation.item.truncated", "conversation.item.deleted", "input_audio_buffer.cleared",
    ]

    private enum Kind { case textDelta, lifecycle }

    /// True when `bytes` is one JSON object of a type the call never reads (see the type's notes).
    public static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var scanner = JSONObjectScanner(bytes)
        var kind: Kind?  // the frame's type, once seen: any type the call reads ends the scan
        var sawDelta = false
        while let member = scanner.next() {
            guard !member.keyEscaped else { return false }
            if JSONObjectScanner.bytes(bytes, in: member.key, equal: "type") {
                guard kind == nil, case .string(let r) = member.value else { return false }
                if textDeltaTypes.contains(where: { JSONObjectScanner.bytes(bytes, in: r, equal: $0) }) {
                    kind = .textDelta
                } else if lifecycleTypes.contains(where: { JSONObjectScanner.bytes(bytes, in: r, equal: $0) }) {
                    kind = .lifecycle
                } else {
                    return false
                }
            } else if JSONObjectScanner.bytes(bytes, in: member.key, equal: "delta") {
                switch member.value {
                case .string, .escapedString: guard !sawDelta else { return false }
                default: if kind != .lifecycle { return false }
                }
                sawDelta = true
            }
        }
        guard scanner.finished, let kind else { return false }
        return kind == .lifecycle || sawDelta
    }

    /// `matches` over an array (tests, cold paths).
    public static func matches(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { matches($0) }
    }
}
