import MediaEngine

/// One bot clip ready to stream in one output format: cut into delta-sized chunks and base64-encoded
/// once, then shared read-only by every session that speaks it, so a delta costs a frame write and nothing
/// else.
struct ReplyAudio: Sendable {
    let format: RealtimeAudioFormat
    /// Hz of the encoded audio (8000 for G.711, 24000 for PCM).
    let sampleRate: Int
    /// Base64 text (ASCII bytes) of each delta's audio, in order.
    let chunks: [[UInt8]]
    /// Samples in each chunk.
    let chunkSamples: [Int]
    let totalSamples: Int

    /// Whole milliseconds in `samples` samples (rounded down, like a client counting bytes / 8).
    func milliseconds(samples: Int) -> Int { samples * 1000 / sampleRate }

    var durationMs: Int { milliseconds(samples: totalSamples) }

    /// Encodes `samples` (mono PCM16 at `format.sampleRate`) in `format` and cuts it every `deltaMs`.
    init(samples: [Int16], format: RealtimeAudioFormat, deltaMs: Int) {
        self.format = format
        sampleRate = format.sampleRate
        let perChunk = max(1, sampleRate * max(1, deltaMs) / 1000)
        var chunks: [[UInt8]] = []
        var counts: [Int] = []
        var start = 0
        while start < samples.count {
            let end = min(samples.count, start + perChunk)
            let slice = Array(samples[start..<end])
            let bytes: [UInt8]
            switch format {
            case .pcmu: bytes = MuLaw.encode(slice)
            case .pcma: bytes = ALaw.encode(slice)
            case .pcm24kHz:
                var le = [UInt8]()
                le.reserveCapacity(slice.count * 2)
                for s in slice {
                    let u = UInt16(bitPattern: s)
                    le.append(UInt8(truncatingIfNeeded: u))
                    le.append(UInt8(truncatingIfNeeded: u >> 8))
                }
                bytes = le
            }
            chunks.append(Array(Base64.encode(bytes).utf8))
            counts.append(end - start)
            start = end
        }
        self.chunks = chunks
        chunkSamples = counts
        totalSamples = samples.count
    }
}
