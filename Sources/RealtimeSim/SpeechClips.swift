import Foundation
import MediaEngine

/// The bundled speech: short Hebrew and English phrases rendered once by espeak-ng
/// (scripts/render-speech-clips.sh) and stored as 8 kHz mu-law WAV resources with a manifest. "bot" clips
/// are the simulated model's replies; "caller" clips are what a synthetic caller says (the engine's demo
/// and load generator play them into a call).
///
/// Decoded clips are cached in memory and shared read-only by every session: resampled PCM per rate, and
/// per output format the base64 delta chunks the simulator streams. Thread-safe.
public final class SpeechClips: Sendable {
    /// One clip of the manifest.
    public struct Clip: Sendable, Hashable, Codable {
        /// Who speaks it.
        public enum Role: String, Sendable, Hashable, Codable {
            /// The simulated model.
            case bot
            /// A synthetic caller.
            case caller
        }

        /// "he" or "en".
        public var language: String
        public var role: Role
        /// For example "greeting" (bot) or "appointment" (caller).
        public var name: String
        /// The WAV file name inside the clip directory.
        public var file: String
        /// What is said.
        public var text: String
    }

    /// Every clip, in manifest order.
    public let clips: [Clip]
    /// Mono PCM16 as stored (8 kHz for the bundled clips), by file name.
    private let stored: [String: WAVFile]
    private let resampled = Locked<[ResampledKey: [Int16]]>([:])
    private let replies = Locked<[ReplyKey: ReplyAudio]>([:])

    private struct ResampledKey: Hashable, Sendable {
        var file: String
        var rate: Int
    }

    private struct ReplyKey: Hashable, Sendable {
        var file: String
        var format: RealtimeAudioFormat
        var deltaMs: Int
    }

