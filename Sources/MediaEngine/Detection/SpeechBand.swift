/// The level of one frequency band of the caller's audio, frame by frame, against that band's noise
/// floor. `VoiceActivityDetector` keeps one per band; the filtering itself happens in its sample loop.
struct SpeechBand: Sendable {
    private var floor: NoiseFloorTracker
    /// The previous frame's mean-square power (PCM16 units squared); nil before the first frame.
    private var previousPower: Double?
    /// Level of the last frame after steadying (dBFS).
    private(set) var levelDb = -120.0
    /// How far that level stands above the noise floor (dB).
    private(set) var excessDb = 0.0
    /// How long the band has stood at least the sustained margin above its floor without a break (ms);
    /// 0 when the last frame did not.
    private(set) var elevatedMs = 0

    init(noiseFloorWindowMs: Int) {
        floor = NoiseFloorTracker(windowMs: noiseFloorWindowMs)
    }

    /// The band's estimated noise level (dBFS).
    var floorDb: Double { floor.floorDb }

    /// Takes one frame's mean-square power (PCM16 units squared) lasting `durationMs`.
    mutating func update(power: Double, durationMs: Int, sustainedMarginDb: Double) {
        // A single 20 ms frame of narrow-band noise fluctuates by about ±1 dB, often enough to cross
        // a threshold of a few dB; averaged with its predecessor it seldom does, and speech sounds last
        // longer than 40 ms. Only rises are averaged, so the level drops at once when speech stops.
        let previous = previousPower ?? power
        let steadied = power > previous ? 0.5 * (power + previous) : power
        previousPower = power
        levelDb = AudioLevel.powerToDbfs(steadied)
        excessDb = levelDb - floor.update(levelDb: levelDb, durationMs: durationMs)
        elevatedMs = excessDb >= sustainedMarginDb ? elevatedMs + durationMs : 0
    }

    /// Takes one frame's mean-square power while a keypad tone is on the line: the level is measured,
    /// but the floor does not see it (a tone is neither the line's noise nor a reason to raise the
    /// floor's minimum) and the band does not count as elevated (so neither a sustained run nor a
    /// backdated onset reaches into the tone).
    mutating func holdThroughTone(power: Double) {
        previousPower = power
        levelDb = AudioLevel.powerToDbfs(power)
        excessDb = levelDb - floor.floorDb
        elevatedMs = 0
    }

    /// Tells the band that the last frame was noise (so its floor learns the noise's spread).
    mutating func learnNoise(durationMs: Int) {
        floor.learnNoise(levelDb: levelDb, durationMs: durationMs)
    }
}
