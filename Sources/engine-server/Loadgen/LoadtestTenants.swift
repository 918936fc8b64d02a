import MediaEngine

/// The tenants a load test calls when no `--config` is given: one per language (he, en), model audio
/// path (pcmu, pcm24k) and barge-in detector (engine, model), each with its own phone number. The same
/// YAML is printed by `engine-server loadtest --print-tenants`, so a separately started
/// `engine-server serve --config` answers the same numbers.
enum LoadtestTenants {
    /// Environment variable holding the Twilio auth token of every load-test tenant (for `serve`).
    static let authTokenEnv = "KOL_LOADTEST_TWILIO_TOKEN"
    /// The model's silence window before it ends a caller's turn (`silence_duration_ms`) on every line.
    static let silenceDurationMs = 500

    /// One load-test line.
    struct Line: Sendable, Equatable {
        var language: String  // "he" or "en"
        var audioPath: ModelAudioPath
        var bargeIn: BargeInSource

        var id: String { "load-\(language)-\(audioPath.rawValue)-\(bargeIn.rawValue)" }

        /// +9723555901x (Hebrew) or +1555555090x (English); x numbers the path and detector.
        var number: String {
            let x = (audioPath == .pcmu ? 1 : 3) + (bargeIn == .engine ? 0 : 1)
            return language == "he" ? "+9723555901\(x)" : "+1555555090\(x)"
        }
    }

    static let lines: [Line] = ["he", "en"].flatMap { language in
        [ModelAudioPath.pcmu, .pcm24k].flatMap { path in
            [BargeInSource.engine, .model].map { Line(language: language, audioPath: path, bargeIn: $0) }
        }
    }

    /// The tenants as plugins.yaml text.
    static var yaml: String {
        var text = """
            # Load-test tenants for `engine-server loadtest` (printed by `engine-server loadtest --print-tenants`).
            # Every tenant reads its Twilio auth token from \(authTokenEnv).
            version: 1
            tenants:

            """
        for line in lines {
            let instructions = line.language == "he" ? "אתה עוזר טלפוני של מרפאת שיניים." : "You answer the phone for a dental clinic."
            text += """
                  - id: \(line.id)
                    display_name: "Load test \(line.language) \(line.audioPath.rawValue) \(line.bargeIn.rawValue)"
                    phone_numbers: ["\(line.number)"]
                    language: \(line.language)
                    twilio_auth_token_env: \(authTokenEnv)
                    model:
                      instructions: "\(instructions)"
                      audio_path: \(line.audioPath.rawValue)
                      barge_in: \(line.bargeIn.rawValue)
                      turn_detection:
                        type: server_vad
                        threshold: 0.5
                        prefix_padding_ms: 300
                        silence_duration_ms: \(silenceDurationMs)

                """
        }
        return text
    }

    /// The number of the line for `language`, `audioPath` and `bargeIn`.
    static func number(language: String, audioPath: ModelAudioPath, bargeIn: BargeInSource) -> String {
        Line(language: language, audioPath: audioPath, bargeIn: bargeIn).number
    }
}
