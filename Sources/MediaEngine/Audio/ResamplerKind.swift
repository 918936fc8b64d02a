/// Which sample-rate converter a call's `pcm24k` audio path runs: the caller's 8 kHz audio up to the
/// model's 24 kHz, and the model's 24 kHz back down to 8 kHz for Twilio. Raw values are the spelling of
/// the engine's `--resampler` flag.
///
/// Figures for 8<->24 kHz (delay up / down; the band kept; SNR of a 1 kHz tone there and back;
/// per-frame cost on the benchmark VM, release build):
public enum ResamplerKind: String, Sendable, CaseIterable {
    /// `PolyphaseResampler`, the default: 3.375 / 3.375 ms; flat to 3.4 kHz, 65.8 dB stopband from 4 kHz;
    /// 70.6 dB; 2.3 microseconds per frame each way.
    case polyphase
    /// libsamplerate's fastest sinc (`Resampler`): 2.5 / 2.375 ms; band to about 3.2 kHz; 103.4 dB;
    /// 31-53 microseconds per frame each way.
    case sincFastest = "sinc-fastest"
    /// libsamplerate's medium sinc: 5.875 / 5.75 ms; 72-109 microseconds per frame each way.
    case sincMedium = "sinc-medium"
    /// libsamplerate's best sinc: 18.0 / 17.875 ms; many times the cost. For comparisons, not calls.
    case sincBest = "sinc-best"

    /// The libsamplerate converter this kind names; nil for `.polyphase`.
    public var libsamplerateQuality: Resampler.Quality? {
        switch self {
        case .polyphase: nil
        case .sincFastest: .sincFastest
        case .sincMedium: .sincMedium
        case .sincBest: .sincBest
        }
    }

    /// The accepted spellings, for help texts and error messages: "polyphase, sinc-fastest, ...".
    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
