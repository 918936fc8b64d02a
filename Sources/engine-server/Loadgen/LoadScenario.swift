import Foundation
import RealtimeSim

/// What one load-test call does. Every scenario speaks the bundled caller clips (real speech, rendered
/// once with espeak-ng) in the order the simulator's script expects them.
enum LoadScenario: String, Sendable, Codable, CaseIterable, Comparable {
    /// Three turns (ask, details, accept), each waiting for the bot's whole answer; the caller hangs up.
    case talk
    /// One turn, speech over the bot's answer a second into it (a barge-in), the bot's next answer, hang-up.
    case bargeIn = "barge-in"
    /// Two keypad presses, one turn, hang-up.
    case dtmf
    /// Five seconds of line silence, hang-up.
    case silence
    /// One turn, and a hang-up while the bot is answering it.
    case hangUp = "hang-up"
    /// Four turns ending with goodbye: the agent says goodbye and hangs up itself (`end_call`).
    case goodbye

    static func < (a: LoadScenario, b: LoadScenario) -> Bool { a.rawValue < b.rawValue }

    /// Whether the engine is expected to end the call itself.
    var engineHangsUp: Bool { self == .goodbye }

    /// The script of this scenario in `language`'s clips.
    func script(_ clips: LoadClips.Language) -> CallScript {
        let wait = CallScript.Step.waitForBot(timeoutMs: 10_000)
        switch self {
        case .talk:
            return CallScript(steps: [.pause(ms: 300), .speak(clips.appointment), wait, .speak(clips.details), wait,
                                      .speak(clips.accept), wait, .hangUp])
        case .bargeIn:
            return CallScript(steps: [.pause(ms: 300), .speak(clips.appointment),
                                      .interrupt(clips.accept, afterBotMs: 1_000, timeoutMs: 10_000), wait, .hangUp])
        case .dtmf:
            return CallScript(steps: [.pause(ms: 300), .dtmf("1"), .pause(ms: 300), .dtmf("2"), .pause(ms: 300),
                                      .speak(clips.appointment), wait, .hangUp])
        case .silence:
            return CallScript(steps: [.pause(ms: 5_000), .hangUp])
        case .hangUp:
            return CallScript(steps: [.pause(ms: 300), .speak(clips.appointment),
                                      .waitForBotSpeaking(afterBotMs: 700, timeoutMs: 10_000), .hangUp])
        case .goodbye:
            return CallScript(steps: [.pause(ms: 300), .speak(clips.appointment), wait, .speak(clips.details), wait,
                                      .speak(clips.accept), wait, .speak(clips.goodbye), wait, .pause(ms: 2_000), .hangUp])
        }
    }
}

/// The caller clips of both languages, prepared once (frame payloads, speech bounds) and shared by
/// every call.
struct LoadClips: Sendable {
    /// The four caller clips of one language.
    struct Language: Sendable {
        var appointment: Utterance
        var details: Utterance
        var accept: Utterance
        var goodbye: Utterance
    }

    var hebrew: Language
    var english: Language

    init(_ clips: SpeechClips) throws {
        func language(_ code: String) throws -> Language {
            func utterance(_ name: String) throws -> Utterance {
                guard let clip = clips.clip(name, language: code, role: .caller) else {
                    throw LoadtestError("the bundled speech has no \(code) caller clip '\(name)'")
                }
                return Utterance(name: "\(code)-\(name)", muLaw: try clips.muLaw(of: clip))
            }
            return Language(appointment: try utterance("appointment"), details: try utterance("details"),
                            accept: try utterance("accept"), goodbye: try utterance("goodbye"))
        }
        hebrew = try language("he")
        english = try language("en")
    }

    func language(_ code: String) -> Language { code == "he" ? hebrew : english }
}

/// How often each scenario is picked, e.g. `talk=4,barge-in=3,dtmf=1,silence=1,hang-up=1`.
struct CallMix: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Relative weights (only positive ones are kept), in a fixed order.
    private(set) var weights: [(scenario: LoadScenario, weight: Int)]

    static let standard = CallMix(weights: [(.talk, 4), (.bargeIn, 3), (.dtmf, 1), (.silence, 1), (.hangUp, 1)])

    init(weights: [(scenario: LoadScenario, weight: Int)]) {
        self.weights = weights.filter { $0.weight > 0 }.sorted { $0.scenario < $1.scenario }
    }

    /// Parses `name=weight,...`; a bare name weighs 1.
    init(parsing text: String) throws {
        var weights: [(LoadScenario, Int)] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let scenario = LoadScenario(rawValue: pieces[0]) else {
                throw LoadtestError("--mix: unknown scenario '\(pieces[0])' (known: \(LoadScenario.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let weight = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let weight, weight >= 0 else { throw LoadtestError("--mix: weight of \(pieces[0]) must be a whole number >= 0") }
            weights.append((scenario, weight))
        }
        self.init(weights: weights)
        guard !self.weights.isEmpty else { throw LoadtestError("--mix: give at least one scenario a positive weight") }
    }

    /// The scenario for a uniform draw `u` in 0..<1.
    func pick(_ u: Double) -> LoadScenario {
        let total = weights.reduce(0) { $0 + $1.weight }
        var threshold = u * Double(total)
        for entry in weights {
            threshold -= Double(entry.weight)
            if threshold < 0 { return entry.scenario }
        }
        return weights.last?.scenario ?? .talk
    }

    var description: String { weights.map { "\($0.scenario.rawValue)=\($0.weight)" }.joined(separator: ",") }

    static func == (a: CallMix, b: CallMix) -> Bool { a.description == b.description }

    init(from decoder: any Decoder) throws { try self.init(parsing: try decoder.singleValueContainer().decode(String.self)) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
