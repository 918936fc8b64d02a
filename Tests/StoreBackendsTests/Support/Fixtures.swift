import Foundation
import MediaEngine

/// Records with fixed, millisecond-exact values, so what is read back can be compared with `==`.
enum Fixtures {
    /// 2023-11-14T22:13:20Z.
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    /// `epoch` plus `seconds`.
    static func time(_ seconds: Double) -> Date { epoch.addingTimeInterval(seconds) }

    static func phone(_ text: String) -> NormalizedPhone {
        guard let phone = NormalizedPhone(text) else { preconditionFailure("fixture phone \(text) does not normalize") }
        return phone
    }

    static func call(_ sid: String, startedAt: Date = epoch, endedAt: Date? = nil) -> CallRecord {
        CallRecord(
            callSID: sid, from: "+972501234567", to: "+97231234567", startedAt: startedAt, endedAt: endedAt,
            status: endedAt == nil ? .inProgress : .completed, endReason: endedAt == nil ? nil : "caller_hangup",
            configVersion: "cfg-7")
    }

    /// Twilio's status callback for `sid`, received at `epoch` plus 100 s.
    static func statusReport(_ sid: String, status: String, seconds: Int? = nil) -> CallStatusReport {
        CallStatusReport(
            callSID: sid, from: "+972501234567", to: "+97231234567", twilioStatus: status, durationSeconds: seconds,
            reportedAt: time(100), configVersion: "cfg-8")
    }

    static func turn(_ sid: String, index: Int, speaker: TurnRecord.Speaker = .agent) -> TurnRecord {
        TurnRecord(
            callSID: sid, index: index, speaker: speaker, startMediaMs: Int64(index) * 4_000,
            endMediaMs: Int64(index) * 4_000 + 2_500, transcript: "שלום, turn \(index)",
            interrupted: index % 2 == 1, truncatedAtMs: index % 2 == 1 ? 1_240 : nil,
            latency: speaker == .agent ? TurnLatency(endOfSpeechToFirstAudioMs: 640, modelMs: 410, engineMs: 35) : nil)
    }

    static func recording(_ sid: String, createdAt: Date = epoch, path: String? = nil) -> RecordingRecord {
        RecordingRecord(
            callSID: sid, relativePath: path ?? "acme/\(sid).opus", durationMs: 93_420, codec: "opus", channels: 2,
            sizeBytes: 181_337, createdAt: createdAt)
    }

    static func webhook(at createdAt: Date = epoch, id: UUID = UUID()) -> WebhookDelivery {
        WebhookDelivery(
            id: id, event: "call.transcript", url: "https://crm.example/hooks/kol",
            payload: #"{"callSid":"CA1","turns":3}"#, createdAt: createdAt)
    }
}
