/// The hot `input_audio_buffer.append` frame (50 per second per call), written and read without
/// allocating.
///
/// Engine side: `write` puts `{"type":"input_audio_buffer.append","audio":"<base64>"}` into a reusable
/// buffer, from base64 bytes that are already encoded. Simulator side: `scan` finds the audio's byte
/// range in a received frame so it can be base64-decoded in place. Both decline (nil/false) rather than
/// guess; the general `RealtimeClientEvent` path handles whatever they decline.
public struct InputAudioAppendFrame: Sendable, Hashable {
    /// Byte range of the base64 audio (quotes excluded) in the scanned buffer.
    public var audio: Range<Int>
    /// Byte range of the client's `event_id`, if present.
    public var eventID: Range<Int>?

    public init(audio: Range<Int>, eventID: Range<Int>? = nil) {
        self.audio = audio
        self.eventID = eventID
    }

    private static let prefix: StaticString = #"{"type":"input_audio_buffer.append","audio":""#
    private static let suffix: StaticString = #""}"#

    /// The exact frame size for `base64Count` bytes of base64 audio.
    public static func encodedCount(base64Count: Int) -> Int {
        prefix.utf8CodeUnitCount + base64Count + suffix.utf8CodeUnitCount
    }

    /// Writes the frame into `out` and returns its length, or nil if `out` is too small (see
    /// `encodedCount`) or `audioBase64` holds a byte that is not base64 (the frame would not be valid JSON).
    /// No event_id: append is never acknowledged, so there is nothing to correlate.
    public static func write(audioBase64: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = JSONFrameWriter(out)
        w.raw(prefix)
        w.base64(audioBase64)
        w.raw(suffix)
        return w.ok ? w.count : nil
    }

    /// Replaces `buffer`'s contents with the frame. Reuse one buffer per call: once its capacity has grown
    /// to a frame's size this does not allocate. Returns false (buffer emptied) for non-base64 input.
    public static func write(audioBase64: UnsafeRawBufferPointer, into buffer: inout [UInt8]) -> Bool {
        let needed = encodedCount(base64Count: audioBase64.count)
        resize(&buffer, to: needed)
        let written = buffer.withUnsafeMutableBytes { write(audioBase64: audioBase64, into: $0) }
        guard written == needed else {
            buffer.removeAll(keepingCapacity: true)
            return false
        }
        return true
    }

    /// Replaces `buffer`'s contents with the frame for raw `audio` bytes, base64-encoding them straight
    /// into it (no intermediate base64 buffer). Like the other `write`, allocation-free once `buffer`
    /// has held a frame this large.
    public static func write(audio: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        let needed = encodedCount(base64Count: Base64.encodedLength(byteCount: audio.count))
        resize(&buffer, to: needed)
        let written = buffer.withUnsafeMutableBytes { out in
            var w = JSONFrameWriter(out)
            w.raw(prefix)
            w.base64Encoding(audio)
            w.raw(suffix)
            return w.ok ? w.count : nil
        }
        assert(written == needed, "the frame was sized for exactly this audio")
    }

    /// Resizes in place: shrinking keeps the capacity, and growing by single appends stays within it once
    /// the buffer has held a frame this large (a bulk append of a generic sequence allocates).
    private static func resize(_ buffer: inout [UInt8], to count: Int) {
        if buffer.count > count { buffer.removeLast(buffer.count - count) }
        buffer.reserveCapacity(count)
        while buffer.count < count { buffer.append(0) }
    }

    /// Convenience for tests and cold paths: allocates the frame.
    public static func frame(audioBase64: [UInt8]) -> [UInt8]? {
        var buffer: [UInt8] = []
        let ok = audioBase64.withUnsafeBytes { write(audioBase64: $0, into: &buffer) }
        return ok ? buffer : nil
    }

    /// Reads an append frame from UTF-8 bytes, any key order and whitespace. Nil when the frame is not an
    /// append, or when anything about it is unusual (escapes, non-ASCII, duplicate keys, bad JSON): decode
    /// those with `RealtimeClientEvent.decode`.
    public static func scan(_ bytes: UnsafeRawBufferPointer) -> InputAudioAppendFrame? {
        var scanner = JSONObjectScanner(bytes)
        var isAppend = false
        var audio: Range<Int>?
        var eventID: Range<Int>?
        while let member = scanner.next() {
            guard !member.keyEscaped else { return nil }
            let key = member.key
            if JSONObjectScanner.bytes(bytes, in: key, equal: "type") {
                guard !isAppend, case .string(let r) = member.value,
                      JSONObjectScanner.bytes(bytes, in: r, equal: "input_audio_buffer.append") else { return nil }
                isAppend = true
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "audio") {
                guard audio == nil, case .string(let r) = member.value else { return nil }
                audio = r
            } else if JSONObjectScanner.bytes(bytes, in: key, equal: "event_id") {
                guard eventID == nil else { return nil }
                switch member.value {
                case .string(let r): eventID = r
                default: return nil
                }
            }
        }
        guard scanner.finished, isAppend, let audio else { return nil }
        return InputAudioAppendFrame(audio: audio, eventID: eventID)
    }

    /// `scan` over an array (tests, cold paths).
    public static func scan(_ bytes: [UInt8]) -> InputAudioAppendFrame? {
        bytes.withUnsafeBytes { scan($0) }
    }
}
