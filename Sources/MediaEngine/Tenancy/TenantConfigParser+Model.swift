import Yams

/// The `model:` section of a tenant. Only `instructions` is required; the rest has defaults:
///
/// ```yaml
/// model:
///   name: gpt-realtime            # default gpt-realtime
///   voice: marin                  # a known voice or a custom voice_… id
///   audio_path: pcmu              # pcmu | pcm24k
///   instructions: |
///     ...
///   greeting: "..."               # optional: what the agent says first
///   transcription: {model: gpt-4o-mini-transcribe, language: he}   # language defaults to the tenant's
///   turn_detection:
///     type: server_vad            # server_vad | semantic_vad
///     threshold: 0.5              # server_vad: threshold, prefix_padding_ms, silence_duration_ms, idle_timeout_ms
///     eagerness: auto             # semantic_vad only
///   barge_in: engine              # engine | model
/// ```
extension TenantConfigParser {
    static let modelKeys = [
        "name", "voice", "audio_path", "instructions", "greeting", "transcription", "turn_detection", "barge_in",
    ]
    static let transcriptionKeys = ["model", "language"]
    static let serverVADKeys = ["type", "threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"]
    static let semanticVADKeys = ["type", "eagerness"]

    /// The model settings at `node` (or the defaults when `node` is nil, after "is required" was reported).
    func modelSettings(_ node: Node?, path: String, language: TenantLanguage) -> ModelSettings {
        let defaultTranscription = TranscriptionSettings(model: ModelSettings.defaultTranscriptionModel, language: language.rawValue)
        guard let node, let fields = reader.mapping(node, path: path, allowedKeys: Self.modelKeys) else {
            return ModelSettings(
                name: ModelSettings.defaultName, voice: ModelSettings.defaultVoice, instructions: "", greeting: nil,
                audioPath: .pcmu, transcription: defaultTranscription, turnDetection: .serverVAD(.standard), bargeIn: .engine)
        }
        return ModelSettings(
            name: reader.string(fields, "name", required: false) ?? ModelSettings.defaultName,
            voice: voice(fields),
            instructions: reader.string(fields, "instructions", required: true) ?? "",
            greeting: reader.string(fields, "greeting", required: false),
            audioPath: reader.choice(fields, "audio_path", required: false, what: "a model audio path") ?? .pcmu,
            transcription: transcription(fields, default: defaultTranscription),
            turnDetection: turnDetection(fields),
            bargeIn: reader.choice(fields, "barge_in", required: false, what: "a barge-in source") ?? .engine)
    }

    private func voice(_ fields: ConfigReader.Mapping) -> String {
        guard let voice = reader.string(fields, "voice", required: false) else { return ModelSettings.defaultVoice }
        if !ModelSettings.knownVoices.contains(voice), !voice.hasPrefix("voice_"), let node = fields.values["voice"] {
            reader.report(node, field: fields.path("voice"), "'\(voice)' is not a Realtime voice"
                + ConfigReader.suggestion(for: voice, among: ModelSettings.knownVoices)
                + "; use one of: \(ModelSettings.knownVoices.joined(separator: ", ")), or a custom voice_… id")
        }
        return voice
    }

    private func transcription(_ fields: ConfigReader.Mapping, default standard: TranscriptionSettings) -> TranscriptionSettings {
        guard let node = fields.values["transcription"], !reader.isNull(node),
              let transcription = reader.mapping(node, path: fields.path("transcription"), allowedKeys: Self.transcriptionKeys)
        else { return standard }
        let language = reader.string(transcription, "language", required: false) ?? standard.language
        let isISO639 = language.utf8.count == 2 && language.utf8.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        if !isISO639, let languageNode = transcription.values["language"] {
            reader.report(languageNode, field: transcription.path("language"), "'\(language)' is not a two-letter ISO 639-1 code such as he or en")
        }
        return TranscriptionSettings(
            model: reader.string(transcription, "model", required: false) ?? standard.model, language: language)
    }

    private func turnDetection(_ fields: ConfigReader.Mapping) -> TurnDetection {
        guard let node = fields.values["turn_detection"], !reader.isNull(node) else { return .serverVAD(.standard) }
        let path = fields.path("turn_detection")
        // `type` decides which other keys are allowed, so read it before checking the keys.
        guard case .mapping(let rawFields) = node else {
            reader.report(node, field: path, "should be a mapping of 'key: value' lines")
            return .serverVAD(.standard)
        }
        let typeNode = rawFields["type"]
        let typeText = typeNode.flatMap { reader.isNull($0) ? nil : $0.scalar?.string } ?? "server_vad"
        switch typeText {
        case "semantic_vad":
            guard let semantic = reader.mapping(node, path: path, allowedKeys: Self.semanticVADKeys) else {
                return .semanticVAD(eagerness: .auto)
            }
            return .semanticVAD(eagerness: reader.choice(semantic, "eagerness", required: false, what: "an eagerness") ?? .auto)
        case "server_vad":
            let standard = TurnDetection.ServerVAD.standard
            guard let server = reader.mapping(node, path: path, allowedKeys: Self.serverVADKeys) else { return .serverVAD(standard) }
            return .serverVAD(.init(
                threshold: reader.double(server, "threshold", in: 0...1) ?? standard.threshold,
                prefixPaddingMs: reader.int(server, "prefix_padding_ms", in: 0...5_000) ?? standard.prefixPaddingMs,
                silenceDurationMs: reader.int(server, "silence_duration_ms", in: 0...10_000) ?? standard.silenceDurationMs,
                idleTimeoutMs: reader.int(server, "idle_timeout_ms", in: 1_000...600_000)))
        default:
            reader.report(typeNode ?? node, field: path + ".type", "'\(typeText)' is not a turn detection type; use one of: server_vad, semantic_vad")
            return .serverVAD(.standard)
        }
    }
}
