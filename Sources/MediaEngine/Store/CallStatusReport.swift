public import Foundation

/// A Twilio status callback (`POST /twilio/status`) for one call, as recorded against the call: its
/// `CallStatus` and, with a final status, its `CallDuration`.
///
/// Written through the ``StoreWriter`` as ``StoreWrite/Change/callStatus(_:)``. It updates only the
/// call's ``CallRecord/twilioStatus`` and ``CallRecord/twilioDurationSeconds``, so it can arrive before
/// or after the engine's own records of the call, on this node or another. When the call has no row yet
/// (the callback came first, or the call never reached an engine), a row is made from the report:
/// `from`, `to`, `configVersion`, started `durationSeconds` before `reportedAt`, and for a final status
/// ended at `reportedAt` with reason ``endReason``; the engine's records replace those values later.
/// A report of a call still in progress never replaces a final one already stored.
public struct CallStatusReport: Sendable, Codable, Equatable {
    public var callSID: String
    /// Twilio's `From` and `To` (E.164 when known; empty when Twilio sent none).
    public var from: String
    public var to: String
    /// Twilio's `CallStatus`: `queued`, `ringing`, `in-progress`, `completed`, `busy`, `failed`,
    /// `no-answer` or `canceled`.
    public var twilioStatus: String
    /// Twilio's `CallDuration` in seconds (sent with final statuses); nil when not given.
    public var durationSeconds: Int?
    /// When the engine received the callback.
    public var reportedAt: Date
    /// The tenant's config version when the callback arrived (used only for a row made from the report).
    public var configVersion: String

    public init(
        callSID: String, from: String, to: String, twilioStatus: String, durationSeconds: Int?, reportedAt: Date,
        configVersion: String
    ) {
        self.callSID = callSID
        self.from = from
        self.to = to
        self.twilioStatus = twilioStatus
        self.durationSeconds = durationSeconds
        self.reportedAt = reportedAt
        self.configVersion = configVersion
    }

    /// Twilio's statuses after which a call does not change any more.
    public static let finalStatuses: Set<String> = ["completed", "busy", "failed", "no-answer", "canceled"]

    /// True when the call is over according to Twilio.
    public var isFinal: Bool { Self.finalStatuses.contains(twilioStatus) }

    /// The engine's status for a row made from a final report: `failed` when Twilio says the call failed,
    /// else `completed` (busy, no answer and cancelled calls ended without an engine error).
    public var callStatus: CallStatus {
        guard isFinal else { return .inProgress }
        return twilioStatus == "failed" ? .failed : .completed
    }

    /// The end reason of a row made from a final report.
    public var endReason: String? { isFinal ? "Twilio reports the call \(twilioStatus)" : nil }

    /// The start of a row made from the report: `durationSeconds` before `reportedAt`.
    public var impliedStart: Date { reportedAt.addingTimeInterval(-TimeInterval(max(0, durationSeconds ?? 0))) }
}
