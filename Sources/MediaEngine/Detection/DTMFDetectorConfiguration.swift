extension DTMFDetector {
    /// Tunables of `DTMFDetector`, with ITU-T Q.24-style defaults.
    ///
    /// Levels are in dBm0, the telephone-network unit: 0 dBm0 is the G.711 digital milliwatt, a sine
    /// with peak 22,650 in PCM16 (the mu-law maximum, peak 32,636, is +3.17 dBm0). In `AudioLevel`'s
    /// convention (mean square relative to a full-scale square wave) a sine at L dBm0 measures
    /// L - 6.22 dBFS: -36 dBm0 is -42.2 dBFS (peak 359), -3 dBm0 is -9.2 dBFS (peak 16,035). The level
    /// checks apply per tone, as Q.24 specifies them.
    ///
    /// Every talk-off check can be switched off for experiments by an extreme value
    /// (`minimumToneEnergyShare = 0`, `maximumEnergyRippleDb = .infinity`,
    /// `minimumGroupRejectionDb = -.infinity`, `minimumHarmonicRejectionDb = -.infinity`).
    public struct Configuration: Sendable, Equatable {
        /// Input sample rate in Hz: a multiple of 8000 up to 48000 (8 kHz telephony, 16 kHz wideband).
        public var sampleRate: Int
        /// Tones at least this long (ms) are reported. The detector needs `max(2, floor(minimum /
        /// 12.75) - 1)` consecutive 12.75 ms blocks that the tone fills (at least ~87% of each, see
        /// `maximumEnergyRippleDb`): 2 for 40 ms, so 40 ms tones always pass and tones under ~22 ms
        /// never do (Q.24 leaves the range between to the implementation).
        public var minimumToneDurationMs: Int
        /// A gap at least this long (ms) separates two key presses; shorter interruptions of a held
        /// tone are bridged (no second event). Needs `max(1, floor(minimum / 12.75))` blocks without
        /// the tone: 3 for 40 ms, which a 40 ms gap always gives and a 10 ms dropout never does.
        public var minimumPauseDurationMs: Int
        /// Largest accepted normal twist in dB (the row tone louder than the column tone).
        public var maximumNormalTwistDb: Double
        /// Largest accepted reverse twist in dB (the column tone louder than the row tone).
        public var maximumReverseTwistDb: Double
        /// Per-tone level range in dBm0 that is accepted. The checks sit `levelMarginDb` outside the
        /// range so tones at its edges pass despite mu-law quantization and line noise.
        public var levelRangeDbm0: ClosedRange<Double>
        /// Largest accepted deviation of either tone from its nominal frequency, in percent. Q.24 asks
        /// to accept +/-1.5% and to reject beyond +/-3.5%; 2.3% splits the difference, allowing for
        /// the frequency estimator's worst-case error (about 0.5% under maximum twist and noise).
        public var maximumFrequencyDeviationPercent: Double
        /// Talk-off check: the two tones together must carry at least this share (0...1) of the
        /// block's energy. Speech, whose energy is spread over many harmonics, reached 0.62 at most
        /// on the 48 s espeak-ng corpus used to tune this; DTMF at 15 dB SNR gives 0.78 or more.
        public var minimumToneEnergyShare: Double
        /// Duration guard and talk-off check: the signal's mean-square level in the four quarters of a
        /// block may differ by at most this many dB. A DTMF pair varies by under 1.6 dB (its beat);
        /// a block the tone fills less than ~87% of varies more, so a tone cannot count blocks it only
        /// overlaps (which is what keeps 20 ms tones out), and speech is rarely that steady.
        public var maximumEnergyRippleDb: Double
        /// Talk-off check: every other frequency of each group, after removing what the detected pair
        /// leaks into it, must be at least this many dB below the group's detected tone.
        public var minimumGroupRejectionDb: Double
        /// Talk-off check: the second harmonic of each detected tone, after removing the detected
        /// pair's leakage into it, must be at least this many dB below the tone. Speech is harmonic,
        /// a DTMF generator is not.
        public var minimumHarmonicRejectionDb: Double

        /// Measurement margin (dB) applied outside `levelRangeDbm0`.
        public static let levelMarginDb = 2.0
        /// Peak PCM16 amplitude of a 0 dBm0 sine: the mu-law maximum (32,636, i.e. +3.17 dBm0) less
        /// 3.17 dB.
        public static let zeroDbm0Amplitude = 22_650.0
        /// Mean-square level of a 0 dBm0 sine in `AudioLevel` dBFS.
        public static let zeroDbm0InDbfs = -6.22

        public init(
            sampleRate: Int = 8000,
            minimumToneDurationMs: Int = 40,
            minimumPauseDurationMs: Int = 40,
            maximumNormalTwistDb: Double = 8,
            maximumReverseTwistDb: Double = 4,
            levelRangeDbm0: ClosedRange<Double> = -36...0,
            maximumFrequencyDeviationPercent: Double = 2.3,
            minimumToneEnergyShare: Double = 0.7,
            maximumEnergyRippleDb: Double = 3,
            minimumGroupRejectionDb: Double = 10,
            minimumHarmonicRejectionDb: Double = 10
        ) {
            self.sampleRate = sampleRate
            self.minimumToneDurationMs = minimumToneDurationMs
            self.minimumPauseDurationMs = minimumPauseDurationMs
            self.maximumNormalTwistDb = maximumNormalTwistDb
            self.maximumReverseTwistDb = maximumReverseTwistDb
            self.levelRangeDbm0 = levelRangeDbm0
            self.maximumFrequencyDeviationPercent = maximumFrequencyDeviationPercent
            self.minimumToneEnergyShare = minimumToneEnergyShare
            self.maximumEnergyRippleDb = maximumEnergyRippleDb
            self.minimumGroupRejectionDb = minimumGroupRejectionDb
            self.minimumHarmonicRejectionDb = minimumHarmonicRejectionDb
        }

        /// Throws when a value cannot work; the error names the field and what is allowed.
        public func validate() throws(ConfigurationError) {
            guard sampleRate >= 8000, sampleRate <= 48000, sampleRate % 8000 == 0 else {
                throw .unsupportedSampleRate(sampleRate)
            }
            guard minimumToneDurationMs >= 0, minimumPauseDurationMs >= 0 else {
                throw .invalidValue(field: "minimumToneDurationMs/minimumPauseDurationMs", allowed: ">= 0 ms")
            }
            guard maximumNormalTwistDb >= 0, maximumReverseTwistDb >= 0 else {
                throw .invalidValue(field: "maximumNormalTwistDb/maximumReverseTwistDb", allowed: ">= 0 dB")
            }
            guard maximumFrequencyDeviationPercent > 0 else {
                throw .invalidValue(field: "maximumFrequencyDeviationPercent", allowed: "> 0 %")
            }
            guard (0...1).contains(minimumToneEnergyShare) else {
                throw .invalidValue(field: "minimumToneEnergyShare", allowed: "0...1")
            }
            guard maximumEnergyRippleDb >= 0 else {
                throw .invalidValue(field: "maximumEnergyRippleDb", allowed: ">= 0 dB")
            }
        }
    }

    /// A configuration the detector cannot run with.
    public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
        /// The sample rate is not 8000, 16000, 24000, 32000, 40000 or 48000 Hz.
        case unsupportedSampleRate(Int)
        /// A field is out of range.
        case invalidValue(field: String, allowed: String)

        public var description: String {
            switch self {
            case .unsupportedSampleRate(let rate):
                "DTMFDetector: sample rate \(rate) Hz is not supported; resample to 8000 or 16000 Hz (any multiple of 8000 up to 48000 works)"
            case .invalidValue(let field, let allowed):
                "DTMFDetector: \(field) must be \(allowed)"
            }
        }
    }
}
