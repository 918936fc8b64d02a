import COpus

/// A mono Opus decoder (libopus) producing PCM16 at 8, 16, 24 or 48 kHz.
///
/// Owns one libopus `OpusDecoder` state, created in `init` and destroyed in `deinit`; the C pointer
/// never leaves this type. Any Opus packet decodes at any of the rates (Opus is rate-agnostic on the
/// wire). `decode(_:into:)` allocates nothing on the heap.
///
/// Lost packets: pass `nil` (or an empty packet) to `decode` and libopus conceals one 20 ms frame
/// from the signal history; if the next packet arrived and was encoded with in-band FEC, prefer
/// `recoverLostFrame(fromNextPacket:into:)`.
///
/// Not `Sendable`: the decoder carries state from packet to packet and must be used by one owner at a
/// time. Create it where it is used, or hand it over with `sending`.
public final class OpusDecoder {
    /// Samples per second of the output (Hz).
    public let sampleRate: Int
    /// Samples per 20 ms frame at `sampleRate`: what one concealed (lost) frame produces.
    public let frameSize: Int
    /// The most samples one packet can decode to (120 ms at `sampleRate`): an output buffer this size
    /// never fails with "buffer too small".
    public var maxPacketSamples: Int { sampleRate * 120 / 1000 }

    private let state: OpaquePointer

    /// Creates a decoder that outputs `sampleRate` Hz (one of `OpusEncoder.supportedSampleRates`).
    public init(sampleRate: Int) throws(OpusCodecError) {
        guard OpusEncoder.supportedSampleRates.contains(sampleRate) else { throw .unsupportedSampleRate(sampleRate) }
        var error: Int32 = OPUS_OK
        guard let state = opus_decoder_create(Int32(sampleRate), 1, &error), error == OPUS_OK else {
            throw .libopus("opus_decoder_create", error)
        }
        self.state = state
        self.sampleRate = sampleRate
        self.frameSize = sampleRate / 50
    }

    deinit {
        opus_decoder_destroy(state)
    }

    /// Decodes one packet into the start of `pcm` and returns the number of samples written.
    /// `nil` or an empty packet means the packet was lost: one 20 ms frame (`frameSize` samples) of
    /// concealment is written instead. No heap allocation. `pcm` must hold the packet's duration
    /// (`frameSize` for this engine's 20 ms packets; `maxPacketSamples` for any packet).
    public func decode(
        _ packet: UnsafeBufferPointer<UInt8>?,
        into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(OpusCodecError) -> Int {
        guard let packet, let data = packet.baseAddress, packet.count > 0 else {
            return try concealLoss(into: pcm)
        }
        guard let output = pcm.baseAddress else { throw .outputTooSmall(needed: frameSize, available: 0) }
        let decoded = opus_decode(state, data, Int32(clamping: packet.count), output, Int32(clamping: pcm.count), 0)
        guard decoded >= 0 else { throw .libopus("opus_decode", decoded) }
        return Int(decoded)
    }

    /// Writes one 20 ms frame (`frameSize` samples) of packet-loss concealment into `pcm`: a plausible
    /// continuation of the last decoded audio that fades out over consecutive losses.
    public func concealLoss(into pcm: UnsafeMutableBufferPointer<Int16>) throws(OpusCodecError) -> Int {
        guard let output = pcm.baseAddress, pcm.count >= frameSize else {
            throw .outputTooSmall(needed: frameSize, available: pcm.count)
        }
        let decoded = opus_decode(state, nil, 0, output, Int32(frameSize), 0)
        guard decoded >= 0 else { throw .libopus("opus_decode (concealment)", decoded) }
        return Int(decoded)
    }

    /// Rebuilds the lost frame before `nextPacket` from the forward error correction data inside
    /// `nextPacket` (encoder had `setInbandFEC(true, ...)`), writing `frameSize` samples into `pcm`.
    /// Without FEC data in the packet libopus falls back to concealment. Then decode `nextPacket`
    /// itself as usual.
    public func recoverLostFrame(
        fromNextPacket nextPacket: UnsafeBufferPointer<UInt8>,
        into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(OpusCodecError) -> Int {
        guard let data = nextPacket.baseAddress, nextPacket.count > 0 else { return try concealLoss(into: pcm) }
        guard let output = pcm.baseAddress, pcm.count >= frameSize else {
            throw .outputTooSmall(needed: frameSize, available: pcm.count)
        }
        let decoded = opus_decode(state, data, Int32(clamping: nextPacket.count), output, Int32(frameSize), 1)
        guard decoded >= 0 else { throw .libopus("opus_decode (FEC)", decoded) }
        return Int(decoded)
    }

    /// The range coder's final state after the last decode; see `OpusEncoder.finalRange()`.
    public func finalRange() throws(OpusCodecError) -> UInt32 {
        var value: UInt32 = 0
        let code = kol_opus_decoder_get_final_range(state, &value)
        guard code == OPUS_OK else { throw .libopus("OPUS_GET_FINAL_RANGE", code) }
        return value
    }

    /// Duration of the last packet decoded or concealed, in samples at `sampleRate`.
    public func lastPacketDuration() throws(OpusCodecError) -> Int {
        var value: Int32 = 0
        let code = kol_opus_decoder_get_last_packet_duration(state, &value)
        guard code == OPUS_OK else { throw .libopus("OPUS_GET_LAST_PACKET_DURATION", code) }
        return Int(value)
    }

    /// Forgets the signal history (as after `init`); use between unrelated streams.
    public func reset() throws(OpusCodecError) {
        let code = kol_opus_decoder_reset(state)
        guard code == OPUS_OK else { throw .libopus("OPUS_RESET_STATE", code) }
    }

    /// Convenience for tests and files (allocates): decodes one packet, or conceals one frame for `nil`.
    public func decode(_ packet: [UInt8]?) throws(OpusCodecError) -> [Int16] {
        var pcm = [Int16](repeating: 0, count: maxPacketSamples)
        let count = try pcm.withUnsafeMutableBufferPointer { output throws(OpusCodecError) in
            guard let packet else { return try decode(nil, into: output) }
            return try packet.withUnsafeBufferPointer { input throws(OpusCodecError) in
                try decode(input, into: output)
            }
        }
        pcm.removeSubrange(count...)
        return pcm
    }
}
