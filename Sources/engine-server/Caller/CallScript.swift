/// What a synthetic caller does, step by step. Audio is 8 kHz mu-law, sent in real time.
struct CallScript: Sendable {
    enum Step: Sendable {
        /// Speak this utterance.
        case speak(Utterance)
        /// Stay silent this long.
        case pause(ms: Int)
        /// Stay silent until the bot has answered and finished speaking (or `timeoutMs` passes: the turn
        /// counts as unanswered).
        case waitForBot(timeoutMs: Int)
        /// Wait until the bot's audio has been playing for `afterBotMs`, then speak over it.
        case interrupt(Utterance, afterBotMs: Int, timeoutMs: Int)
        /// Wait until the bot's audio has been playing for `afterBotMs` (a hang-up while it talks).
        case waitForBotSpeaking(afterBotMs: Int, timeoutMs: Int)
        /// Press a key (Twilio sends a `dtmf` message).
        case dtmf(Character)
        /// Send this text as is (tests of malformed input).
        case sendRaw(String)
        /// Hang up (Twilio sends `stop` and closes the stream).
        case hangUp

        /// Speak `audio` (8 kHz mu-law).
        static func say(name: String, audio: [UInt8]) -> Step { .speak(Utterance(name: name, muLaw: audio)) }

        /// Wait until the bot has spoken for `afterBotMs`, then speak `audio` over it.
        static func bargeIn(name: String, audio: [UInt8], afterBotMs: Int, timeoutMs: Int) -> Step {
            .interrupt(Utterance(name: name, muLaw: audio), afterBotMs: afterBotMs, timeoutMs: timeoutMs)
        }
    }

    var steps: [Step]
}
