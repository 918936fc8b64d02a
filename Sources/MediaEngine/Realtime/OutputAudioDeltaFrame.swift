/// The hot `response.output_audio.delta` frame (tens per second per call), read and written without
/// allocating.
///
/// Engine side: `scan` finds each member's byte range in the received frame, so the caller can check the
/// item id against muted items and base64-decode the audio in place, without `JSONDecoder` or any `String`.
/// When `scan` returns nil, decode the frame with `RealtimeServerEvent.decode` (it may still be an audio
/// delta the fast path declined, for example one with `\/` escapes). Simulator side: `write`.
///
/// A frame `scan` accepts decodes to the same values on the general path (tested).
public struct OutputAudioDeltaFrame: Sendable, Hashable {
    /// Byte ranges (string contents, quotes excluded) in the scanned buffer.
    public var eventID: Range<Int>?
    public var responseID: Range<Int>
    public var itemID: Range<Int>
    /// The base64 audio.
    public var delta: Range<Int>
    public var outputIndex: Int
    public var contentIndex: Int

    public init(eventID: Range<Int>?, responseID: Range<Int>, itemID: Range<Int>, delta: Range<Int>,
                outputIndex: Int, contentIndex: Int) {
        self.eventID = eventID
        self.responseID = responseID
        self.itemID = itemID
        self.delta = delta
        self.outputIndex = outputIndex
        self.contentIndex = contentIndex
    }

    /// Reads an output-audio delta from UTF-8 bytes, any key order and whitespace. Nil when the frame is
    /// another event, or anything about it is unusual (escapes, non-ASCII, duplicate keys, a missing
    /// required member, bad JSON).
    public static func scan(_ bytes: UnsafeRawBufferPointer) -> OutputAudioDeltaFrame? {
        var scanner = JSONObjectScanner(bytes)
        var isDelta = false
        var eventID, responseID, itemID, delta: Range<Int>?
        var outputIndex, contentIndex: Int?
        while let member = scanner.next() {
            guard !member.keyEscaped else { return nil }
            let key = member.key
            if JSONObjectScanner.bytes(bytes, in: key, equal: "type") {
                guard !isDelta, case .string(let r) = member.value,
                      JSONObjectScanner.bytes(bytes, in: r, equal: "response.output_audio.delta") else { return nil }
                isDelta = true
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "delta") {
                guard delta == nil, case .string(let r) = member.value else { return nil }
                delta = r
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "item_id") {
                guard itemID == nil, case .string(let r) = member.value else { return nil }
                itemID = r
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "response_id") {
                guard responseID == nil, case .string(let r) = member.value else { return nil }
                responseID = r
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "event_id") {
                guard eventID == nil, case .string(let r) = member.value else { return nil }
                eventID = r
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "output_index") {
                guard outputIndex == nil, case .integer(let n) = member.value else { return nil }
                outputIndex = n
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "content_index") {
                guard contentIndex == nil, case .integer(let n) = member.value else { return nil }
                contentIndex = n
            }
        }
        guard scanner.finished, isDelta, let responseID, let itemID, let delta, let outputIndex, let contentIndex else {
            return nil
        }
        return OutputAudioDeltaFrame(eventID: eventID, responseID: responseID, itemID: itemID, delta: delta,
                                     outputIndex: outputIndex, contentIndex: contentIndex)
    }

    /// `scan` over an array (tests, cold paths).
    public static func scan(_ bytes: [UInt8]) -> OutputAudioDeltaFrame? {
        bytes.withUnsafeBytes { scan($0) }
    }

    /// True when this frame's `item_id` is `id`; compares bytes, does not allocate. Use it to drop late
    /// deltas of an interrupted item (protocols.md C.5).
    public func itemID(in bytes: UnsafeRawBufferPointer, equals id: String) -> Bool {
        id.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[itemID]))
    }

    /// True when this frame's `response_id` is `id`; does not allocate.
    public func responseID(in bytes: UnsafeRawBufferPointer, equals id: String) -> Bool {
        id.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[responseID]))
    }

    /// The frame as the general event type (allocates: for a new item, logs and tests).
    public func event(in bytes: UnsafeRawBufferPointer) -> RealtimeServerEvent.OutputAudioDelta {
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
        return RealtimeServerEvent.OutputAudioDelta(eventID: eventID.map(text), responseID: text(responseID),
                                                    itemID: text(itemID), outputIndex: outputIndex,
                                                    contentIndex: contentIndex, delta: text(delta))
    }

    /// The exact frame size `write` produces for these values.
    public static func encodedCount(eventID: String?, responseID: String, itemID: String, outputIndex: Int,
                                    contentIndex: Int, base64Count: Int) -> Int {
        var n = #"{"type":"response.output_audio.delta","response_id":"","item_id":"","output_index":,"content_index":,"delta":""}"#.utf8.count
        if let eventID { n += #","event_id":"""#.utf8.count + eventID.utf8.count }
        return n + responseID.utf8.count + itemID.utf8.count + base64Count
            + JSONFrameWriter.decimalCount(outputIndex) + JSONFrameWriter.decimalCount(contentIndex)
    }

    /// Writes a delta frame into `out` (simulator side) and returns its length. Nil if `out` is too small
    /// (see `encodedCount`), an id holds a character that would need escaping, or `deltaBase64` is not
    /// base64; encode such an event with `RealtimeServerEvent.jsonBytes()` instead.
    public static func write(eventID: String?, responseID: String, itemID: String, outputIndex: Int, contentIndex: Int,
                             deltaBase64: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = JSONFrameWriter(out)
        w.raw(#"{"type":"response.output_audio.delta","#)
        if let eventID {
            w.raw(#""event_id":""#)
            w.plainText(eventID)
            w.raw(#"","#)
        }
        w.raw(#""response_id":""#)
        w.plainText(responseID)
        w.raw(#"","item_id":""#)
        w.plainText(itemID)
        w.raw(#"","output_index":"#)
        w.integer(outputIndex)
        w.raw(#","content_index":"#)
        w.integer(contentIndex)
        w.raw(#","delta":""#)
        w.base64(deltaBase64)
        w.raw(#""}"#)
        return w.ok ? w.count : nil
    }
}
