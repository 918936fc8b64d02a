import Foundation
import MediaEngine

/// The simulator's stand-in for OpenAI's server VAD: a plain energy detector over 10 ms windows, driven by
/// the same parameters (`threshold`, `prefix_padding_ms`, `silence_duration_ms`) and reporting times on the
/// session's input timeline (all audio appended so far, in ms).
///
/// - `threshold` 0...1 maps linearly to a window level of -60...-20 dBFS (0.5: -40 dBFS, which the bundled
///   espeak caller clips exceed throughout their words while their pauses stay under 300 ms).
/// - Speech starts after 30 ms of consecutive loud windows; `audio_start_ms` is the first loud window's
///   start minus `prefix_padding_ms`, clamped at 0.
/// - Speech stops after `silence_duration_ms` of quiet windows; `audio_end_ms` is the position at that
///   moment, so it includes the silence, as the real API's does.
///
/// A value type with no buffers: feeding it audio does not allocate.
struct SimulatedTurnDetector {
    struct Settings: Equatable {
        var threshold: Double
        var prefixPaddingMs: Int
        var silenceDurationMs: Int
    }

    enum Event: Equatable {
        case speechStarted(audioStartMs: Int)
        case speechStopped(audioEndMs: Int)
    }

    /// Window level (dBFS) that counts as speech for `threshold`.
    static func thresholdDbfs(_ threshold: Double) -> Double { -60 + 40 * min(1, max(0, threshold)) }

    /// Loud windows in a row needed to start speech.
    static let onsetWindows = 3
    /// Window length, ms.
    static let windowMs = 10

    var settings: Settings {
        didSet { thresholdPower = Self.power(forDbfs: Self.thresholdDbfs(settings.threshold)) }
    }
    private(set) var isSpeaking = false
    /// Input timeline position in 1/48 ms (48 kHz ticks: a whole number of ticks per sample at 8, 16 and 24 kHz).
    private(set) var positionTicks = 0
    private var thresholdPower: Double
    private var windowSum: Double = 0
    private var windowFill = 0
    private var windowStartTicks = 0
    private var loudRun = 0
    private var loudRunStartTicks = 0
    private var quietRunMs = 0

    init(settings: Settings) {
        self.settings = settings
        thresholdPower = Self.power(forDbfs: Self.thresholdDbfs(settings.threshold))
    }

    /// The input timeline position, ms.
    var positionMs: Int { positionTicks / 48 }

    /// Forgets a turn in progress (the buffer was cleared or committed by hand); keeps the timeline.
    mutating func resetTurn() {
        isSpeaking = false
        loudRun = 0
        quietRunMs = 0
    }

    /// Advances the timeline over `samples` at `sampleRate` Hz without analysing them (turn detection off).
    mutating func skip(sampleCount: Int, sampleRate: Int) {
        positionTicks += sampleCount * (48000 / sampleRate)
    }

    /// Analyses `samples` (mono PCM16 at `sampleRate` Hz, 8000/16000/24000) and reports turn edges in order.
    mutating func process(_ samples: UnsafeBufferPointer<Int16>, sampleRate: Int, onEvent: (Event) -> Void) {
        let ticksPerSample = 48000 / sampleRate
        let windowSize = sampleRate * Self.windowMs / 1000
        for sample in samples {
            if windowFill == 0 { windowStartTicks = positionTicks }
            let x = Double(sample)
            windowSum += x * x
            windowFill += 1
            positionTicks += ticksPerSample
            if windowFill >= windowSize {
                finishWindow(loud: windowSum / Double(windowFill) >= thresholdPower, onEvent: onEvent)
                windowSum = 0
                windowFill = 0
            }
        }
    }

    private mutating func finishWindow(loud: Bool, onEvent: (Event) -> Void) {
        if loud {
            if loudRun == 0 { loudRunStartTicks = windowStartTicks }
            loudRun += 1
            quietRunMs = 0
            if !isSpeaking && loudRun >= Self.onsetWindows {
                isSpeaking = true
                onEvent(.speechStarted(audioStartMs: max(0, loudRunStartTicks / 48 - settings.prefixPaddingMs)))
            }
        } else {
            loudRun = 0
            guard isSpeaking else { return }
            quietRunMs += Self.windowMs
            if quietRunMs >= settings.silenceDurationMs {
                isSpeaking = false
                quietRunMs = 0
                onEvent(.speechStopped(audioEndMs: positionMs))
            }
        }
    }

    /// Mean square sample power (PCM16 units squared) of a level in dBFS.
    static func power(forDbfs dbfs: Double) -> Double {
        32768.0 * 32768.0 * pow(10, dbfs / 10)
    }
}
