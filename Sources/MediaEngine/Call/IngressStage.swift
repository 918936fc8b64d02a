/// First stage of a call: one Twilio media payload in, the caller's audio out in the two forms the rest
/// of the call needs, with no heap allocation per frame.
///
/// - `pcm8k`: the frame decoded to PCM16 at 8 kHz, for the detectors (VAD, barge-in, DTMF).
/// - `appendFrame`: the model's `input_audio_buffer.append` JSON for the frame. On the `pcmu` path the
///   Twilio base64 payload is copied into it untouched (same codec both sides, nothing to decode for the
///   model); on the `pcm24k` path the PCM is resampled to 24 kHz (by the converter `resampler` names:
///   `PolyphaseResampler` unless the engine chose libsamplerate), written little-endian and base64-encoded.
///
/// Owned by its call's actor (the resampler is not `Sendable`), reused for every frame.
public struct IngressStage {
    public let audioPath: ModelAudioPath
    /// The converter of the `pcm24k` path (unused on `pcmu`).
    public let resampler: ResamplerKind
    /// Largest payload accepted, in mu-law bytes (Twilio sends 160; anything up to 1 s is tolerated).
    public static let maxFrameBytes = 8_000

    private var muLaw: [UInt8]
    /// The last frame as PCM16 8 kHz; valid for `pcmCount` samples.
    public private(set) var pcm8k: [Int16]
    public private(set) var pcmCount = 0
    private var pcm24k: [Int16]
    private var pcm24kBytesBase64: [UInt8]
    private var rawBytes: [UInt8]
    /// The last frame's `input_audio_buffer.append` JSON (reused buffer).
    public private(set) var appendFrame: [UInt8] = []
    private let upsampler: CallResampler?

    /// Why a payload was refused. The frame is dropped and counted; the call goes on.
    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case badBase64(Base64.DecodeError)
        case tooLarge(bytes: Int)
        case empty

        public var description: String {
            switch self {
            case .badBase64(let error): return "media payload is not valid base64: \(error)"
            case .tooLarge(let bytes): return "media payload of \(bytes) bytes exceeds \(IngressStage.maxFrameBytes)"
            case .empty: return "media payload is empty"
            }
        }
    }

    public init(audioPath: ModelAudioPath, resampler: ResamplerKind = .polyphase) throws {
        self.audioPath = audioPath
        self.resampler = resampler
        let maxBytes = Self.maxFrameBytes
        muLaw = [UInt8](repeating: 0, count: maxBytes)
        pcm8k = [Int16](repeating: 0, count: maxBytes)
        switch audioPath {
        case .pcmu:
            upsampler = nil
            pcm24k = []
            pcm24kBytesBase64 = []
            rawBytes = []
        case .pcm24k:
            let converter = try CallResampler(from: 8_000, to: 24_000, kind: resampler)
            upsampler = converter
            pcm24k = [Int16](repeating: 0, count: converter.maxOutputCount(inputCount: maxBytes))
            rawBytes = [UInt8](repeating: 0, count: pcm24k.count * 2)
            pcm24kBytesBase64 = [UInt8](repeating: 0, count: Base64.encodedLength(byteCount: rawBytes.count))
        }
        appendFrame.reserveCapacity(InputAudioAppendFrame.encodedCount(base64Count: Base64.encodedLength(byteCount: maxBytes * 6)))
    }

    /// Decodes one payload (the base64 text of a Twilio `media` message) and prepares both outputs.
    public mutating func ingest(payloadBase64 payload: UnsafeRawBufferPointer) throws(Rejection) {
        guard !payload.isEmpty else { throw .empty }
        let decodedMax = Base64.maxDecodedLength(encodedLength: payload.count)
        guard decodedMax <= Self.maxFrameBytes + 2 else { throw .tooLarge(bytes: decodedMax) }
        let count: Int
        do {
            count = try muLaw.withUnsafeMutableBufferPointer { out throws(Base64.DecodeError) in
                try Base64.decode(payload.bindMemory(to: UInt8.self), into: out)
            }
        } catch {
            throw .badBase64(error)
        }
        guard count > 0 else { throw .empty }
        muLaw.withUnsafeBufferPointer { input in
            pcm8k.withUnsafeMutableBufferPointer { MuLaw.decode(UnsafeBufferPointer(rebasing: input[0..<count]), into: $0) }
        }
        pcmCount = count
        switch audioPath {
        case .pcmu:
            _ = InputAudioAppendFrame.write(audioBase64: payload, into: &appendFrame)
        case .pcm24k:
            encode24k(count: count)
        }
    }

    /// Array convenience for tests and tools (allocates nothing itself beyond the caller's array).
    public mutating func ingest(payloadBase64 payload: [UInt8]) throws(Rejection) {
        let outcome = payload.withUnsafeBytes { raw in Result { () throws(Rejection) in try ingest(payloadBase64: raw) } }
        try outcome.get()
    }

    /// The last frame's PCM16 8 kHz samples.
    public func withPCM8k<R>(_ body: (UnsafeBufferPointer<Int16>) -> R) -> R {
        pcm8k.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<pcmCount])) }
    }

    private mutating func encode24k(count: Int) {
        guard let upsampler else { return }
        let produced = pcm8k.withUnsafeBufferPointer { input in
            pcm24k.withUnsafeMutableBufferPointer { upsampler.process(UnsafeBufferPointer(rebasing: input[0..<count]), into: $0) }
        }
        pcm24k.withUnsafeBufferPointer { samples in
            rawBytes.withUnsafeMutableBufferPointer { bytes in
                for i in 0..<produced {
                    let u = UInt16(bitPattern: samples[i].littleEndian)
                    bytes[2 * i] = UInt8(truncatingIfNeeded: u)
                    bytes[2 * i + 1] = UInt8(truncatingIfNeeded: u >> 8)
                }
            }
        }
        let b64Count = rawBytes.withUnsafeBufferPointer { raw in
            pcm24kBytesBase64.withUnsafeMutableBufferPointer {
                Base64.encode(UnsafeBufferPointer(rebasing: raw[0..<(produced * 2)]), into: $0)
            }
        }
        pcm24kBytesBase64.withUnsafeBytes { b64 in
            _ = InputAudioAppendFrame.write(audioBase64: UnsafeRawBufferPointer(rebasing: b64[0..<b64Count]), into: &appendFrame)
        }
    }
}
