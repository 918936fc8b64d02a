import Foundation
import MediaEngine
@testable import RealtimeSim

/// Client events and audio the tests share.
enum Fixtures {
    static let endCall = RealtimeFunctionTool(name: "end_call", description: "Hang up after saying goodbye.")
    static let bookAppointment = RealtimeFunctionTool(name: "book_appointment", description: "Book the offered slot.")

    /// The Twilio bridge's session: mu-law both ways, explicit VAD flags (or manual turns), transcription.
    static func phoneSession(turnDetection: RealtimeTurnDetection = .serverVAD(.init(createResponse: true, interruptResponse: true)),
                             language: String? = "he", tools: [RealtimeFunctionTool]? = nil,
                             outputFormat: RealtimeAudioFormat = .pcmu, eventID: String? = nil) -> RealtimeClientEvent {
        .sessionUpdate(RealtimeSessionConfig(
            type: .realtime, model: "gpt-realtime", instructions: "You are a dental clinic's phone assistant.",
            outputModalities: [.audio],
            audio: RealtimeAudioConfig(
                input: .init(format: .pcmu, turnDetection: turnDetection,
                             transcription: language.map { .model("gpt-4o-mini-transcribe", language: $0) }),
                output: .init(format: outputFormat, voice: .marin)),
            tools: tools, toolChoice: tools == nil ? nil : .auto), eventID: eventID)
    }

    static var clips: SpeechClips {
        get throws { try SpeechClips.bundled() }
    }

    /// A caller clip as 8 kHz mu-law.
    static func callerMuLaw(_ name: String, language: String = "he") throws -> [UInt8] {
        let clips = try clips
        guard let clip = clips.clip(name, language: language, role: .caller) else {
            throw SpeechClipError.unknownClip(name: name, language: language, role: .caller)
        }
        return try clips.muLaw(of: clip)
    }

    /// `ms` of mu-law digital silence.
    static func silence(ms: Int) -> [UInt8] { [UInt8](repeating: MuLaw.silence, count: ms * 8) }

    /// `ms` of a 440 Hz tone at 8 kHz, mu-law, peak `amplitude` (PCM16 units).
    static func tone(ms: Int, amplitude: Double = 10000) -> [UInt8] {
        MuLaw.encode((0..<(ms * 8)).map { Int16(amplitude * sin(2 * Double.pi * 440 * Double($0) / 8000)) })
    }

    /// A bot clip's samples at `rate`, and its text.
    static func botClip(_ name: String, language: String = "he", rate: Int = 8000) throws -> (samples: [Int16], text: String) {
        let clips = try clips
        guard let clip = clips.clip(name, language: language, role: .bot) else {
            throw SpeechClipError.unknownClip(name: name, language: language, role: .bot)
        }
        return (try clips.samples(of: clip, sampleRate: rate), clip.text)
    }
}

extension Array where Element == RealtimeServerEvent {
    /// True when `types` appear in this order (other events may come between).
    func containsInOrder(_ types: [String]) -> Bool {
        var remaining = types[...]
        for event in self where event.type == remaining.first { remaining = remaining.dropFirst() }
        return remaining.isEmpty
    }

    func count(of type: String) -> Int { filter { $0.type == type }.count }

    /// The `response.done` events' responses, in order.
    var doneResponses: [RealtimeResponse] {
        compactMap { if case .responseDone(let e) = $0 { e.response } else { nil } }
    }
}
