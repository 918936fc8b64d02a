/// What a synthetic caller does, step by step. Audio is 8 kHz mu-law, sent in real time.
struct CallScript: Sendable {
    enum Step: Sendable {
        /// Speak this audio.
        case say(name: String, audio: [UInt8])
        /// Stay silent this long.
        case pause(ms: Int)
        /// Stay silent until the bot has answered and finished speaking (or `timeoutMs` passes).
        case waitForBot(timeoutMs: Int)
        /// Wait until the bot's audio has been playing for `afterBotMs`, then speak over it.
        case bargeIn(name: String, audio: [UInt8], afterBotMs: Int, timeoutMs: Int)
        /// Press a key (Twilio sends a `dtmf` message).
        case dtmf(Character)
        /// Send this text as is (tests of malformed input).
        case sendRaw(String)
        /// Hang up (Twilio sends `stop` and closes the stream).
        case hangUp
    }

    var steps: [Step]
}
