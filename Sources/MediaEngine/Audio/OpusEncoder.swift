import COpus

/// A mono Opus encoder (libopus) for 20 ms frames of PCM16 at 8, 16, 24 or 48 kHz.
///
/// Owns one libopus `OpusEncoder` state, created in `init` and destroyed in `deinit`; the C pointer
/// never leaves this type. `encode(_:into:)` allocates nothing on the heap: it reads the caller's
/// samples and writes the packet into the caller's buffer (size it with `maxPacketBytes`).
///
/// Not `Sendable`: the encoder carries state from frame to frame and must be used by one owner at a
/// time (for example the actor that records a call). Create it where it is used, or hand it over
/// with `sending`.
public final class OpusEncoder {
    /// What libopus tunes the encoder for.
    public enum Application: Sendable, Equatable {
        /// Speech over a network: the best intelligibility per bit (the default).
        case voip
        /// Music or mixed content at high fidelity.
        case audio
        /// Lowest delay: no speech (SILK) mode, 2.5 ms lookahead instead of 6.5 ms.
        case restrictedLowDelay

        var code: Int32 {
            switch self {
            case .voip: return OPUS_APPLICATION_VOIP
            case .audio: return OPUS_APPLICATION_AUDIO
            case .restrictedLowDelay: return OPUS_APPLICATION_RESTRICTED_LOWDELAY
            }
        }
    }

    /// The sample rates (Hz) the engine runs Opus at, for encoding and decoding.
    public static let supportedSampleRates: Set<Int> = [8000, 16000, 24000, 48000]
    /// Bitrates this wrapper accepts (bits per second); libopus itself clamps to about this range.
    public static let bitrateRange = 6_000...510_000
    /// Complexity levels (CPU spent per frame: 0 cheapest, 10 best quality).
    public static let complexityRange = 0...10
    /// The largest packet one 20 ms mono frame can produce (bytes, RFC 6716 section 3.4): a buffer
    /// this size never limits the encoder.
    public static let maxPacketBytes = 1275

    /// Samples per second of the input (Hz).
    public let sampleRate: Int
    /// Samples per 20 ms frame at `sampleRate` (160 at 8 kHz ... 960 at 48 kHz).
    public let frameSize: Int
    public let application: Application
    /// Encoder delay in samples at `sampleRate`: the decoded signal lags the input by this much.
    /// Ogg Opus calls it pre-skip (see `preSkip48kHz`).
    public let lookahead: Int
    /// Target bitrate in bits per second, as last set.
    public private(set) var bitrate: Int
    /// Complexity 0...10, as last set.
    public private(set) var complexity: Int

    private let state: OpaquePointer

    /// Creates an encoder. `bitrate` is in bits per second; `complexity` 0...10 trades CPU for quality
    /// (libopus's default is 9; 5 is a good per-call budget on shared cores).
    public init(
        sampleRate: Int,
        application: Application = .voip,
        bitrate: Int = 24_000,
        complexity: Int = 5
    ) throws(OpusCodecError) {
        guard Self.supportedSampleRates.contains(sampleRate) else { throw .unsupportedSampleRate(sampleRate) }
        guard Self.bitrateRange.contains(bitrate) else { throw .invalidBitrate(bitrate) }
        guard Self.complexityRange.contains(complexity) else { throw .invalidComplexity(complexity) }

        var error: Int32 = OPUS_OK
        guard let state = opus_encoder_create(Int32(sampleRate), 1, application.code, &error), error == OPUS_OK else {
            throw .libopus("opus_encoder_create", error)
        }
        var delay: Int32 = 0
        do {
            try Self.check("OPUS_GET_LOOKAHEAD", kol_opus_get_lookahead(state, &delay))
            try Self.check("OPUS_SET_BITRATE", kol_opus_set_bitrate(state, Int32(bitrate)))
            try Self.check("OPUS_SET_COMPLEXITY", kol_opus_set_complexity(state, Int32(complexity)))
            if application == .voip {
                try Self.check("OPUS_SET_SIGNAL", kol_opus_set_signal_voice(state))
            }
        } catch {
            // `deinit` does not run for a half-initialized object, so release the state here.
            opus_encoder_destroy(state)
            throw error
        }
        self.state = state
        self.sampleRate = sampleRate
        self.frameSize = sampleRate / 50
        self.application = application
        self.lookahead = Int(delay)
        self.bitrate = bitrate
        self.complexity = complexity
    }

    deinit {
        opus_encoder_destroy(state)
    }

    /// The encoder delay as Ogg Opus pre-skip: `lookahead` scaled to 48 kHz (312 for `.voip`).
    public var preSkip48kHz: Int { lookahead * (48_000 / sampleRate) }