    /// Loads the manifest `clips.json` and every WAV it names from `directory`.
    public init(directory: String) throws(SpeechClipError) {
        let manifestPath = (directory as NSString).appendingPathComponent("clips.json")
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        } catch {
            throw .manifestUnreadable(path: manifestPath, reason: "\(error.localizedDescription)")
        }
        do {
            clips = try JSONDecoder().decode([Clip].self, from: data)
        } catch {
            throw .manifestUnreadable(path: manifestPath, reason: "\(error)")
        }
        var stored: [String: WAVFile] = [:]
        for clip in clips {
            let path = (directory as NSString).appendingPathComponent(clip.file)
            do {
                stored[clip.file] = try WAVFile.read(path: path)
            } catch {
                throw .clipUnreadable(path: path, reason: error.description)
            }
        }
        self.stored = stored
    }

    /// The clips bundled with this module, loaded once per process and shared.
    public static func bundled() throws(SpeechClipError) -> SpeechClips {
        try shared.get()
    }

    private static let shared = Result { () throws(SpeechClipError) -> SpeechClips in
        guard let resources = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .bundleMissing
        }
        return try SpeechClips(directory: resources.appendingPathComponent("speech").path)
    }

    /// The clip `name` spoken by `role` in `language`, if there is one.
    public func clip(_ name: String, language: String, role: Clip.Role = .bot) -> Clip? {
        clips.first { $0.name == name && $0.language == language && $0.role == role }
    }

    /// All clips of `role` in `language`, in manifest order (callers: the order a call goes).
    public func clips(language: String, role: Clip.Role) -> [Clip] {
        clips.filter { $0.language == language && $0.role == role }
    }

    /// The clip's length, ms.
    public func durationMs(of clip: Clip) -> Int {
        guard let wav = stored[clip.file], wav.sampleRate > 0 else { return 0 }
        return wav.samples.count * 1000 / wav.sampleRate
    }

    /// The clip as mono PCM16 at `sampleRate` Hz (8000, 16000, 24000 or 48000; resampled with
    /// libsamplerate and its delay removed, so the result is time-aligned with the original). Cached.
    public func samples(of clip: Clip, sampleRate: Int) throws(SpeechClipError) -> [Int16] {
        guard let wav = stored[clip.file] else { throw .unknownClip(name: clip.name, language: clip.language, role: clip.role) }
        if wav.sampleRate == sampleRate { return wav.samples }
        let key = ResampledKey(file: clip.file, rate: sampleRate)
        if let cached = resampled.withLock({ $0[key] }) { return cached }
        let converted = try Self.resample(wav.samples, from: wav.sampleRate, to: sampleRate)
        resampled.withLock { $0[key] = converted }
        return converted
    }

    /// `samples(of:sampleRate:)` by name.
    public func samples(_ name: String, language: String, role: Clip.Role, sampleRate: Int) throws(SpeechClipError) -> [Int16] {
        guard let clip = clip(name, language: language, role: role) else {
            throw .unknownClip(name: name, language: language, role: role)
        }
        return try samples(of: clip, sampleRate: sampleRate)
    }

    /// The clip as 8 kHz G.711 mu-law bytes: what a Twilio caller sends, and `audio/pcmu` input.
    public func muLaw(of clip: Clip) throws(SpeechClipError) -> [UInt8] {
        MuLaw.encode(try samples(of: clip, sampleRate: 8000))
    }

    /// The clip encoded for `format` in delta-sized base64 chunks. Cached per clip, format and delta size.
    func replyAudio(for clip: Clip, format: RealtimeAudioFormat, deltaMs: Int) throws(SpeechClipError) -> ReplyAudio {
        let key = ReplyKey(file: clip.file, format: format, deltaMs: deltaMs)
        if let cached = replies.withLock({ $0[key] }) { return cached }
        let audio = ReplyAudio(samples: try samples(of: clip, sampleRate: format.sampleRate), format: format, deltaMs: deltaMs)
        replies.withLock { $0[key] = audio }
        return audio
    }

    /// Converts a whole clip between rates and removes the converter's delay, keeping the length exact
    /// (`samples.count * to / from`).
    static func resample(_ samples: [Int16], from inputRate: Int, to outputRate: Int) throws(SpeechClipError) -> [Int16] {
        let resampler: Resampler
        do {
            resampler = try Resampler(from: inputRate, to: outputRate, quality: .sincMedium)
        } catch {
            throw .unsupportedRate(outputRate)
        }
        var output = resampler.process(samples)
        output += resampler.flush()
        let delay = max(0, Int(resampler.delaySamples.rounded()))
        output.removeFirst(min(delay, output.count))
        let expected = samples.count * outputRate / inputRate
        if output.count > expected {
            output.removeLast(output.count - expected)
        } else if output.count < expected {
            output += [Int16](repeating: 0, count: expected - output.count)
        }
        return output
    }
}

/// Why speech clips could not be loaded or converted.
public enum SpeechClipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module's resource bundle has no Resources folder: the build is broken or was copied without it.
    case bundleMissing
    case manifestUnreadable(path: String, reason: String)
    case clipUnreadable(path: String, reason: String)
    case unknownClip(name: String, language: String, role: SpeechClips.Clip.Role)
    /// Resampling supports 8000, 16000, 24000 and 48000 Hz.
    case unsupportedRate(Int)

    public var description: String {
        switch self {
        case .bundleMissing:
            return "speech clips: RealtimeSim's resource bundle has no Resources folder; rebuild the package"
        case .manifestUnreadable(let path, let reason):
            return "speech clips: cannot read manifest \(path): \(reason); regenerate with scripts/render-speech-clips.sh"
        case .clipUnreadable(let path, let reason):
            return "speech clips: cannot read \(path): \(reason); regenerate with scripts/render-speech-clips.sh"
        case .unknownClip(let name, let language, let role):
            return "speech clips: no \(role.rawValue) clip '\(name)' in language '\(language)'"
        case .unsupportedRate(let rate):
            return "speech clips: cannot resample to \(rate) Hz; use 8000, 16000, 24000 or 48000"
        }
    }
}
