import MediaEngine

/// One session's reusable buffers for decoding `input_audio_buffer.append`: base64 -> bytes -> PCM16. They
/// grow to the largest append seen and are then reused, so steady-state appends (20 ms each from the
/// engine) decode without allocating. Owned by one `SimulatedSession` (actor-isolated; not Sendable).
final class InputAudioScratch {
    private var bytes: UnsafeMutableBufferPointer<UInt8>
    private var pcm: UnsafeMutableBufferPointer<Int16>

    /// Sized for 100 ms of 24 kHz PCM16 (4800 bytes, 2400 samples) up front.
    init() {
        bytes = .allocate(capacity: 4800)
        pcm = .allocate(capacity: 4800)
    }

    deinit {
        bytes.deallocate()
        pcm.deallocate()
    }

    /// Why an append's audio could not be decoded.
    enum DecodeError: Error {
        case base64(Base64.DecodeError)
    }

    /// Decodes base64 `encoded` audio in `format` and calls `body` with the PCM16 samples (valid only
    /// during the call). An odd trailing byte of `audio/pcm` input is dropped.
    func decode<Result>(_ encoded: UnsafeBufferPointer<UInt8>, format: RealtimeAudioFormat,
                        _ body: (UnsafeBufferPointer<Int16>) -> Result) throws(DecodeError) -> Result {
        let maxBytes = Base64.maxDecodedLength(encodedLength: encoded.count)
        if maxBytes > bytes.count { grow(&bytes, to: maxBytes) }
        let byteCount: Int
        do {
            byteCount = try Base64.decode(encoded, into: bytes)
        } catch {
            throw .base64(error)
        }
        let sampleCount = format == .pcm24kHz ? byteCount / 2 : byteCount
        if sampleCount > pcm.count { grow(&pcm, to: sampleCount) }
        switch format {
        case .pcmu:
            MuLaw.decode(UnsafeBufferPointer(rebasing: bytes[0..<byteCount]), into: pcm)
        case .pcma:
            ALaw.decode(UnsafeBufferPointer(rebasing: bytes[0..<byteCount]), into: pcm)
        case .pcm24kHz:
            for i in 0..<sampleCount {
                pcm[i] = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
            }
        }
        return body(UnsafeBufferPointer(rebasing: pcm[0..<sampleCount]))
    }

    private func grow<T>(_ buffer: inout UnsafeMutableBufferPointer<T>, to count: Int) {
        buffer.deallocate()
        buffer = .allocate(capacity: count)
    }
}
