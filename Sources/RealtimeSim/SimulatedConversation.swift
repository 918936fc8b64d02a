import MediaEngine

/// One simulated session's conversation: its items in order, and for assistant audio items what the
/// truncation rules need (how much audio was generated and how much was actually sent).
struct SimulatedConversation {
    struct Entry {
        var item: RealtimeItem
        /// Assistant audio bookkeeping; nil for every other item.
        var audio: AssistantAudio?
    }

    /// An assistant audio item's audio, in samples of its output format.
    struct AssistantAudio {
        /// Hz of the item's audio.
        var sampleRate: Int
        /// The whole reply clip.
        var fullSamples: Int
        /// Delivered to the client so far (less than `fullSamples` while streaming or when cancelled).
        var sentSamples: Int
        /// The whole reply's transcript (the item's content holds what is left after truncation).
        var transcript: String
        /// Where a truncation cut the audio, ms; nil while untruncated.
        var truncatedAtMs: Int?

        var sentMs: Int { sentSamples * 1000 / sampleRate }
        var fullMs: Int { fullSamples * 1000 / sampleRate }
        /// The item's audio length as the API sees it now: what was sent, or less after a truncation.
        var availableMs: Int { min(sentMs, truncatedAtMs ?? .max) }
    }

    private(set) var entries: [Entry] = []

    /// The id of the newest item.
    var lastItemID: String? { entries.last?.item.id }

    /// Newest items are looked up most (deltas, truncations), so search from the end.
    func index(of id: String) -> Int? {
        entries.lastIndex { $0.item.id == id }
    }

    func entry(_ id: String) -> Entry? {
        index(of: id).map { entries[$0] }
    }

    /// The id of the item just before `id`; nil when `id` is first or unknown.
    func previousItemID(of id: String) -> String? {
        guard let i = index(of: id), i > 0 else { return nil }
        return entries[i - 1].item.id
    }

    /// Appends an item and returns the id of the item before it.
    @discardableResult
    mutating func append(_ item: RealtimeItem, audio: AssistantAudio? = nil) -> String? {
        let previous = lastItemID
        entries.append(Entry(item: item, audio: audio))
        return previous
    }

    /// Inserts `item` after `previousItemID` ("root": first; nil: last). Returns the id of the item before
    /// it, or nil when `previousItemID` names no item (nothing is inserted then).
    mutating func insert(_ item: RealtimeItem, after previousItemID: String?) -> (inserted: Bool, previous: String?) {
        switch previousItemID {
        case nil:
            return (true, append(item))
        case "root":
            entries.insert(Entry(item: item, audio: nil), at: 0)
            return (true, nil)
        case let id?:
            guard let i = index(of: id) else { return (false, nil) }
            entries.insert(Entry(item: item, audio: nil), at: i + 1)
            return (true, id)
        }
    }

    mutating func update(_ id: String, _ body: (inout Entry) -> Void) {
        guard let i = index(of: id) else { return }
        body(&entries[i])
    }

    /// Removes the item; false when there is none with this id.
    mutating func remove(_ id: String) -> Bool {
        guard let i = index(of: id) else { return false }
        entries.remove(at: i)
        return true
    }
}
