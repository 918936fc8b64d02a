import Foundation
import MediaEngine
import Testing
@testable import engine_server

@Suite struct AnalyzeCommandTests {
    @Test func jsonHasTheDocumentedShape() throws {
        let report = RecordingAnalyzer.Report(speech: [(0.84, 2.5), (4.1, 6.0)], dtmf: [(3.2, "5"), (3.4, "#")],
                                              durationSeconds: 7, noiseFloorDbfs: -60)
        let json = AnalyzeCommand.json(report)
        #expect(json == ##"{"speech": [[0.84, 2.50], [4.10, 6.00]], "dtmf": [[3.20, "5"], [3.40, "#"]]}"##)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [[Any]]]
        #expect(parsed?["speech"]?.count == 2)
        let lastDigit = parsed?["dtmf"]?.last?.last as? String
        #expect(lastDigit == "#")
    }

    @Test func timelineListsEventsInOrder() {
        let report = RecordingAnalyzer.Report(speech: [(0.84, 2.5)], dtmf: [(3.2, "5")], durationSeconds: 4, noiseFloorDbfs: -61)
        let text = AnalyzeCommand.timeline(report, wav: WAVFile(samples: [], sampleRate: 8_000, encoding: .muLaw), path: "call.wav")
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[1].contains("speech") && lines[1].contains("0.84"))
        #expect(lines[2].contains("DTMF '5'"))
        #expect(lines[3].hasPrefix("1 speech segment (1.7 s of speech), 1 DTMF digit"))
    }

    @Test func missingOrUnsupportedFilesExitNonZero() throws {
        #expect(throws: (any Error).self) { try AnalyzeCommand.parse(["/nonexistent/call.wav"]).run() }
        let text = FileManager.default.temporaryDirectory.appendingPathComponent("kol-not-a-wav-\(UUID().uuidString).wav")
        try Data("hello".utf8).write(to: text)
        defer { try? FileManager.default.removeItem(at: text) }
        #expect(throws: (any Error).self) { try AnalyzeCommand.parse([text.path]).run() }
        #expect(throws: (any Error).self) { try AnalyzeCommand.parse(["x.wav", "--speech-stop-ms", "5"]) }
    }
}
