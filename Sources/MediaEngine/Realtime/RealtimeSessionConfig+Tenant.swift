extension RealtimeSessionConfig {
    /// The tools every call offers the model; the engine carries them out itself.
    public static let engineTools: [RealtimeFunctionTool] = [
        RealtimeFunctionTool(
            name: "end_call",
            description: "Hang up the phone call. Call this only after you have said goodbye to the caller.",
            parameters: ["type": "object", "properties": [:], "required": []]
        ),
    ]

    /// The first `session.update` for a call of `tenant`: instructions, voice, the audio formats of the
    /// tenant's model audio path, turn detection with `create_response` and `interrupt_response` set
    /// explicitly, input transcription in the tenant's language, and the engine's tools.
    public static func forCall(of tenant: TenantConfig) -> RealtimeSessionConfig {
        let model = tenant.model
        let format: RealtimeAudioFormat = model.audioPath == .pcmu ? .pcmu : .pcm24kHz
        let turnDetection: RealtimeTurnDetection
        switch model.turnDetection {
        case .serverVAD(let vad):
            turnDetection = .serverVAD(.init(
                threshold: vad.threshold, prefixPaddingMs: vad.prefixPaddingMs, silenceDurationMs: vad.silenceDurationMs,
                createResponse: true, interruptResponse: true, idleTimeoutMs: vad.idleTimeoutMs))
        case .semanticVAD(let eagerness):
            turnDetection = .semanticVAD(.init(
                eagerness: RealtimeTurnDetection.SemanticVAD.Eagerness(rawValue: eagerness.rawValue) ?? .auto,
                createResponse: true, interruptResponse: true))
        }
        let voice: RealtimeVoice = model.voice.hasPrefix("voice_") ? .custom(id: model.voice) : .named(model.voice)
        return RealtimeSessionConfig(
            type: .realtime,
            model: model.name,
            instructions: model.instructions,
            outputModalities: [.audio],
            audio: RealtimeAudioConfig(
                input: .init(format: format, turnDetection: turnDetection,
                             transcription: .model(model.transcription.model, language: model.transcription.language)),
                output: .init(format: format, voice: voice)
            ),
            tools: engineTools,
            toolChoice: .auto
        )
    }
}
