import MediaEngine

/// Twilio's side of the bot's audio, as the synthetic caller models it: received audio waits in a
/// buffer and plays in real time; a mark is echoed only when the audio queued before it has played;
/// `clear` drops everything unplayed and echoes every pending mark at once.
///
/// It also knows the truth the engine's truncation is judged against: how much of the item being heard
/// has really played. The engine names marks `"<generation>:<item>:<endMs>"` (the item's audio sent up
/// to the mark) and marks every item boundary, so the first pending mark tells the item playing, and
/// its position minus the unplayed audio before it is what was heard.
struct PlayoutBuffer {
    /// Unplayed mu-law bytes.
    private(set) var queued = 0
    /// Pending marks: bytes that must play before each is echoed, with its name.
    private var marks: [(afterBytes: Int, name: String)] = []
    /// Bytes played in total.
    private(set) var playedBytes = 0

    mutating func receiveAudio(bytes: Int) { queued += bytes }

    mutating func receiveMark(_ name: String) {
        marks.append((queued, name))
    }

    /// Plays `bytes` (one 20 ms tick is 160); returns the marks to echo now, in order.
    mutating func play(bytes: Int) -> [String] {
        let played = min(bytes, queued)
        queued -= played
        playedBytes += played
        var echoes: [String] = []
        while let first = marks.first, first.afterBytes <= played {
            echoes.append(first.name)
            marks.removeFirst()
        }
        for i in marks.indices { marks[i].afterBytes -= played }
        return echoes
    }

    /// `clear`: drops unplayed audio; returns every pending mark (echoed at once, as Twilio does).
    mutating func clear() -> [String] {
        queued = 0
        let echoes = marks.map(\.name)
        marks.removeAll()
        return echoes
    }

    /// The item being heard and how much of it (ms) has really played, `sinceTickMs` into the current
    /// 20 ms tick; nil when nothing of ours is playing.
    func heard(sinceTickMs: Double) -> (item: String, ms: Int)? {
        guard let first = marks.first else { return nil }
        let parts = first.name.split(separator: ":")
        guard parts.count >= 3, let endMs = Int(parts[parts.count - 1]) else { return nil }
        let item = parts[1..<(parts.count - 1)].joined(separator: ":")
        let unplayedMs = Double(first.afterBytes) / 8 - min(max(sinceTickMs, 0), 20)
        return (item, max(0, Int((Double(endMs) - max(0, unplayedMs)).rounded())))
    }

    var isPlaying: Bool { queued > 0 }
}