    /// Sets the target bitrate (bits per second); takes effect from the next frame.
    public func setBitrate(_ bitsPerSecond: Int) throws(OpusCodecError) {
        guard Self.bitrateRange.contains(bitsPerSecond) else { throw .invalidBitrate(bitsPerSecond) }
        try Self.check("OPUS_SET_BITRATE", kol_opus_set_bitrate(state, Int32(bitsPerSecond)))
        bitrate = bitsPerSecond
    }

    /// Sets the complexity (0...10); takes effect from the next frame.
    public func setComplexity(_ level: Int) throws(OpusCodecError) {
        guard Self.complexityRange.contains(level) else { throw .invalidComplexity(level) }
        try Self.check("OPUS_SET_COMPLEXITY", kol_opus_set_complexity(state, Int32(level)))
        complexity = level
    }

    /// Discontinuous transmission: during silence the encoder emits 1-2 byte packets (which a decoder
    /// treats like loss and fills with comfort noise) instead of full frames.
    public func setDiscontinuousTransmission(_ enabled: Bool) throws(OpusCodecError) {
        try Self.check("OPUS_SET_DTX", kol_opus_set_dtx(state, enabled ? 1 : 0))
    }

    /// In-band forward error correction: each packet also carries a coarse copy of the previous frame,
    /// spent in proportion to `expectedPacketLossPercent`, which `OpusDecoder` can recover a lost frame from.
    public func setInbandFEC(_ enabled: Bool, expectedPacketLossPercent: Int) throws(OpusCodecError) {
        guard (0...100).contains(expectedPacketLossPercent) else {
            throw .invalidPacketLossPercent(expectedPacketLossPercent)
        }
        try Self.check("OPUS_SET_INBAND_FEC", kol_opus_set_inband_fec(state, enabled ? 1 : 0))
        try Self.check("OPUS_SET_PACKET_LOSS_PERC", kol_opus_set_packet_loss_perc(state, Int32(expectedPacketLossPercent)))
    }

    /// The bitrate libopus is actually using (bits per second), after its own clamping.
    public func effectiveBitrate() throws(OpusCodecError) -> Int {
        var value: Int32 = 0
        try Self.check("OPUS_GET_BITRATE", kol_opus_get_bitrate(state, &value))
        return Int(value)
    }

    /// The complexity libopus reports (read back from the encoder state, not from this wrapper).
    public func effectiveComplexity() throws(OpusCodecError) -> Int {
        var value: Int32 = 0
        try Self.check("OPUS_GET_COMPLEXITY", kol_opus_get_complexity(state, &value))
        return Int(value)
    }

    /// The range coder's final state after the last `encode`; equals `OpusDecoder.finalRange` after the
    /// decoder decodes that packet (libopus's check that both sides agree bit for bit).
    public func finalRange() throws(OpusCodecError) -> UInt32 {
        var value: UInt32 = 0
        try Self.check("OPUS_GET_FINAL_RANGE", kol_opus_encoder_get_final_range(state, &value))
        return value
    }

    /// Forgets the signal history (as after `init`), keeping the settings; use between unrelated streams.
    public func reset() throws(OpusCodecError) {
        try Self.check("OPUS_RESET_STATE", kol_opus_encoder_reset(state))
    }

    /// Encodes exactly one 20 ms frame (`frameSize` samples) into the start of `packet` and returns the
    /// packet's length in bytes. No heap allocation. `packet` should hold `maxPacketBytes`; a smaller
    /// buffer caps the bitrate of this frame.
    public func encode(
        _ pcm: UnsafeBufferPointer<Int16>,
        into packet: UnsafeMutableBufferPointer<UInt8>
    ) throws(OpusCodecError) -> Int {
        guard pcm.count == frameSize else { throw .wrongFrameSize(expected: frameSize, got: pcm.count) }
        guard let input = pcm.baseAddress else { throw .wrongFrameSize(expected: frameSize, got: 0) }
        guard let output = packet.baseAddress, packet.count >= 2 else {
            throw .outputTooSmall(needed: 2, available: packet.count)
        }
        let capacity = Int32(clamping: packet.count)
        let written = opus_encode(state, input, Int32(frameSize), output, capacity)
        guard written >= 0 else { throw .libopus("opus_encode", written) }
        return Int(written)
    }

    /// Convenience for tests and files (allocates): encodes one frame and returns the packet.
    public func encode(_ pcm: [Int16]) throws(OpusCodecError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: Self.maxPacketBytes)
        let count = try pcm.withUnsafeBufferPointer { input throws(OpusCodecError) in
            try packet.withUnsafeMutableBufferPointer { output throws(OpusCodecError) in
                try encode(input, into: output)
            }
        }
        packet.removeSubrange(count...)
        return packet
    }

    private static func check(_ operation: String, _ code: Int32) throws(OpusCodecError) {
        guard code == OPUS_OK else { throw .libopus(operation, code) }
    }
}
