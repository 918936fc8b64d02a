/// Last stage of a call: the model's audio deltas in, paced Twilio `media` and `mark` messages out.
///
/// A delta's base64 audio is decoded once into mu-law 8 kHz (`pcmu` path: the model already speaks
/// mu-law; `pcm24k` path: PCM16 24 kHz is resampled to 8 kHz by the converter `resampler` names, the
/// `PolyphaseResampler` unless the engine chose libsamplerate, and mu-law encoded) and
/// queued in the bounded `tx_q` (`EgressQueue`). `pump` sends what the pacer allows, `chunkMs` of audio per
/// `media` message, with a mark after each burst of an item (at most every `markIntervalMs`, and always
/// when an item's queued audio runs out), recorded in the `MarkLedger` that decides truncation points.
///
/// Owned by its call's actor; no heap allocation per frame apart from the outbound message buffers the
/// transport takes ownership of.
public struct EgressStage {
    public let audioPath: ModelAudioPath
    /// The converter of the `pcm24k` path (unused on `pcmu`).
    public let resampler: ResamplerKind
    public private(set) var queue: EgressQueue
    public private(set) var pacer: EgressPacer
    public private(set) var ledger = MarkLedger()
    /// Minimum audio between two marks of one item (ms).
    public let markIntervalMs: Double
    /// Audio per `media` message once the pacer's lead is reached (ms, a multiple of 20): 20 sends a
    /// message per frame; more sends fewer, larger messages (Twilio plays any length), which saves the
    /// engine a socket write and the caller's side a message per frame, at the cost of a lead that
    /// swings by the chunk (between `leadMs - chunkMs` and `leadMs`).
    public let chunkMs: Int

    private var decoded: [UInt8]  // one delta, base64-decoded
    private var pcm24k: [Int16]
    private var oddByte: UInt8?  // a PCM16 sample split across two deltas (pcm24k)
    private var pcm8k: [Int16]
    private var muLaw: [UInt8]
    /// Converted audio that did not fit in the queue yet (backpressure): item, bytes, how many are queued.
    private var overflow: (itemId: String, bytes: [UInt8], offset: Int)?
    /// Audio of one outbound `media` message (up to `chunkMs`), and its base64.
    private var chunk: [UInt8]
    private var chunkBase64: [UInt8]
    private let downsampler: CallResampler?
    /// The item whose audio was sent since the last mark, how much, and when its playout began.
    private var unmarked: (itemId: String, ms: Double, playoutStartNs: UInt64)?
    /// The item whose audio went out last.
    public private(set) var lastSentItemId: String?
    /// Nothing more is coming after what is queued (the model said the answer is done, or the audio
    /// is the engine's own), so the last, partial frame may go once its own duration has played.
    private var queuedAudioIsComplete = false
    /// Level of the most recent frames sent, with their estimated playout start (ring buffer), so the
    /// barge-in detector can be told how loud the bot is at the caller's end right now.
    private var playedLevels = [(startNs: UInt64, dbfs: Double)](repeating: (0, -120), count: 32)
    private var playedLevelsNext = 0

    /// Largest delta accepted (mu-law bytes after conversion); bigger deltas are split by the caller's
    /// transport limit anyway (OpenAI sends well under this).
    public static let maxDeltaBytes = 64 * 1024
    /// The delta buffers start with room for one second of audio and grow (once, on the first bigger
    /// delta, never per frame) up to `maxDeltaBytes`: sized for the largest delta up front they held
    /// 0.45 MB (pcmu) to 1 MB (pcm24k) per call, most of the engine's memory per call, for deltas the
    /// API does not send (its deltas are tens of milliseconds).
    static let initialDeltaBytes = 8_000
    /// Room for the JSON around one outbound message's base64 payload (or a whole `mark`), so building
    /// it takes one allocation.
    static let messageOverheadBytes = 168

