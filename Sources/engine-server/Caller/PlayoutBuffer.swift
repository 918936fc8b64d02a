/// Twilio's side of the bot's audio, as the synthetic caller models it: received audio waits in a
/// buffer and plays in real time; a mark is echoed only when the audio queued before it has played;
/// `clear` drops everything unplayed and echoes every pending mark at once.
///
/// It also knows the truth the engine's truncation is judged against: how much of the item being heard
/// has really played. The engine names marks `"<generation>:<item>:<endMs>"` (the item's audio sent up
/// to the mark) and marks every item boundary, so the first pending mark tells the item playing, and
/// its position minus the unplayed audio before it is what was heard.
///
/// And it judges the engine's egress, precisely:
/// - **Late frame**: audio that arrived after the buffer had run dry in the middle of an utterance. The
///   buffer is modelled continuously (it runs dry at `playoutEndNs`, the arrival of the audio before
///   plus its duration); "mid-utterance" means the audio before and after the gap belong to the same
///   item, which the next mark tells (the engine marks every item boundary). Each such gap counts one
///   late frame and its length in `underrunMs`.
/// - **Missing frame**: audio the engine's marks say it sent but that never arrived: the bytes received
///   for an item are checked against the `endMs` of each of its marks.
struct PlayoutBuffer {
    /// Unplayed mu-law bytes (played in 160-byte steps by the caller's 20 ms clock).
    private(set) var queued = 0
    /// Pending marks: bytes that must play before each is echoed, with its name.
    private var marks: [(afterBytes: Int, name: String)] = []
    /// Bytes played in total.
    private(set) var playedBytes = 0

    /// When the audio received so far finishes playing, on a continuous clock (monotonic ns); 0 before
    /// any audio.
    private(set) var playoutEndNs: UInt64 = 0
    /// Item of the latest mark received (the item the latest audio belongs to).
    private var lastMarkItem: String?
    /// A dry spell seen on arrival, waiting for the next mark to tell whether it was mid-utterance.
    private var pendingGap: (item: String, gapMs: Double)?
    /// Bytes received since the latest mark, and bytes received per item (recent items only).
    private var unmarkedBytes = 0
    private var itemBytes: [(item: String, bytes: Int)] = []

    /// Mid-utterance dry spells (late frames) and their total length (ms).
    private(set) var lateFrames = 0
    private(set) var underrunMs = 0.0
    /// 20 ms frames the marks claim were sent but never arrived.
    private(set) var missingFrames = 0

    /// Bot audio arrived at `nowNs`. Returns how much audio (ms) was still buffered ahead of it.
    @discardableResult
    mutating func receiveAudio(bytes: Int, nowNs: UInt64 = 0) -> Double {
        queued += bytes
        unmarkedBytes += bytes
        var bufferedMs = 0.0
        if playoutEndNs > 0, nowNs > playoutEndNs {
            if let item = lastMarkItem, pendingGap == nil { pendingGap = (item, Double(nowNs - playoutEndNs) / 1e6) }
        } else if playoutEndNs > nowNs {
            bufferedMs = Double(playoutEndNs - nowNs) / 1e6
        }
        playoutEndNs = max(playoutEndNs, nowNs) + UInt64(bytes) * 125_000  // 8 bytes per ms
        return bufferedMs
    }

    mutating func receiveMark(_ name: String) {
        marks.append((queued, name))
        guard let (item, endMs) = Self.parse(name) else { return }
        if let gap = pendingGap, gap.item == item {
            lateFrames += 1
            underrunMs += gap.gapMs
        }
        pendingGap = nil
        lastMarkItem = item
        let received = addBytes(unmarkedBytes, to: item)
        unmarkedBytes = 0
        let expected = endMs * 8
        if received < expected - 8 {  // 1 ms of rounding allowed (the engine rounds endMs)
            missingFrames += (expected - received + 159) / 160
            _ = addBytes(expected - received, to: item)  // count each missing frame once
        }
    }

    private mutating func addBytes(_ bytes: Int, to item: String) -> Int {
        if let i = itemBytes.lastIndex(where: { $0.item == item }) {
            itemBytes[i].bytes += bytes
            return itemBytes[i].bytes
        }
        if itemBytes.count >= 8 { itemBytes.removeFirst() }
        itemBytes.append((item, bytes))
        return bytes
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

    /// `clear` at `nowNs`: drops unplayed audio; returns every pending mark (echoed at once, as Twilio
    /// does).
    mutating func clear(nowNs: UInt64 = 0) -> [String] {
        queued = 0
        let echoes = marks.map(\.name)
        marks.removeAll()
        playoutEndNs = min(playoutEndNs, nowNs)
        pendingGap = nil
        unmarkedBytes = 0
        return echoes
    }

    /// The item being heard and how much of it (ms) has really played, `sinceTickMs` into the current
    /// 20 ms tick; nil when nothing of ours is playing.
    func heard(sinceTickMs: Double) -> (item: String, ms: Int)? {
        guard let first = marks.first, let (item, endMs) = Self.parse(first.name) else { return nil }
        let unplayedMs = Double(first.afterBytes) / 8 - min(max(sinceTickMs, 0), 20)
        return (item, max(0, Int((Double(endMs) - max(0, unplayedMs)).rounded())))
    }

    /// The item and end position (ms) a mark named `"<generation>:<item>:<endMs>"` stands for.
    static func parse(_ name: String) -> (item: String, endMs: Int)? {
        let parts = name.split(separator: ":")
        guard parts.count >= 3, let endMs = Int(parts[parts.count - 1]) else { return nil }
        return (parts[1..<(parts.count - 1)].joined(separator: ":"), endMs)
    }

    var isPlaying: Bool { queued > 0 }
}
