/// What the simulated model "hears" and says: per language, a greeting and a cycle of turns (what the
/// caller is pretended to have said, and the reply), plus rules that make it call a function instead of,
/// or after, replying. Codable, so a test or a load profile can load one from JSON.
///
/// How a response is chosen (see `SimulatedSession`): after a `function_call_output` answering a call made
/// by a rule, the rule's `followUp`; otherwise, if a rule matches the latest user utterance (and the
/// session declares that tool), the call; otherwise, before the caller's first audio turn, the greeting;
/// otherwise the reply of the current audio turn (turn `n` uses `turns[n % turns.count]`).
public struct SimulatorScript: Sendable, Hashable, Codable {
    /// The language used when the session names none (`audio.input.transcription.language`) or names one
    /// the script lacks.
    public var defaultLanguage: String
    /// Keyed by language code ("he", "en").
    public var languages: [String: Conversation]
    /// Checked in order; the first match wins.
    public var functionCalls: [FunctionCallRule]

    public init(defaultLanguage: String, languages: [String: Conversation], functionCalls: [FunctionCallRule] = []) {
        self.defaultLanguage = defaultLanguage
        self.languages = languages
        self.functionCalls = functionCalls
    }

    /// One language's conversation.
    public struct Conversation: Sendable, Hashable, Codable {
        /// Said when a response is asked for before the caller has spoken (the "AI speaks first" opening).
        public var greeting: Reply
        /// Cycled through, one per committed user audio turn. Must not be empty.
        public var turns: [Turn]

        public init(greeting: Reply, turns: [Turn]) {
            self.greeting = greeting
            self.turns = turns
        }
    }

    /// One caller turn: what the simulator pretends it heard, and what it answers.
    public struct Turn: Sendable, Hashable, Codable {
        /// The scripted transcript of the caller's audio (sent as the input transcription, matched by rules).
        public var heard: String
        public var reply: Reply

        public init(heard: String, reply: Reply) {
            self.heard = heard
            self.reply = reply
        }
    }

    /// A spoken reply: a bot clip (`SpeechClips`, in the session's language) is its audio, and the clip's
    /// own text its transcript unless `text` overrides it. Naming only the clip keeps one reply valid in
    /// every language (a rule's `followUp`).
    public struct Reply: Sendable, Hashable, Codable {
        /// A `SpeechClips` bot clip name, for example "greeting".
        public var clip: String
        /// The transcript sent with the audio; nil uses the clip's text.
        public var text: String?

        public init(clip: String, text: String? = nil) {
            self.clip = clip
            self.text = text
        }
    }

    /// Makes the model call `name` when a user utterance contains one of `keywords` (case-insensitive) or
    /// is the `onTurn`-th audio turn. Fires at most once per utterance, and only when the session (or the
    /// response) declares a function tool of that name and `tool_choice` is not "none", as a real model
    /// can only call declared tools.
    public struct FunctionCallRule: Sendable, Hashable, Codable {
        public var name: String
        /// The call's arguments, JSON text.
        public var arguments: String
        public var keywords: [String]
        /// 1-based number of the audio turn that triggers the call.
        public var onTurn: Int?
        /// True: the response first speaks the turn's reply, then calls (how `end_call` goes: "goodbye",
        /// then hang up). False: the call is the whole response.
        public var speakReplyFirst: Bool
        /// Spoken after the client answers the call (`function_call_output` + `response.create`); nil makes
        /// that response empty.
        public var followUp: Reply?

        public init(name: String, arguments: String = "{}", keywords: [String] = [], onTurn: Int? = nil,
                    speakReplyFirst: Bool = false, followUp: Reply? = nil) {
            self.name = name
            self.arguments = arguments
            self.keywords = keywords
            self.onTurn = onTurn
            self.speakReplyFirst = speakReplyFirst
            self.followUp = followUp
        }

        private enum CodingKeys: String, CodingKey {
            case name, arguments, keywords, onTurn, speakReplyFirst, followUp
        }

        /// Absent members take the `init` defaults, so hand-written JSON stays short.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            arguments = try c.decodeIfPresent(String.self, forKey: .arguments) ?? "{}"
            keywords = try c.decodeIfPresent([String].self, forKey: .keywords) ?? []
            onTurn = try c.decodeIfPresent(Int.self, forKey: .onTurn)
            speakReplyFirst = try c.decodeIfPresent(Bool.self, forKey: .speakReplyFirst) ?? false
            followUp = try c.decodeIfPresent(Reply.self, forKey: .followUp)
        }

        /// True when this rule fires for `utterance`, the `audioTurn`-th audio turn (nil for typed text).
        func matches(utterance: String, audioTurn: Int?) -> Bool {
            if let onTurn, onTurn == audioTurn { return true }
            let heard = utterance.lowercased()
            return keywords.contains { !$0.isEmpty && heard.contains($0.lowercased()) }
        }
    }

    /// The conversation for `language`, falling back to `defaultLanguage`; nil only for a script without
    /// either (rejected by `validate`).
    func conversation(for language: String?) -> (language: String, conversation: Conversation)? {
        if let language, let conversation = languages[language] { return (language, conversation) }
        return languages[defaultLanguage].map { (defaultLanguage, $0) }
    }

    /// Checks that the default language exists, every conversation has turns, and every reply names a bot
    /// clip that `clips` has in that language. Throws naming the first problem.
    public func validate(against clips: SpeechClips) throws(SimulatorScriptError) {
        guard languages[defaultLanguage] != nil else { throw .missingDefaultLanguage(defaultLanguage) }
        for (language, conversation) in languages.sorted(by: { $0.key < $1.key }) {
            guard !conversation.turns.isEmpty else { throw .noTurns(language: language) }
            var replies = [conversation.greeting] + conversation.turns.map(\.reply)
            replies += functionCalls.compactMap(\.followUp)
            for reply in replies where clips.clip(reply.clip, language: language, role: .bot) == nil {
                // A rule's follow-up must exist in every language the script speaks.
                throw .unknownClip(name: reply.clip, language: language)
            }
        }
    }
}

/// Why a `SimulatorScript` cannot be used. Fix the script (or render the missing clip with
/// scripts/render-speech-clips.sh).
public enum SimulatorScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingDefaultLanguage(String)
    case noTurns(language: String)
    case unknownClip(name: String, language: String)

    public var description: String {
        switch self {
        case .missingDefaultLanguage(let language):
            return "simulator script: the default language '\(language)' has no conversation"
        case .noTurns(let language):
            return "simulator script: the '\(language)' conversation has no turns"
        case .unknownClip(let name, let language):
            return "simulator script: no bot clip '\(name)' in language '\(language)'; see SpeechClips or scripts/render-speech-clips.sh"
        }
    }
}
