/// First stage of a call: one Twilio media payload in, the caller's audio out in the two forms the rest
/// of the call needs, with no heap allocation per frame.
///
/// - `pcm8k`: the frame decoded to PCM16 at 8 kHz, for the detectors (VAD, barge-in, DTMF).
/// - `appendFrame`: the model's `input_audio_buffer.append` JSON for the frame. On the `pcmu` path the
///   Twilio base64 payload is copied into it untouched (same codec both sides, nothing to decode for the
///   model); on the `pcm24k` path the PCM is resampled to 24 kHz (by the converter `resampler` names:
///   `PolyphaseResampler` unless the engine chose libsamplerate), written little-endian and base64-encoded.
///   Frames may be gathered so that one append carries several: always with `appendEveryMs` above 20,
///   and up to `maxAppendMs` when the call's `AppendPacer` says the audio may wait (`appendReady` says
///   when an append is complete).
///
/// A frame goes through in two steps, the call's detectors running in between: `decode` (the PCM for
/// the detectors), then `gather` (the append, sized by what the detectors heard). `ingest` does both
/// with the fixed `appendEveryMs`.
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
    /// The last frame as the model's raw audio (pcm24k: PCM16 little-endian at 24 kHz).
    private var rawBytes: [UInt8]
    /// Raw audio of the frames waiting for the next append (mu-law or PCM16 LE), when appends carry
    /// more than one frame.
    private var pendingRaw: [UInt8] = []
    private var pendingRawCount = 0
    /// The waiting audio's length in 8 kHz samples.
    private var pendingSamples = 0
    /// A frame was decoded and not yet gathered.
    private var decodedFrameWaiting = false
    /// Audio per `input_audio_buffer.append` (ms, a multiple of 20): 20 sends each Twilio frame as it
    /// comes (on the `pcmu` path its base64 is copied through untouched); more batches frames into
    /// fewer, larger appends (fewer socket writes, at the cost of up to `appendEveryMs - 20` ms more
    /// before the model hears the audio).
    public let appendEveryMs: Int
    /// The most audio one append may gather (ms): buffers are sized for it up front.
    public let maxAppendMs: Int
    /// Bytes of the last frame's model audio in `rawBytes` (pcm24k).
    private var rawCount = 0
    /// The `input_audio_buffer.append` JSON completed by the last `gather` (reused buffer); valid when
    /// `appendReady`.
    public private(set) var appendFrame: [UInt8] = []
    /// True when the last `gather` completed an append: send `appendFrame`, which carries
    /// `appendAudioMs` of audio.
    public private(set) var appendReady = false
    public private(set) var appendAudioMs = 0
    /// Audio gathered for the next append and not sent yet (ms).
    public var pendingMs: Int { pendingSamples / 8 }
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

    /// `maxAppendMs`: the most audio `gather` will be asked to put in one append (at least
    /// `appendEveryMs`).
    public init(audioPath: ModelAudioPath, appendEveryMs: Int = 20, maxAppendMs: Int = 0, resampler: ResamplerKind = .polyphase) throws {
        self.audioPath = audioPath
        self.resampler = resampler
        self.appendEveryMs = max(1, appendEveryMs / 20) * 20
        self.maxAppendMs = max(self.appendEveryMs, maxAppendMs)
        muLaw = []
        pcm8k = []
        pcm24k = []
        rawBytes = []
        upsampler = audioPath == .pcm24k ? try CallResampler(from: 8_000, to: 24_000, kind: resampler) : nil
        reserve(frameBytes: Self.initialFrameBytes)
    }

    /// The buffers start with room for a 40 ms payload (Twilio sends 20 ms) and grow, once, on the first
    /// larger one, never per frame. Sized for `maxFrameBytes` up front they held 90 KB (pcmu) to 420 KB
    /// (pcm24k) per call for payloads Twilio does not send.
    static let initialFrameBytes = 320

    /// Grows every buffer to take a payload of `frameBytes` mu-law bytes.
    private mutating func reserve(frameBytes: Int) {
        guard frameBytes > muLaw.count else { return }
        muLaw = [UInt8](repeating: 0, count: frameBytes)
        pcm8k += [Int16](repeating: 0, count: frameBytes - pcm8k.count)  // keeps the last frame readable
        var rawFrameBytes = frameBytes
        if let upsampler {
            pcm24k = [Int16](repeating: 0, count: upsampler.maxOutputCount(inputCount: frameBytes))
            rawBytes = [UInt8](repeating: 0, count: pcm24k.count * 2)
            rawFrameBytes = rawBytes.count
        }
        let rawPerMs = audioPath == .pcmu ? 8 : 48
        let appendBytes = maxAppendMs == 20 ? rawFrameBytes : maxAppendMs * rawPerMs + rawFrameBytes
        if maxAppendMs > 20 { reserve(pendingRawBytes: appendBytes) }
        appendFrame.reserveCapacity(InputAudioAppendFrame.encodedCount(base64Count: Base64.encodedLength(byteCount: appendBytes)))
    }

    private mutating func reserve(pendingRawBytes bytes: Int) {
        guard bytes > pendingRaw.count else { return }
        pendingRaw += [UInt8](repeating: 0, count: bytes - pendingRaw.count)
    }

    /// Decodes one payload (the base64 text of a Twilio `media` message) and prepares both outputs, the
    /// append gathering up to `appendEveryMs`.
    public mutating func ingest(payloadBase64 payload: UnsafeRawBufferPointer) throws(Rejection) {
        try decode(payloadBase64: payload)
        gather(payloadBase64: payload, waitUpToMs: 0)
    }

    /// First step: decodes one payload to PCM (`withPCM8k`) and, on the `pcm24k` path, converts it to
    /// the model's format. `gather` must follow, with the same payload, before the next frame.
    public mutating func decode(payloadBase64 payload: UnsafeRawBufferPointer) throws(Rejection) {
        appendReady = false
        decodedFrameWaiting = false
        guard !payload.isEmpty else { throw .empty }
        let decodedMax = Base64.maxDecodedLength(encodedLength: payload.count)
        guard decodedMax <= Self.maxFrameBytes + 2 else { throw .tooLarge(bytes: decodedMax) }
        if decodedMax > muLaw.count { reserve(frameBytes: decodedMax) }
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
        if audioPath == .pcm24k { rawCount = convert24k(count: count) }
        decodedFrameWaiting = true
    }

    /// Second step: adds the decoded frame to the append being gathered. The append is complete
    /// (`appendReady`) once it holds `waitUpToMs` of audio, or `appendEveryMs` if more, capped at
    /// `maxAppendMs`; when both are 20 or less, at once whatever the frame's length, with whatever waited
    /// before it. A frame sent alone on the `pcmu` path has its Twilio base64 `payload` (the one given to
    /// `decode`) copied through untouched. Without a frame decoded since the last `gather`, nothing
    /// happens.
    public mutating func gather(payloadBase64 payload: UnsafeRawBufferPointer, waitUpToMs: Int) {
        guard decodedFrameWaiting else { return }
        decodedFrameWaiting = false
        let limitMs = min(max(waitUpToMs, appendEveryMs), maxAppendMs)
        let atOnce = limitMs <= 20
        switch audioPath {
        case .pcmu where atOnce && pendingSamples == 0:
            _ = InputAudioAppendFrame.write(audioBase64: payload, into: &appendFrame)
            appendReady = true
            appendAudioMs = pcmCount / 8
        case .pcmu:
            batch(from: .muLaw, count: pcmCount, upToMs: atOnce ? 0 : limitMs)
        case .pcm24k where atOnce && pendingSamples == 0:
            rawBytes.withUnsafeBufferPointer { InputAudioAppendFrame.write(audio: UnsafeBufferPointer(rebasing: $0[0..<rawCount]), into: &appendFrame) }
            appendReady = true
            appendAudioMs = pcmCount / 8
        case .pcm24k:
            batch(from: .rawBytes, count: rawCount, upToMs: atOnce ? 0 : limitMs)
        }
    }

    /// The frame's bytes for the model: its mu-law (`pcmu`) or its 24 kHz PCM (`pcm24k`). A switch, not
    /// a key path: `self[keyPath:]` cost a key path lookup, a retain and a release on every frame.
    private enum FrameBytes { case muLaw, rawBytes }

    /// Adds the frame's `count` bytes of model audio to the pending append, and writes the append once
    /// it holds `upToMs` (0: now).
    private mutating func batch(from source: FrameBytes, count: Int, upToMs: Int) {
        if pendingRawCount + count > pendingRaw.count { reserve(pendingRawBytes: pendingRawCount + count) }
        let start = pendingRawCount
        func copy(_ frame: UnsafeBufferPointer<UInt8>, into pending: inout [UInt8]) {
            pending.withUnsafeMutableBufferPointer { pending in
                _ = UnsafeMutableBufferPointer(rebasing: pending[start..<(start + count)]).initialize(from: frame[0..<count])
            }
        }
        switch source {
        case .muLaw: muLaw.withUnsafeBufferPointer { copy($0, into: &pendingRaw) }
        case .rawBytes: rawBytes.withUnsafeBufferPointer { copy($0, into: &pendingRaw) }
        }
        pendingRawCount += count
        pendingSamples += pcmCount
        guard pendingSamples >= upToMs * 8 else { return }
        pendingRaw.withUnsafeBufferPointer { InputAudioAppendFrame.write(audio: UnsafeBufferPointer(rebasing: $0[0..<pendingRawCount]), into: &appendFrame) }
        appendReady = true
        appendAudioMs = pendingSamples / 8
        pendingRawCount = 0
        pendingSamples = 0
    }

    /// Array convenience for tests and tools (allocates nothing itself beyond the caller's array).
    public mutating func ingest(payloadBase64 payload: [UInt8]) throws(Rejection) {
        let outcome = payload.withUnsafeBytes { raw in Result { () throws(Rejection) in try ingest(payloadBase64: raw) } }
        try outcome.get()
    }

    /// The last frame's PCM16 8 kHz samples.
    ///
    /// `mutating` though it changes nothing: called on a call actor's stored stage, a non-mutating
    /// method with a closure gets a copy of the whole stage (a retain and a release of each of its
    /// buffers, every frame); a mutating one gets the stage in place.
    public mutating func withPCM8k<R>(_ body: (UnsafeBufferPointer<Int16>) -> R) -> R {
        pcm8k.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<pcmCount])) }
    }

    /// Resamples the last frame to 24 kHz into `rawBytes` (PCM16 little-endian); returns the byte count.
    private mutating func convert24k(count: Int) -> Int {
        guard let upsampler else { return 0 }
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
        return produced * 2
    }
}
