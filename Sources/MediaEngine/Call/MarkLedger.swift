/// What the caller has really heard of each assistant audio item: the barge-in and truncation
/// bookkeeping of protocols.md C.5.
///
/// Every chunk of model audio sent to Twilio is followed by a mark with a unique name
/// (`"<generation>:<item>:<endMs>"`). Twilio echoes a mark when the audio before it has played, or at
/// once when `clear` flushes it, so an echo only counts if it belongs to the current generation; a
/// barge-in starts a new generation, which turns every outstanding mark into a flush echo to ignore.
///
/// All times are monotonic nanoseconds passed in by the caller (the call's clock), so the ledger is a
/// plain value with no hidden time source. Milliseconds here are milliseconds of the item's own audio,
/// the unit the model's `conversation.item.truncate.audio_end_ms` uses.
public struct MarkLedger: Sendable {
    /// One outstanding mark.
    struct PendingMark: Sendable, Equatable {
        var name: String
        var itemId: String
        /// The item's sent audio (ms) up to this mark.
        var endMs: Double
    }

    /// Playback progress of one assistant item.
    struct ItemProgress: Sendable, Equatable {
        /// Audio of this item sent to Twilio so far (ms).
        var sentMs: Double = 0
        /// Audio of this item confirmed played by a mark echo (ms).
        var ackedMs: Double = 0
        /// When playback of `ackedMs` was confirmed, or the estimated start of the item's playback while
        /// no mark of it has echoed yet (monotonic ns).
        var ackTimeNs: UInt64 = 0
        var acked = false
    }

    /// What to do on a barge-in, decided by `bargeIn(nowNs:)`.
    public struct Interruption: Sendable, Equatable {
        /// The item the caller was hearing, and how much of it they heard (ms, clamped to what was sent).
        public var truncate: (itemId: String, audioEndMs: Int)?
        /// Items already sent to Twilio but never started: the caller heard none of them.
        public var unplayedItemIds: [String]

        public static func == (a: Interruption, b: Interruption) -> Bool {
            a.truncate?.itemId == b.truncate?.itemId && a.truncate?.audioEndMs == b.truncate?.audioEndMs
                && a.unplayedItemIds == b.unplayedItemIds
        }
    }

    /// Incremented on every barge-in; marks of older generations are flush echoes.
    public private(set) var generation = 0
    private var pending: [PendingMark] = []
    /// Progress of the most recent items, newest last (bounded: only recent items can still play).
    private var items: [(id: String, progress: ItemProgress)] = []
    /// Items interrupted by a barge-in, newest last: their late deltas must be dropped (C.5 step 1).
    private var muted: [String] = []
    /// How many recent items (and muted items) the ledger remembers; older ones have long finished.
    static let memory = 16

    public init() {}

    /// True when marks of the current generation are outstanding, i.e. Twilio still has our audio queued.
    public var isAudioPending: Bool { !pending.isEmpty }

    /// Whether deltas of `itemId` must be dropped (it was interrupted).
    public func isMuted(_ itemId: String) -> Bool { muted.contains(itemId) }

    private func progress(_ itemId: String) -> ItemProgress? {
        items.last(where: { $0.id == itemId })?.progress
    }

    private mutating func setProgress(_ itemId: String, _ progress: ItemProgress) {
        if let i = items.lastIndex(where: { $0.id == itemId }) {
            items[i].progress = progress
        } else {
            if items.count >= Self.memory { items.removeFirst() }
            items.append((itemId, progress))
        }
    }

    /// Records that `durationMs` more audio of `itemId` was sent to Twilio at `nowNs`, where Twilio's
    /// playout of everything sent before is estimated to end at `playoutStartNs`; returns the name of the
    /// mark to send right after that audio.
    public mutating func didSend(itemId: String, durationMs: Double, nowNs: UInt64, playoutStartNs: UInt64) -> String {
        var progress = self.progress(itemId) ?? ItemProgress()
        if progress.sentMs == 0 && !progress.acked {
            progress.ackTimeNs = max(nowNs, playoutStartNs)  // playback of this item starts after what is queued
        }
        progress.sentMs += durationMs
        setProgress(itemId, progress)
        let name = "\(generation):\(itemId):\(Int(progress.sentMs.rounded()))"
        pending.append(PendingMark(name: name, itemId: itemId, endMs: progress.sentMs))
        return name
    }

    /// Handles a mark echoed by Twilio at `nowNs`. Unknown names and flush echoes of an older
    /// generation are ignored (returns false); a known mark acknowledges its item up to that point and
    /// retires every earlier mark.
    @discardableResult
    public mutating func didReceiveMark(named name: String, nowNs: UInt64) -> Bool {
        guard let index = pending.firstIndex(where: { $0.name == name }) else { return false }
        let mark = pending[index]
        pending.removeSubrange(0...index)
        guard var progress = self.progress(mark.itemId) else { return true }
        progress.ackedMs = mark.endMs
        progress.ackTimeNs = nowNs
        progress.acked = true
        setProgress(mark.itemId, progress)
        // When this was the item's last sent audio, the next queued item starts playing now.
        if let next = pending.first, next.itemId != mark.itemId, mark.endMs >= progress.sentMs,
           var nextProgress = self.progress(next.itemId), !nextProgress.acked {
            nextProgress.ackTimeNs = max(nextProgress.ackTimeNs, nowNs)
            setProgress(next.itemId, nextProgress)
        }
        return true
    }

    /// Milliseconds of `itemId` sent to Twilio so far.
    public func sentMs(of itemId: String) -> Double { progress(itemId)?.sentMs ?? 0 }

    /// Milliseconds of `itemId` the caller has heard by `nowNs`: acknowledged audio plus the time elapsed
    /// since the acknowledgement, never more than was sent.
    public func playedMs(of itemId: String, nowNs: UInt64) -> Double {
        guard let p = progress(itemId) else { return 0 }
        let elapsedMs = nowNs > p.ackTimeNs ? Double(nowNs - p.ackTimeNs) / 1_000_000 : 0
        return min(max(p.ackedMs + min(elapsedMs, p.sentMs - p.ackedMs), 0), p.sentMs)
    }

    /// Decides a barge-in at `nowNs` (C.5 step 3). Returns nil when Twilio has nothing of ours queued
    /// (nothing to interrupt). Otherwise starts a new generation, mutes the interrupted items and
    /// returns the truncation point of the item being heard and the items never started.
    public mutating func bargeIn(nowNs: UInt64) -> Interruption? {
        guard let playing = pending.first?.itemId else { return nil }
        let heard = Int(playedMs(of: playing, nowNs: nowNs).rounded(.down))
        var unplayed: [String] = []
        for mark in pending where mark.itemId != playing && !unplayed.contains(mark.itemId) {
            unplayed.append(mark.itemId)
        }
        generation += 1
        mute(playing)
        unplayed.forEach { mute($0) }
        pending.removeAll(keepingCapacity: true)
        return Interruption(truncate: (playing, heard), unplayedItemIds: unplayed)
    }

    /// Mutes an item so its remaining and late audio is dropped, not played (e.g. an item that was only
    /// queued locally when the caller barged in).
    public mutating func mute(_ itemId: String) {
        guard !muted.contains(itemId) else { return }
        if muted.count >= Self.memory { muted.removeFirst() }
        muted.append(itemId)
    }
}
