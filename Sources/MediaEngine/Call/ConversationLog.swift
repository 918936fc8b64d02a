/// What was said in a call, in order: the caller's transcripts and the bot's (as heard, after
/// truncation). Used to re-seed a fresh model session after a reconnect or a session rollover, so the
/// conversation carries on where it was; bounded so a long call stays small.
public struct ConversationLog: Sendable, Equatable {
    public enum Speaker: String, Sendable, Equatable { case caller, bot }

    public struct Line: Sendable, Equatable {
        public var speaker: Speaker
        public var text: String
    }

    public private(set) var lines: [Line] = []
    /// Most lines kept (oldest dropped first).
    public let capacity: Int

    public init(capacity: Int = 60) { self.capacity = capacity }

    public mutating func append(_ speaker: Speaker, _ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        if lines.count >= capacity { lines.removeFirst(lines.count - capacity + 1) }
        lines.append(Line(speaker: speaker, text: trimmed))
    }

    /// Keeps only the first `fraction` (0...1) of the last bot line: what the caller heard before a
    /// barge-in (the model's transcript covers the whole generated item).
    public mutating func truncateLastBotLine(toFraction fraction: Double) {
        guard let index = lines.lastIndex(where: { $0.speaker == .bot }) else { return }
        let characters = Array(lines[index].text)
        let keep = Int((Double(characters.count) * min(max(fraction, 0), 1)).rounded())
        lines[index].text = keep > 0 ? String(characters[0..<keep]) + "…" : ""
        if lines[index].text.isEmpty { lines.remove(at: index) }
    }

    /// The conversation as items to create in a fresh model session.
    public var seedItems: [RealtimeItem] {
        lines.map { $0.speaker == .caller ? RealtimeItem.userText($0.text) : RealtimeItem.assistantText($0.text) }
    }
}

import Foundation
