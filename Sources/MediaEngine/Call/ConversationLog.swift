/// What was said in a call, in order: the caller's transcripts and the bot's (as heard, after
/// truncation). Used to re-seed a fresh model session after a reconnect or a session rollover, so the
/// conversation carries on where it was; bounded so a long call stays small.
public struct ConversationLog: Sendable, Equatable {
    public enum Speaker: String, Sendable, Equatable { case caller, bot }

    public struct Line: Sendable, Equatable {
        public var speaker: Speaker
        public var text: String
        /// The model's item id of a bot line (to apply a truncation to the right line).
        public var itemId: String?
    }

    public private(set) var lines: [Line] = []
    /// Truncations of bot items whose transcript has not arrived yet: item id -> fraction heard.
    private var pendingCuts: [String: Double] = [:]
    /// Most lines kept (oldest dropped first).
    public let capacity: Int

    public init(capacity: Int = 60) { self.capacity = capacity }

    public mutating func append(_ speaker: Speaker, _ text: String, itemId: String? = nil) {
        let trimmed = Self.trimmed(text)
        guard !trimmed.isEmpty else { return }
        if lines.count >= capacity { lines.removeFirst(lines.count - capacity + 1) }
        lines.append(Line(speaker: speaker, text: trimmed, itemId: itemId))
        if let itemId, let fraction = pendingCuts.removeValue(forKey: itemId) { truncate(itemId: itemId, toFraction: fraction) }
    }

    /// Keeps only the first `fraction` (0...1) of bot item `itemId`'s line: what the caller heard before
    /// a barge-in (the model's transcript covers the whole generated item). If the item's transcript has
    /// not arrived yet, the cut is applied when it does.
    public mutating func truncate(itemId: String, toFraction fraction: Double) {
        guard let index = lines.lastIndex(where: { $0.itemId == itemId }) else {
            if pendingCuts.count < capacity { pendingCuts[itemId] = fraction }
            return
        }
        let characters = Array(lines[index].text)
        let keep = Int((Double(characters.count) * min(max(fraction, 0), 1)).rounded())
        if keep > 0 { lines[index].text = String(characters[0..<keep]) + "…" } else { lines.remove(at: index) }
    }

    /// `text` without the white space (Unicode `White_Space`: spaces, tabs, line breaks) at either end,
    /// without Foundation's bridging (this runs on each of a call's transcripts).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// The conversation as items to create in a fresh model session.
    public var seedItems: [RealtimeItem] {
        lines.map { $0.speaker == .caller ? RealtimeItem.userText($0.text) : RealtimeItem.assistantText($0.text) }
    }
}
