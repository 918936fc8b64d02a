import ArgumentParser
import Foundation
import MediaEngine

/// `engine-server analyze FILE.wav`: runs the audio core over a recording and prints the speech
/// segments and keypad digits it finds, as a timeline or as JSON.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the VAD and the DTMF detector over a recording (WAV: PCM16, mu-law or A-law).",
        discussion: """
            Other sample rates are resampled to 8 kHz first. Use the VAD options to tune the detector on \
            recordings of your own lines; the defaults are the engine's.
            """
    )

    @Argument(help: "The recording to analyze (.wav).")
    var file: String

    @Flag(help: "Print JSON: {\"speech\": [[start_s, end_s], ...], \"dtmf\": [[time_s, \"5\"], ...]}.")
    var json = false

    @Option(help: "Speech needed before a segment starts (ms).")
    var speechStartMs: Int?

    @Option(help: "Non-speech needed before a segment ends (ms); pauses between words shorter than this stay inside it.")
    var speechStopMs: Int?

    @Option(help: "How far above the tracked noise floor a frame must be to count as speech (dB).")
    var thresholdMarginDb: Double?

    @Option(help: "Quietest level that can ever count as speech (dBFS).")
    var minimumLevelDbfs: Double?

    func validate() throws {
        if let v = speechStartMs, v < 20 || v > 2_000 { throw ValidationError("--speech-start-ms must be 20...2000") }
        if let v = speechStopMs, v < 20 || v > 5_000 { throw ValidationError("--speech-stop-ms must be 20...5000") }
        if let v = thresholdMarginDb, v < 0 || v > 40 { throw ValidationError("--threshold-margin-db must be 0...40") }
        if let v = minimumLevelDbfs, v < -90 || v > 0 { throw ValidationError("--minimum-level-dbfs must be -90...0") }
    }

    func run() throws {
        let wav: WAVFile
        do {
            wav = try WAVFile.read(path: file)
        } catch {
            throw CommandFailure.exit(error.description)
        }
        var vad = VADConfig()
        if let v = speechStartMs { vad.speechStartMs = v }
        if let v = speechStopMs { vad.speechStopMs = v }
        if let v = thresholdMarginDb { vad.thresholdMarginDb = v }
        if let v = minimumLevelDbfs { vad.minimumLevelDbfs = v }
        let report = try RecordingAnalyzer(vadConfig: vad).analyze(wav)
        print(json ? Self.json(report) : Self.timeline(report, wav: wav, path: file))
    }

    static func json(_ report: RecordingAnalyzer.Report) -> String {
        func s(_ x: Double) -> String { String(format: "%.2f", x) }
        let speech = report.speech.map { "[\(s($0.start)), \(s($0.end))]" }.joined(separator: ", ")
        let dtmf = report.dtmf.map { "[\(s($0.time)), \"\($0.digit)\"]" }.joined(separator: ", ")
        return "{\"speech\": [\(speech)], \"dtmf\": [\(dtmf)]}"
    }

    static func timeline(_ report: RecordingAnalyzer.Report, wav: WAVFile, path: String) -> String {
        enum Entry { case speech(Double, Double), digit(Double, Character) }
        let entries = (report.speech.map { Entry.speech($0.start, $0.end) } + report.dtmf.map { Entry.digit($0.time, $0.digit) })
            .sorted { a, b in
                func t(_ e: Entry) -> Double { switch e { case .speech(let s, _): s; case .digit(let t, _): t } }
                return t(a) < t(b)
            }
        var lines = [
            "\(path): \(String(format: "%.2f", wav.durationSeconds)) s, \(wav.sampleRate) Hz, \(wav.encoding.rawValue), "
                + "\(wav.channels) channel\(wav.channels == 1 ? "" : "s")",
        ]
        for entry in entries {
            switch entry {
            case let .speech(start, end):
                lines.append(String(format: "  %7.2f s  speech     until %.2f s (%.2f s)", start, end, end - start))
            case let .digit(time, digit):
                lines.append(String(format: "  %7.2f s  DTMF ", time) + "'\(digit)'")
            }
        }
        let talk = report.speech.reduce(0) { $0 + $1.end - $1.start }
        let segments = report.speech.count == 1 ? "1 speech segment" : "\(report.speech.count) speech segments"
        let digits = report.dtmf.count == 1 ? "1 DTMF digit" : "\(report.dtmf.count) DTMF digits"
        lines.append("\(segments) (" + String(format: "%.1f", talk) + " s of speech), \(digits); noise floor "
            + String(format: "%.1f", report.noiseFloorDbfs) + " dBFS")
        return lines.joined(separator: "\n")
    }
}

/// Ends a command with a one-line reason on standard error and a non-zero exit status.
enum CommandFailure {
    static func exit(_ reason: String) -> ExitCode {
        FileHandle.standardError.write(Data("engine-server: \(reason)\n".utf8))
        return ExitCode.failure
    }
}
