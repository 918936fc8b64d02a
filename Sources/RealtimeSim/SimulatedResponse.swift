import MediaEngine

/// The state of one response while it streams: what it will say or call (planned up front), and how far
/// it has got. `SimulatedSession` advances it one slice at a time between its pacing pauses.
struct SimulatedResponse {
    /// One output item of the response.
    enum Part {
        /// An assistant message: audio (nil for a text-only session) and its transcript.
        case message(transcript: String, audio: ReplyAudio?)
        case functionCall(name: String, arguments: String, callID: String)
    }

    struct Output {
        let itemID: String
        let part: Part
        /// The transcript cut into one piece per audio delta (or a few text deltas); concatenated they give
        /// the transcript exactly.
        let pieces: [String]
    }

    let id: String
    /// False for out-of-band responses (`conversation: "none"`): their items never enter the conversation.
    let inConversation: Bool
    let metadata: [String: String]?
    let outputs: [Output]
    /// Where streaming stands: the output being produced, whether its `added` events went out, the next
    /// delta of it.
    var outputIndex = 0
    var itemStarted = false
    var chunkIndex = 0
    /// The current message's transcript sent so far.
    var transcriptSoFar = ""
    /// Items finished (or cut short by cancellation), for `response.done`.
    var finished: [RealtimeItem] = []
    /// Reply audio delivered by this response, ms.
    var audioSentMs = 0
    var outputTextChars = 0

    init(id: String, inConversation: Bool, metadata: [String: String]?, outputs: [Output]) {
        self.id = id
        self.inConversation = inConversation
        self.metadata = metadata
        self.outputs = outputs
    }

    /// Splits `text` into `count` pieces at word boundaries, spreading the words evenly (some pieces may be
    /// empty when there are more pieces than words). The pieces concatenate to `text`.
    static func pieces(of text: String, count: Int) -> [String] {
        let words = words(of: text)
        let n = max(1, count)
        return (0..<n).map { k in
            words[(words.count * k / n)..<(words.count * (k + 1) / n)].joined()
        }
    }

    /// The transcript a client hears up to `audioEndMs` of `fullMs`: the whole words that fit the same
    /// share of the text, without trailing space.
    static func prefix(of text: String, audioEndMs: Int, fullMs: Int) -> String {
        guard fullMs > 0, audioEndMs < fullMs else { return text }
        let budget = text.count * max(0, audioEndMs) / fullMs
        var kept = ""
        for word in words(of: text) {
            guard kept.count + word.trimmingTrailingSpaces.count <= budget else { break }
            kept += word
        }
        return kept.trimmingTrailingSpaces
    }

    /// Words with their trailing spaces attached, so that they concatenate back to `text`.
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inSpace = false
        for ch in text {
            if ch == " " {
                inSpace = true
            } else if inSpace {
                words.append(current)
                current = ""
                inSpace = false
            }
            current.append(ch)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