    public init(audioPath: ModelAudioPath, queueCapacityMs: Int = 4_000, leadMs: Int = 200, markIntervalMs: Double = 100,
                chunkMs: Int = 20, resampler: ResamplerKind = .polyphase) throws {
        self.audioPath = audioPath
        self.resampler = resampler
        self.chunkMs = min(max(1, chunkMs / 20), max(1, leadMs / 20)) * 20  // a message fits under the lead
        chunk = [UInt8](repeating: 0, count: self.chunkMs * 8)
        chunkBase64 = [UInt8](repeating: 0, count: Base64.encodedLength(byteCount: self.chunkMs * 8))
        self.queue = EgressQueue(capacityMs: queueCapacityMs)
        self.pacer = EgressPacer(leadMs: leadMs)
        self.markIntervalMs = markIntervalMs
        decoded = []
        muLaw = []
        pcm24k = []
        pcm8k = []
        downsampler = audioPath == .pcm24k ? try CallResampler(from: 24_000, to: 8_000, kind: resampler) : nil
        reserve(decodedBytes: Self.initialDeltaBytes * (audioPath == .pcmu ? 1 : 6))
    }

    /// Grows the delta buffers to hold a delta of `decodedBytes` base64-decoded bytes (pcmu: mu-law;
    /// pcm24k: PCM16 at 24 kHz, six bytes per mu-law byte out).
    private mutating func reserve(decodedBytes: Int) {
        guard decodedBytes > decoded.count else { return }
        decoded = [UInt8](repeating: 0, count: decodedBytes)
        guard audioPath == .pcm24k else { return }
        pcm24k = [Int16](repeating: 0, count: decodedBytes / 2 + 1)
        pcm8k = [Int16](repeating: 0, count: decodedBytes / 6 + 64)
        muLaw = [UInt8](repeating: 0, count: pcm8k.count)
    }

    /// Why a delta was refused (it is dropped and logged; the call goes on).
    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case badBase64(Base64.DecodeError)
        case tooLarge(bytes: Int)

