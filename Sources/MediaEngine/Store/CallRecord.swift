public import Foundation

/// One phone call as stored: written when it starts and again when it ends (the same row, keyed by
/// tenant and call SID, so writing it twice or replaying it from the spill file never duplicates it).
///
/// Times are wall-clock and stored with millisecond precision.
public struct CallRecord: Sendable, Codable, Equatable {
    /// Twilio's call SID (`CA...`): unique per call.
    public var callSID: String
    /// The caller's number as Twilio gives it (E.164 when known).
    public var from: String
    /// The called number (E.164): the number that selected the tenant.
    public var to: String
    public var startedAt: Date
    /// Nil while the call is in progress.
    public var endedAt: Date?
    public var status: CallStatus
    /// Why the call ended, in the call path's words (`caller_hangup`, `agent_hangup`, `error: ...`).
    public var endReason: String?
    /// The version of the tenant's config the call ran with (a call keeps the config it started with).
    public var configVersion: String
    /// The latest status Twilio reported for the call in a status callback (its `CallStatus`:
    /// `completed`, `busy`, `no-answer`...); nil until one arrives. See ``CallStatusReport``.
    public var twilioStatus: String?
    /// The call's duration as Twilio billed it (`CallDuration`, seconds), once a final status reported it.
    public var twilioDurationSeconds: Int?

    /// `twilioStatus` and `twilioDurationSeconds` are normally left nil here: status callbacks set them
    /// (``StoreWrite/Change/callStatus(_:)``), and writing a call with them nil keeps what is stored.
    public init(
        callSID: String, from: String, to: String, startedAt: Date, endedAt: Date? = nil,
        status: CallStatus = .inProgress, endReason: String? = nil, configVersion: String,
        twilioStatus: String? = nil, twilioDurationSeconds: Int? = nil
    ) {
        self.callSID = callSID
        self.from = from
        self.to = to
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.endReason = endReason
        self.configVersion = configVersion
        self.twilioStatus = twilioStatus
        self.twilioDurationSeconds = twilioDurationSeconds
    }
}

/// Where a call is in its life.
public enum CallStatus: String, Sendable, Codable, CaseIterable {
    case inProgress = "in_progress"
    /// Ended normally (either side hung up, or the agent ended it).
    case completed
    /// Ended by an error in the engine or the model session.
    case failed
}
