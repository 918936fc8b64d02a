import MediaEngine

/// One thing a synthetic caller says, prepared once and shared by every call that says it: the base64
/// payload of each 20 ms Twilio frame, and where the speech really is inside the clip (clips carry some
/// silence before and after the words), so latencies are measured from the words, not from the file.
struct Utterance: Sendable {
    let name: String
    /// Base64 of each 160-byte mu-law frame, in order (the last one padded with silence).
    let framePayloads: [String]
    /// Index of the first frame that holds speech (level above `speechThresholdDbfs`).
    let firstSpeechFrame: Int
    /// Index of the last frame that holds speech.
    let lastSpeechFrame: Int

    /// A frame louder than this (dBFS) holds speech; the bundled clips' words are far above it and
    /// their silences far below.
    static let speechThresholdDbfs = -45.0
    /// Bytes in one 20 ms frame of 8 kHz mu-law.
    static let frameBytes = 160
    /// The payload of a silent frame.
    static let silencePayload = Base64.encode([UInt8](repeating: MuLaw.silence, count: frameBytes))

    init(name: String, muLaw audio: [UInt8]) {
        self.name = name
        var payloads: [String] = []
        var first: Int?
        var last = 0
        var pcm = [Int16](repeating: 0, count: Self.frameBytes)
        var offset = 0
        while offset < audio.count {
            var frame = [UInt8](repeating: MuLaw.silence, count: Self.frameBytes)
            let end = min(offset + Self.frameBytes, audio.count)
            frame.replaceSubrange(0..<(end - offset), with: audio[offset..<end])
            frame.withUnsafeBufferPointer { input in pcm.withUnsafeMutableBufferPointer { MuLaw.decode(input, into: $0) } }
            let level = pcm.withUnsafeBufferPointer { AudioLevel.dbfs($0) }
            if level > Self.speechThresholdDbfs {
                if first == nil { first = payloads.count }
                last = payloads.count
            }
            payloads.append(Base64.encode(frame))
            offset = end
        }
        framePayloads = payloads
        firstSpeechFrame = first ?? 0
        lastSpeechFrame = first == nil ? max(0, payloads.count - 1) : last
    }

    /// Length of the whole clip (ms).
    var durationMs: Int { framePayloads.count * 20 }
}
