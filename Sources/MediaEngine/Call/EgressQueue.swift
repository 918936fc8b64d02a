/// The call's bounded queue of caller-bound audio (`tx_q`): mu-law 8 kHz bytes, tagged by the model
/// item they belong to, waiting to be paced out to Twilio.
///
/// The model produces audio faster than real time; the queue absorbs it up to `capacityBytes` and then
/// refuses more (`enqueue` returns how much it took), which the call turns into backpressure on the
/// model connection. It never drops audio by itself: audio only leaves by `dequeue`, or by `clear` /
/// `drop(itemId:)` on a barge-in. Storage is one ring buffer allocated at init; steady-state use does
/// not allocate.
public struct EgressQueue: Sendable {
    private struct Segment: Sendable {
        var itemId: String
        var byteCount: Int
    }

    private var ring: [UInt8]
    private var head = 0  // index of the oldest byte
    public private(set) var byteCount = 0
    private var segments: [Segment] = []
    private var segmentHead = 0

    /// Capacity in mu-law bytes (8 bytes = 1 ms).
    public var capacityBytes: Int { ring.count }
    /// Queued audio in milliseconds (the depth the call exposes as a metric).
    public var depthMs: Double { Double(byteCount) / 8 }
    public var freeBytes: Int { ring.count - byteCount }
    public var isEmpty: Bool { byteCount == 0 }
    /// The item at the head of the queue (the next to be sent), if any.
    public var headItemId: String? { segmentHead < segments.count ? segments[segmentHead].itemId : nil }

    /// - Parameter capacityMs: the bound, in milliseconds of 8 kHz mu-law audio.
    public init(capacityMs: Int) {
        ring = [UInt8](repeating: MuLaw.silence, count: max(160, capacityMs * 8))
        segments.reserveCapacity(16)
    }

    /// Appends as much of `bytes` as fits; returns how many bytes were taken (the rest must be offered
    /// again once `dequeue` has made room).
    public mutating func enqueue(itemId: String, muLaw bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let count = min(bytes.count, freeBytes)
        guard count > 0 else { return 0 }
        ring.withUnsafeMutableBufferPointer { ring in
            var tail = (head + byteCount) % ring.count
            var copied = 0
            while copied < count {
                let run = min(count - copied, ring.count - tail)
                UnsafeMutableRawPointer(ring.baseAddress! + tail)
                    .copyMemory(from: bytes.baseAddress! + copied, byteCount: run)
                copied += run
                tail = (tail + run) % ring.count
            }
        }
        byteCount += count
        if segmentHead < segments.count, segments[segments.count - 1].itemId == itemId {
            segments[segments.count - 1].byteCount += count
        } else {
            compactSegments()
            segments.append(Segment(itemId: itemId, byteCount: count))
        }
        return count
    }

    /// Removes up to `output.count` bytes of the head item (never mixing two items in one chunk) into
    /// `output`; returns the item and the byte count, or nil when the queue is empty.
    public mutating func dequeue(into output: UnsafeMutableBufferPointer<UInt8>) -> (itemId: String, count: Int)? {
        guard segmentHead < segments.count, output.count > 0 else { return nil }
        let itemId = segments[segmentHead].itemId
        let count = min(output.count, segments[segmentHead].byteCount)
        ring.withUnsafeBufferPointer { ring in
            var copied = 0
            var from = head
            while copied < count {
                let run = min(count - copied, ring.count - from)
                UnsafeMutableRawPointer(output.baseAddress! + copied)
                    .copyMemory(from: ring.baseAddress! + from, byteCount: run)
                copied += run
                from = (from + run) % ring.count
            }
        }
        head = (head + count) % ring.count
        byteCount -= count
        segments[segmentHead].byteCount -= count
        if segments[segmentHead].byteCount == 0 { segmentHead += 1 }
        if byteCount == 0 { head = 0; segments.removeAll(keepingCapacity: true); segmentHead = 0 }
        return (itemId, count)
    }

    /// Empties the queue at once (barge-in); returns the ids of the items whose audio was discarded.
    @discardableResult
    public mutating func clear() -> [String] {
        var dropped: [String] = []
        for segment in segments[segmentHead...] where !dropped.contains(segment.itemId) { dropped.append(segment.itemId) }
        head = 0
        byteCount = 0
        segments.removeAll(keepingCapacity: true)
        segmentHead = 0
        return dropped
    }

    private mutating func compactSegments() {
        if segmentHead > 0 && segmentHead * 2 >= segments.count {
            segments.removeFirst(segmentHead)
            segmentHead = 0
        }
    }
}
