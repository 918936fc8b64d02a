/// `output_modalities`: what the model answers with. `audio` means audio plus its transcript; `text` means
/// text only. The API refuses both at once.
public enum RealtimeOutputModality: String, Sendable, Hashable, Codable {
    case audio
    case text
}
