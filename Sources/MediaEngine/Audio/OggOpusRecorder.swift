/// Records PCM16 audio to an Ogg Opus file: owns an `OpusEncoder` and an `OggOpusWriter`, cuts the
/// incoming audio into 20 ms frames, and on `finish()` flushes the encoder's delay so the file plays
/// back exactly as many samples as were recorded (pre-skip at the start, end trimming at the end).
///
/// `append` takes any number of samples and allocates nothing in steady state: samples collect in a
/// one-frame buffer and each full frame is encoded into a preallocated packet buffer. Not `Sendable`:
/// one owner, typically the call's recording stage.
public final class OggOpusRecorder {
    /// Samples per second of the recorded audio (Hz).
    public var sampleRate: Int { encoder.sampleRate }
    /// Samples appended so far (at `sampleRate`).
    public private(set) var recordedSamples = 0
    /// Recorded duration in milliseconds (rounded down).
    public var durationMs: Int { recordedSamples * 1000 / sampleRate }
    /// The encoder, for its settings (`setBitrate`, `setComplexity`...) while recording.
    public let encoder: OpusEncoder
    /// The stream being written (page count, granule position, `bytes` for memory output).
    public let writer: OggOpusWriter

    private let frame: UnsafeMutableBufferPointer<Int16>
    private var frameFill = 0
    private let packet: UnsafeMutableBufferPointer<UInt8>
    /// Samples handed to the encoder so far, padding included.
    private var encodedSamples = 0

    /// Starts a recording at `sampleRate` (8000, 16000, 24000 or 48000 Hz); the header pages are written
    /// at once. `comments` are `NAME=value` strings (tenant, call id...); `bitrate` in bits per second.
    public init(
        destination: OggOpusWriter.Destination,
        sampleRate: Int,
        bitrate: Int = 24_000,
        complexity: Int = 5,
        comments: [String] = [],
        serialNumber: UInt32 = .random(in: .min ... .max)
    ) throws(OggOpusError) {
        do {
            encoder = try OpusEncoder(sampleRate: sampleRate, bitrate: bitrate, complexity: complexity)
        } catch {
            throw .codec(error)
        }
        writer = try OggOpusWriter(
            destination: destination,
            preSkip: encoder.preSkip48kHz,
            inputSampleRate: sampleRate,
            comments: comments,
            serialNumber: serialNumber
        )
        frame = .allocate(capacity: encoder.frameSize)
        frame.initialize(repeating: 0)
        packet = .allocate(capacity: OpusEncoder.maxPacketBytes)
        packet.initialize(repeating: 0)
    }

    deinit {
        frame.deallocate()
        packet.deallocate()
    }

    /// Appends samples at `sampleRate`; every completed 20 ms frame is encoded and written.
    public func append(_ samples: UnsafeBufferPointer<Int16>) throws(OggOpusError) {
        guard !writer.isFinished else { throw .alreadyFinished }
        var offset = 0
        while offset < samples.count {
            let take = min(frame.count - frameFill, samples.count - offset)
            for i in 0..<take { frame[frameFill + i] = samples[offset + i] }
            frameFill += take
            offset += take
            if frameFill == frame.count { try encodeFrame() }
        }
        recordedSamples += samples.count
    }

    /// Appends a frame; its sample rate must be the recorder's.
    public func append(_ audio: AudioFrame) throws(OggOpusError) {
        guard audio.sampleRate == sampleRate else {
            throw .sampleRateMismatch(expected: sampleRate, got: audio.sampleRate)
        }
        try audio.samples.withUnsafeBufferPointer { (buffer) throws(OggOpusError) in try append(buffer) }
    }

    /// Convenience for tests: appends an array of samples.
    public func append(_ samples: [Int16]) throws(OggOpusError) {
        try samples.withUnsafeBufferPointer { (buffer) throws(OggOpusError) in try append(buffer) }
    }

    /// Encodes the remaining audio plus enough silence to push the encoder's lookahead out, trims
    /// the padding off with the final granule position, and closes the file.
    public func finish() throws(OggOpusError) {
        guard !writer.isFinished else { throw .alreadyFinished }
        // The decoder's output lags the input by `lookahead` samples, so the last recorded sample only
        // comes out once `recordedSamples + lookahead` samples have gone in.
        while encodedSamples < recordedSamples + encoder.lookahead {
            for i in frameFill..<frame.count { frame[i] = 0 }
            frameFill = frame.count
            try encodeFrame()
        }
        let scale = 48_000 / sampleRate
        try writer.finish(playableSamples48kHz: recordedSamples * scale)
    }

    private func encodeFrame() throws(OggOpusError) {
        let byteCount: Int
        do {
            byteCount = try encoder.encode(UnsafeBufferPointer(frame), into: packet)
        } catch {
            throw .codec(error)
        }
        frameFill = 0
        encodedSamples += frame.count
        try writer.writePacket(UnsafeBufferPointer(rebasing: packet[0..<byteCount]))
    }
}