        public var description: String {
            switch self {
            case .badBase64(let e): return "model audio delta is not valid base64: \(e)"
            case .tooLarge(let n): return "model audio delta of \(n) bytes is larger than \(EgressStage.maxDeltaBytes * 6)"
            }
        }
    }

    /// True while converted audio waits for room in the queue: the call must stop reading the model
    /// (backpressure) until `pump` has made room and `retryOverflow` has queued it.
    public var isBackpressured: Bool { overflow != nil }

    /// Decodes one delta of `itemId` and queues it. Deltas of muted (interrupted) items are dropped.
    /// Returns false when part of it is waiting for room (`isBackpressured`).
    public mutating func accept(itemId: String, deltaBase64: UnsafeRawBufferPointer) throws(Rejection) -> Bool {
        if ledger.isMuted(itemId) { return true }
        queuedAudioIsComplete = false
        let maxBytes = Base64.maxDecodedLength(encodedLength: deltaBase64.count)
        guard maxBytes <= Self.maxDeltaBytes * 6 else { throw .tooLarge(bytes: maxBytes) }
        if maxBytes > decoded.count { reserve(decodedBytes: min(max(maxBytes, decoded.count * 2), Self.maxDeltaBytes * 6)) }
        let count: Int
        do {
            count = try decoded.withUnsafeMutableBufferPointer { out throws(Base64.DecodeError) in
                try Base64.decode(deltaBase64.bindMemory(to: UInt8.self), into: out)
            }
        } catch {
            throw .badBase64(error)
        }
        switch audioPath {
        case .pcmu:
            return enqueue(itemId: itemId, from: \.decoded, count: count)
        case .pcm24k:
            return enqueue(itemId: itemId, from: \.muLaw, count: convert24k(byteCount: count))
        }
    }

    /// Array convenience for tests and tools.
    public mutating func accept(itemId: String, deltaBase64: [UInt8]) throws(Rejection) -> Bool {
        let outcome = deltaBase64.withUnsafeBytes { raw in
            Result { () throws(Rejection) in try accept(itemId: itemId, deltaBase64: raw) }
        }
        return try outcome.get()
    }

    /// Queues audio the engine itself plays (the spoken fallback): what does not fit waits like
    /// backpressured model audio and follows as `pump` makes room.
    public mutating func enqueueLocal(itemId: String, muLaw bytes: [UInt8]) {
        let taken = bytes.withUnsafeBufferPointer { queue.enqueue(itemId: itemId, muLaw: $0) }
        if taken < bytes.count { overflow = (itemId, bytes, taken) }
        queuedAudioIsComplete = true
    }

    /// The model's answer is complete (`response.done`): no delta follows what is queued.
    public mutating func audioComplete() { queuedAudioIsComplete = true }

    /// Audio of `itemId` sent to Twilio so far (ms).
    public func sentMs(of itemId: String) -> Double { ledger.sentMs(of: itemId) }

    /// Queues what waited for room; returns true once nothing is left waiting.
    public mutating func retryOverflow() -> Bool {
        guard let pending = overflow else { return true }
        let taken = pending.bytes.withUnsafeBufferPointer {
            queue.enqueue(itemId: pending.itemId, muLaw: UnsafeBufferPointer(rebasing: $0[pending.offset...]))
        }
        if pending.offset + taken >= pending.bytes.count {
            overflow = nil
            return true
        }
        overflow?.offset += taken
        return false
    }

    private mutating func enqueue(itemId: String, from buffer: KeyPath<EgressStage, [UInt8]>, count: Int) -> Bool {
        guard count > 0 else { return true }
        let source = self[keyPath: buffer]
        let taken = source.withUnsafeBufferPointer { queue.enqueue(itemId: itemId, muLaw: UnsafeBufferPointer(rebasing: $0[0..<count])) }
        if taken < count {
            overflow = (itemId, Array(source[taken..<count]), 0)  // rare: only when the queue is full
            return false
        }
        return true
    }

    private mutating func convert24k(byteCount: Int) -> Int {
        guard let downsampler else { return 0 }
        var samples = 0
        decoded.withUnsafeBufferPointer { bytes in
            pcm24k.withUnsafeMutableBufferPointer { pcm in
                var i = 0
                if let low = oddByte, byteCount > 0 {
                    pcm[0] = Int16(bitPattern: UInt16(low) | UInt16(bytes[0]) << 8)
                    samples = 1; i = 1; oddByte = nil
                }
                while i + 1 < byteCount {
                    pcm[samples] = Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)
                    samples += 1; i += 2
                }
                if i < byteCount { oddByte = bytes[i] }
            }
        }
        let produced = pcm24k.withUnsafeBufferPointer { input in
            pcm8k.withUnsafeMutableBufferPointer { downsampler.process(UnsafeBufferPointer(rebasing: input[0..<samples]), into: $0) }
        }
        pcm8k.withUnsafeBufferPointer { input in
            muLaw.withUnsafeMutableBufferPointer { MuLaw.encode(UnsafeBufferPointer(rebasing: input[0..<produced]), into: $0) }
        }
        return produced
    }

    /// Sends what the pacer allows at `nowNs`: up to `chunkMs` of one item per `media` message, and
    /// marks as described above. `toleranceMs`: how early a frame may go (half a grid step when the
    /// `EgressClock` woke the call for it, else 0). `emit` receives each message's bytes, in order;
    /// `sentAudio` receives each 20 ms frame's mu-law audio and its estimated playout start (monotonic
    /// ns), e.g. for the recording. Returns the item whose first
    /// audio went out in this pump, if one did (for latency figures).
    @discardableResult
    public mutating func pump(
        nowNs: UInt64, toleranceMs: Double = 0, encoder: TwilioOutboundEncoder, emit: ([UInt8]) -> Void,
        sentAudio: (UnsafeBufferPointer<UInt8>, _ playoutStartNs: UInt64) -> Void = { _, _ in }
    ) -> String? {
        var started: String?
        var budget = pacer.sendableBytes(nowNs: nowNs, messageBytes: nextMessageBytes, toleranceMs: toleranceMs)
        var message: [UInt8]
        while budget > 0, let head = queue.headItemId {
            if let pending = unmarked, pending.itemId != head { emitMark(nowNs: nowNs, encoder: encoder, emit: emit) }
            let playoutStart = pacer.playoutStartNs(nowNs: nowNs)
            guard let piece = chunk.withUnsafeMutableBufferPointer({ buffer in
                queue.dequeue(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<min(budget, buffer.count)]))
            }) else { break }
            let b64 = chunk.withUnsafeBufferPointer { f in
                chunkBase64.withUnsafeMutableBufferPointer { Base64.encode(UnsafeBufferPointer(rebasing: f[0..<piece.count]), into: $0) }
            }
            message = []
            message.reserveCapacity(Self.messageOverheadBytes + b64)
            chunkBase64.withUnsafeBytes { encoder.media(payloadBase64: UnsafeRawBufferPointer(rebasing: $0[0..<b64]), into: &message) }
            emit(message)
            var offset = 0
            while offset < piece.count {  // per 20 ms frame: the recording and the echo estimate
                let count = min(EgressPacer.frameBytes, piece.count - offset)
                let frameStart = playoutStart + UInt64(offset) * 125_000  // 8 bytes per ms
                let dbfs = chunk.withUnsafeBufferPointer { frame in
                    let audio = UnsafeBufferPointer(rebasing: frame[offset..<offset + count])
                    sentAudio(audio, frameStart)
                    return Self.levelDbfs(audio)
                }
                playedLevels[playedLevelsNext] = (frameStart, dbfs)
                playedLevelsNext = (playedLevelsNext + 1) % playedLevels.count
                offset += count
            }
            if piece.itemId != lastSentItemId {
                lastSentItemId = piece.itemId
                if started == nil { started = piece.itemId }
            }
            pacer.didSend(byteCount: piece.count, nowNs: nowNs)
            budget -= piece.count
            let ms = Double(piece.count) / 8
            if unmarked == nil { unmarked = (piece.itemId, 0, playoutStart) }
            unmarked?.ms += ms
            if let u = unmarked, u.ms >= markIntervalMs || queue.headItemId != u.itemId {
                emitMark(nowNs: nowNs, encoder: encoder, emit: emit)
            }
        }
        _ = retryOverflow()
        return started
    }

    /// The next message's audio (bytes): `chunkMs` of it, or what is queued when that is less. A
    /// complete answer's last, partial frame goes once its own duration of room has opened; while more
    /// may come, a short queue waits for whole frames of room (the next delta usually joins it), so
    /// messages stay whole frames on the egress clock's grid.
    private var nextMessageBytes: Int {
        let queued = queue.byteCount
        if queued >= chunk.count || queuedAudioIsComplete { return min(queued, chunk.count) }
        let frame = EgressPacer.frameBytes
        return min(chunk.count, (queued + frame - 1) / frame * frame)
    }

    /// When queued audio is next due to go out (now or earlier if it may go already), or nil when none is
    /// queued: when the call should be woken to `pump` again.
    public var nextSendNs: UInt64? {
        queue.isEmpty ? nil : pacer.nextSendNs(messageBytes: nextMessageBytes)
    }

    private static func levelDbfs(_ audio: UnsafeBufferPointer<UInt8>) -> Double {
        var sum = 0.0
        MuLaw.decodeTable.withUnsafeBufferPointer { table in
            for byte in audio {
                let x = Double(table[Int(byte)])
                sum += x * x
            }
        }
        return AudioLevel.powerToDbfs(sum / Double(max(1, audio.count)))
    }

    /// Level (dBFS) of our audio estimated to be playing to the caller at `nowNs`, or nil when none is.
    public func playedLevelDbfs(atNs nowNs: UInt64) -> Double? {
        guard pacer.playoutEndNs > nowNs else { return nil }
        var best: (startNs: UInt64, dbfs: Double)?
        for entry in playedLevels where entry.startNs <= nowNs && entry.startNs + 20_000_000 > nowNs {
            if let current = best, current.startNs >= entry.startNs { continue }
            best = entry
        }
        return best?.dbfs
    }

    private mutating func emitMark(nowNs: UInt64, encoder: TwilioOutboundEncoder, emit: ([UInt8]) -> Void) {
        guard let u = unmarked else { return }
        unmarked = nil
        let name = ledger.didSend(itemId: u.itemId, durationMs: u.ms, nowNs: nowNs, playoutStartNs: u.playoutStartNs)
        var message: [UInt8] = []
        message.reserveCapacity(Self.messageOverheadBytes)
        encoder.mark(name: name, into: &message)
        emit(message)
    }

    /// Handles a mark echoed by Twilio (see `MarkLedger.didReceiveMark`).
    @discardableResult
    public mutating func didReceiveMark(named name: String, nowNs: UInt64) -> Bool {
        ledger.didReceiveMark(named: name, nowNs: nowNs)
    }

    /// Audio of ours that the caller has not heard yet: queued here or buffered at Twilio.
    public var hasAudioPending: Bool { !queue.isEmpty || ledger.isAudioPending || overflow != nil || unmarked != nil }

    /// Audio already sent to Twilio whose playback has not been confirmed by a mark echo yet.
    public var hasUnconfirmedSentAudio: Bool { ledger.isAudioPending || unmarked != nil }

    /// What a barge-in did, for the call to tell the model and Twilio.
    public struct Interruption: Sendable, Equatable {
        /// Truncate this item at this many ms (what the caller heard).
        public var truncate: (itemId: String, audioEndMs: Int)?
        /// Items the caller heard nothing of (sent but never started, or only queued here).
        public var unheardItemIds: [String]
        /// Whether Twilio had audio of ours buffered (so a `clear` must be sent).
        public var clearTwilio: Bool

        public static func == (a: Interruption, b: Interruption) -> Bool {
            a.truncate?.itemId == b.truncate?.itemId && a.truncate?.audioEndMs == b.truncate?.audioEndMs
                && a.unheardItemIds == b.unheardItemIds && a.clearTwilio == b.clearTwilio
        }
    }

    /// The caller started speaking over us at `nowNs` (C.5 step 3): decide what they heard, drop every
    /// byte not yet played (queue, overflow, Twilio's buffer) and mute the interrupted items. Returns nil
    /// when none of our audio was pending.
    public mutating func interrupt(nowNs: UInt64) -> Interruption? {
        guard hasAudioPending else { return nil }
        if let u = unmarked {  // sent, but its mark not written yet: account for it first
            unmarked = nil
            _ = ledger.didSend(itemId: u.itemId, durationMs: u.ms, nowNs: nowNs, playoutStartNs: u.playoutStartNs)
        }
        let atTwilio = ledger.bargeIn(nowNs: nowNs)
        var unheard = atTwilio?.unplayedItemIds ?? []
        for id in queue.clear() + (overflow.map { [$0.itemId] } ?? []) where !unheard.contains(id) && id != atTwilio?.truncate?.itemId {
            unheard.append(id)
        }
        overflow = nil
        unheard.forEach { ledger.mute($0) }
        pacer.didClear(nowNs: nowNs)
        for i in playedLevels.indices { playedLevels[i] = (0, -120) }
        return Interruption(truncate: atTwilio?.truncate, unheardItemIds: unheard, clearTwilio: atTwilio != nil)
    }

    /// Mutes `itemId` so its remaining deltas are dropped (e.g. a response cancelled for another reason).
    public mutating func mute(_ itemId: String) { ledger.mute(itemId) }
}
