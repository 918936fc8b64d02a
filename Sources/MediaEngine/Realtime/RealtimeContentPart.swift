/// One content part of a message item, or the `part` of `response.content_part.added/.done`.
///
/// Types seen: `input_text`, `input_audio` (user/system), `output_text`, `output_audio` (assistant items),
/// and `text` / `audio` in content-part events. Which optional member is set depends on the type.
public struct RealtimeContentPart: Sendable, Hashable, Codable {
    public var type: String
    /// Text parts.
    public var text: String?
    /// Audio parts: the transcript of the audio.
    public var transcript: String?
    /// Audio parts: base64 audio (rarely present; the server streams audio as deltas instead).
    public var audio: String?

    public init(type: String, text: String? = nil, transcript: String? = nil, audio: String? = nil) {
        self.type = type
        self.text = text
        self.transcript = transcript
        self.audio = audio
    }

    /// `{"type":"input_text","text":…}`: user or system text.
    public static func inputText(_ text: String) -> RealtimeContentPart { RealtimeContentPart(type: "input_text", text: text) }

    /// `{"type":"output_text","text":…}`: assistant text.
    public static func outputText(_ text: String) -> RealtimeContentPart { RealtimeContentPart(type: "output_text", text: text) }
}
