import MediaEngine

/// The effective configuration of one simulated session: what `session.created` reports by default, what
/// `session.update` merges into (partial updates keep unnamed settings; `null` switches a setting off), and
/// the validation the real API applies to an update.
struct SimulatedSessionSettings {
    var model: String
    var instructions: String
    var outputModalities: [RealtimeOutputModality]
    var inputFormat: RealtimeAudioFormat
    var turnDetection: RealtimeTurnDetection
    var transcription: RealtimeInputTranscription
    var noiseReduction: RealtimeNoiseReduction
    var outputFormat: RealtimeAudioFormat
    var voice: RealtimeVoice
    /// Playback speed multiple (reported, not applied).
    var speed: Double
    var tools: [RealtimeFunctionTool]
    var toolChoice: RealtimeToolChoice
    var maxOutputTokens: RealtimeOutputTokenLimit

    /// The API's defaults: 24 kHz PCM both ways, server VAD on, no transcription, voice alloy.
    init(model: String) {
        self.model = model
        instructions = "You are a helpful, friendly assistant. Keep answers short."
        outputModalities = [.audio]
        inputFormat = .pcm24kHz
        turnDetection = .serverVAD(.init(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500,
                                         createResponse: true, interruptResponse: true))
        transcription = .disabled
        noiseReduction = .disabled
        outputFormat = .pcm24kHz
        voice = .alloy
        speed = 1.0
        tools = []
        toolChoice = .auto
        maxOutputTokens = .unlimited
    }

    /// A rejected update: the `error` event's code, message and param.
    struct Rejection: Error, Equatable {
        var code: String
        var message: String
        var param: String
    }

    /// The settings after `update`, or why the API would refuse it (then nothing changes).
    /// `assistantAudioProduced`: the voice is fixed once the model has spoken.
    func merged(with update: RealtimeSessionConfig, assistantAudioProduced: Bool) throws(Rejection) -> SimulatedSessionSettings {
        var next = self
        guard update.type == .realtime else {
            throw Rejection(code: "invalid_value", message: "This simulator supports only realtime sessions; session.type must be 'realtime'.",
                            param: "session.type")
        }
        if let instructions = update.instructions { next.instructions = instructions }
        if let modalities = update.outputModalities {
            guard modalities == [.audio] || modalities == [.text] else {
                throw Rejection(code: "invalid_value",
                                message: "Invalid 'session.output_modalities': supported combinations are ['audio'] and ['text'].",
                                param: "session.output_modalities")
            }
            next.outputModalities = modalities
        }
        if let input = update.audio?.input {
            if let format = input.format { next.inputFormat = format }
            if let detection = input.turnDetection {
                try Self.validate(detection)
                next.turnDetection = detection
            }
            if let transcription = input.transcription { next.transcription = transcription }
            if let noiseReduction = input.noiseReduction { next.noiseReduction = noiseReduction }
        }
        if let output = update.audio?.output {
            if let format = output.format { next.outputFormat = format }
            if let voice = output.voice, voice != next.voice {
                guard !assistantAudioProduced else {
                    throw Rejection(code: "cannot_update_voice",
                                    message: "Cannot update a conversation's voice if assistant audio is present.",
                                    param: "session.audio.output.voice")
                }
                next.voice = voice
            }
            if let speed = output.speed {
                guard (0.25...1.5).contains(speed) else {
                    throw Rejection(code: "invalid_value", message: "Invalid 'session.audio.output.speed': \(speed) is not in 0.25...1.5.",
                                    param: "session.audio.output.speed")
                }
                next.speed = speed
            }
        }
        if let tools = update.tools { next.tools = tools }
        if let toolChoice = update.toolChoice { next.toolChoice = toolChoice }
        if let limit = update.maxOutputTokens {
            if case .tokens(let n) = limit, !(1...4096).contains(n) {
                throw Rejection(code: "invalid_value", message: "Invalid 'session.max_output_tokens': \(n) is not in 1...4096 or \"inf\".",
                                param: "session.max_output_tokens")
            }
            next.maxOutputTokens = limit
        }
        // `model` is fixed by the connection URL; an update naming one is accepted and ignored.
        return next
    }

    private static func validate(_ detection: RealtimeTurnDetection) throws(Rejection) {
        guard case .serverVAD(let vad) = detection else { return }
        guard (0...1).contains(vad.threshold) else {
            throw Rejection(code: "invalid_value", message: "Invalid 'threshold': \(vad.threshold) is not in 0...1.",
                            param: "session.audio.input.turn_detection.threshold")
        }
        guard vad.prefixPaddingMs >= 0, vad.silenceDurationMs >= 0 else {
            throw Rejection(code: "invalid_value", message: "Invalid turn detection: durations must not be negative.",
                            param: "session.audio.input.turn_detection")
        }
    }

    /// The detector settings and response policy of the current turn detection; nil when turns are
    /// manual. Semantic VAD is approximated by energy VAD with an eagerness-dependent silence and no
    /// prefix padding (`audio_start_ms` is where speech was found): the API documents
    /// `prefix_padding_ms` as a server VAD setting only, and the engine takes semantic VAD's
    /// `audio_start_ms` at face value (`TurnDetection.speechStartPaddingMs`).
    var vad: (settings: SimulatedTurnDetector.Settings, createResponse: Bool, interruptResponse: Bool)? {
        switch turnDetection {
        case .disabled:
            return nil
        case .serverVAD(let vad):
            return (.init(threshold: vad.threshold, prefixPaddingMs: vad.prefixPaddingMs, silenceDurationMs: vad.silenceDurationMs),
                    vad.createResponse, vad.interruptResponse)
        case .semanticVAD(let vad):
            let silenceMs: Int
            switch vad.eagerness {
            case .low: silenceMs = 1000
            case .medium, .auto: silenceMs = 600
            case .high: silenceMs = 300
            }
            return (.init(threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: silenceMs), vad.createResponse, vad.interruptResponse)
        }
    }

    /// `audio.input.transcription.language`, when transcription is on and names one.
    var transcriptionLanguage: String? {
        if case .enabled(let settings) = transcription { return settings.language }
        return nil
    }

    var transcriptionEnabled: Bool {
        if case .enabled = transcription { return true }
        return false
    }

    /// The full session object as `session.created` / `session.updated` carry it.
    func json(sessionID: String, expiresAt: Int) throws(RealtimeEventEncodingError) -> JSONValue {
        let config = RealtimeSessionConfig(
            type: .realtime, model: model, instructions: instructions, outputModalities: outputModalities,
            audio: RealtimeAudioConfig(
                input: .init(format: inputFormat, turnDetection: turnDetection, transcription: transcription,
                             noiseReduction: noiseReduction),
                output: .init(format: outputFormat, voice: voice, speed: speed)),
            tools: tools, toolChoice: toolChoice, maxOutputTokens: maxOutputTokens)
        guard case .object(var members) = try JSONValue(encoding: config) else { return .null }
        members["object"] = "realtime.session"
        members["id"] = .string(sessionID)
        members["expires_at"] = .number(Double(expiresAt))
        members["include"] = .null
        members["tracing"] = .null
        members["prompt"] = .null
        return .object(members)
    }
}
