import Foundation
import Synchronization
import Testing
@testable import MediaEngine

/// How a call's events become store records: the call at start and end, caller and bot turns with their
/// media times, transcripts, latencies and truncation, and the recording's metadata.
@Suite struct CallRecorderTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let end = start.addingTimeInterval(42)

    /// A recorder for call `CA1` of tenant `clinic` whose submitted records are kept in order.
    final class Harness: Sendable {
        /// The submitted records, in order.
        final class WriteLog: Sendable {
            let writes = Mutex<[StoreWrite]>([])
            func append(_ write: StoreWrite) { writes.withLock { $0.append(write) } }
        }

        let log: WriteLog
        let recorder: CallRecorder

        init(recordingPath: String? = nil) {
            let log = WriteLog()
            self.log = log
            recorder = CallRecorder(
                call: CallRecord(callSID: "CA1", from: "+972501234567", to: "+97235550100", startedAt: CallRecorderTests.start,
                                 configVersion: "0123456789abcdef"),
                tenant: "clinic", recordingRelativePath: recordingPath, clock: { CallRecorderTests.end },
                submit: { log.append($0) })
        }

        func feed(_ events: [CallEvent]) { events.forEach(recorder.record) }

        var all: [StoreWrite] { log.writes.withLock { $0 } }

        /// The last version of each turn written, by index.
        var turns: [TurnRecord] {
            var latest: [Int: TurnRecord] = [:]
            for write in all { if case .turn(let turn) = write.change { latest[turn.index] = turn } }
            return latest.keys.sorted().compactMap { latest[$0] }
        }

        var calls: [CallRecord] { all.compactMap { if case .call(let call) = $0.change { call } else { nil } } }
    }

    @Test func callIsWrittenAtStartAndAtEndWithStatusReasonAndConfigVersion() throws {
        let harness = Harness()
        harness.recorder.start()
        harness.feed([.started(callSid: "CA1", streamSid: "MZ1", tenantID: "clinic"), .ended(reason: "stream stopped by Twilio")])
        #expect(harness.all.allSatisfy { $0.tenant == "clinic" })
        let calls = harness.calls
        try #require(calls.count == 2)
        #expect(calls[0] == CallRecord(callSID: "CA1", from: "+972501234567", to: "+97235550100", startedAt: Self.start,
                                       configVersion: "0123456789abcdef"))
        #expect(calls[1].status == .completed)
        #expect(calls[1].endedAt == Self.end)
        #expect(calls[1].endReason == "stream stopped by Twilio")
        #expect(calls[1].configVersion == "0123456789abcdef")
    }

    @Test func fallbackAndStreamFailuresEndTheCallAsFailed() {
        let fellBack = Harness()
        fellBack.feed([.fallback(reason: "model unreachable"), .ended(reason: "fallback: model unreachable")])
        #expect(fellBack.calls.last?.status == .failed)
        let broken = Harness()
        broken.feed([.ended(reason: "media stream failed: connection reset")])
        #expect(broken.calls.last?.status == .failed)
        let hungUp = Harness()
        hungUp.feed([.ended(reason: "the agent ended the call")])
        #expect(hungUp.calls.last?.status == .completed)
    }

    @Test func callerAndBotTurnsCarryMediaTimesTranscriptsAndLatency() {
        let harness = Harness()
        harness.feed([
            .callerSpeechStarted(atMs: 400), .callerSpeechStopped(atMs: 1_900),
            .botAudioStarted(itemId: "item_1", atMs: 2_560, turnLatencyMs: 640, engineMs: 1.4),
            .callerTranscript("אני רוצה לקבוע תור"),
            .botTranscript(itemId: "item_1", text: "בשמחה, לאיזה יום?"),
            .botAudioPlayed(itemId: "item_1", atMs: 4_980, sentMs: 2_400),
            .ended(reason: "stream stopped by Twilio"),
        ])
        #expect(harness.turns == [
            TurnRecord(callSID: "CA1", index: 0, speaker: .caller, startMediaMs: 400, endMediaMs: 1_900,
                       transcript: "אני רוצה לקבוע תור"),
            TurnRecord(callSID: "CA1", index: 1, speaker: .agent, startMediaMs: 2_560, endMediaMs: 4_980,
                       transcript: "בשמחה, לאיזה יום?",
                       latency: TurnLatency(endOfSpeechToFirstAudioMs: 640, modelMs: 639, engineMs: 1)),
        ])
    }

    @Test func bargeInMarksTheBotTurnInterruptedAtItsTruncationPoint() {
        let harness = Harness()
        harness.feed([
            .callerSpeechStarted(atMs: 200), .callerSpeechStopped(atMs: 1_000),
            .botAudioStarted(itemId: "item_1", atMs: 1_700, turnLatencyMs: 700, engineMs: 0.6),
            .callerSpeechStarted(atMs: 2_900),
            .bargeIn(source: .engine, onsetMs: 2_900, decisionMs: 180, truncatedItemId: "item_1", audioEndMs: 1_230,
                     unheardItemIds: []),
            .callerSpeechStopped(atMs: 3_800),
            .callerTranscript("first"), .callerTranscript("second"),
            .ended(reason: "stream stopped by Twilio"),
        ])
        let turns = harness.turns
        #expect(turns.map(\.speaker) == [.caller, .agent, .caller])
        #expect(turns[1].interrupted)
        #expect(turns[1].truncatedAtMs == 1_230)
        #expect(turns[1].endMediaMs == 1_700 + 1_230)
        #expect(turns[2].startMediaMs == 2_900 && turns[2].endMediaMs == 3_800)
        #expect(turns.map(\.transcript) == ["first", "", "second"])
    }

    @Test func vadStopAfterTheAnswerStartedStillEndsTheCallerTurnAndGivesTheAnswerItsLatency() {
        // The model's turn detection answered before the engine's VAD hangover ran out (seen on the pcm24k path).
        let harness = Harness()
        harness.feed([
            .callerSpeechStarted(atMs: 80),
            .botAudioStarted(itemId: "item_1", atMs: 3_240, turnLatencyMs: nil, engineMs: 0.3),
            .callerSpeechStopped(atMs: 2_700),
            .botAudioPlayed(itemId: "item_1", atMs: 6_720, sentMs: 3_455),
        ])
        let turns = harness.turns
        #expect(turns.map(\.speaker) == [.caller, .agent])
        #expect(turns[0].endMediaMs == 2_700)
        #expect(turns[1].latency == TurnLatency(endOfSpeechToFirstAudioMs: 540, modelMs: 540, engineMs: 0))
        #expect(turns[1].endMediaMs == 6_720)
    }

    @Test func speechSegmentsWithNoBotTurnBetweenThemAreOneCallerTurn() {
        let harness = Harness()
        harness.feed([
            .callerSpeechStarted(atMs: 100), .callerSpeechStopped(atMs: 900),
            .callerSpeechStarted(atMs: 1_300), .callerSpeechStopped(atMs: 2_000),
            .callerTranscript("I need a plumber"), .callerTranscript("today please"),
            .ended(reason: "stream stopped by Twilio"),
        ])
        #expect(harness.turns == [
            TurnRecord(callSID: "CA1", index: 0, speaker: .caller, startMediaMs: 100, endMediaMs: 2_000,
                       transcript: "I need a plumber today please"),
        ])
    }

    @Test func turnsStillOpenWhenTheCallEndsAreClosedAtTheLastKnownMediaTime() {
        let harness = Harness()
        harness.feed([
            .callerSpeechStarted(atMs: 300), .callerSpeechStopped(atMs: 800),
            .botAudioStarted(itemId: "item_1", atMs: 1_500, turnLatencyMs: nil, engineMs: 2.2),
            .dtmf(digit: "1", atMs: 2_100, inBand: false),
            .ended(reason: "Twilio reports the call completed"),
        ])
        let bot = harness.turns.last
        #expect(bot?.speaker == .agent)
        #expect(bot?.endMediaMs == 2_100)
        #expect(bot?.latency == nil, "no caller turn to measure from")
    }

    @Test func botTranscriptBeforeItsFirstAudioIsKeptForItsTurn() {
        let harness = Harness()
        harness.feed([
            .botTranscript(itemId: "item_9", text: "Hello, you reached the clinic."),
            .botAudioStarted(itemId: "item_9", atMs: 20, turnLatencyMs: nil, engineMs: 0.4),
        ])
        #expect(harness.turns.first?.transcript == "Hello, you reached the clinic.")
    }

    @Test func finishedRecordingBecomesARecordingRecordOnlyForRecordedCalls() {
        let recorded = Harness(recordingPath: "clinic/2023-11-14/CA1.opus")
        recorded.feed([.recordingFinished(path: "/data/recordings/clinic/2023-11-14/CA1.opus", durationMs: 41_980,
                                          sizeBytes: 52_311)])
        let records = recorded.all.compactMap { if case .recording(let r) = $0.change { r } else { nil } }
        #expect(records == [RecordingRecord(callSID: "CA1", relativePath: "clinic/2023-11-14/CA1.opus", durationMs: 41_980,
                                            codec: "opus", channels: 1, sizeBytes: 52_311, createdAt: Self.end)])
        let unrecorded = Harness()
        unrecorded.feed([.recordingFinished(path: "/tmp/x.opus", durationMs: 1, sizeBytes: 1)])
        #expect(unrecorded.all.isEmpty)
    }

    @Test func aRecordingFinishedAfterTheCallEndedIsStillRecorded() {
        let harness = Harness(recordingPath: "clinic/2023-11-14/CA1.opus")
        harness.feed([.ended(reason: "stream stopped by Twilio"),
                      .recordingFinished(path: "/data/recordings/clinic/2023-11-14/CA1.opus", durationMs: 12_000, sizeBytes: 21_000)])
        let records = harness.all.compactMap { if case .recording(let r) = $0.change { r } else { nil } }
        #expect(records.map(\.durationMs) == [12_000], "the recording is finished off the call's loop, after its end")
    }

    @Test func eventsAfterTheEndWriteNothing() {
        let harness = Harness()
        harness.feed([.ended(reason: "stream stopped by Twilio")])
        let count = harness.all.count
        harness.feed([.ended(reason: "again"), .callerSpeechStarted(atMs: 1), .callerTranscript("late")])
        #expect(harness.all.count == count)
    }
}
