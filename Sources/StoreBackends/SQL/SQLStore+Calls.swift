import Foundation
public import MediaEngine

/// Calls and their turns.
extension SQLStore {
    public func upsertCall(_ call: CallRecord, tenant: TenantID) async throws {
        try await write(tenant) { try Self.upsert(call, in: $0) }
    }

    public func call(sid: String, tenant: TenantID) async throws -> CallRecord? {
        try await read(tenant) { try $0.query(CallSQL.bySID, .text(sid)).first.map(Self.decodeCall) }
    }

    public func recentCalls(limit: Int, tenant: TenantID) async throws -> [CallRecord] {
        try await read(tenant) { try $0.query(CallSQL.recent, SQLValue(max(0, limit))).map(Self.decodeCall) }
    }

    public func deleteCall(sid: String, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { session in
            try session.execute(CallSQL.deleteTurns, .text(sid))
            return try session.execute(CallSQL.delete, .text(sid)) > 0
        }
    }

    public func upsertTurn(_ turn: TurnRecord, tenant: TenantID) async throws {
        try await write(tenant) { try Self.upsert(turn, in: $0) }
    }

    public func turns(callSID: String, tenant: TenantID) async throws -> [TurnRecord] {
        try await read(tenant) { try $0.query(CallSQL.turns, .text(callSID)).map(Self.decodeTurn) }
    }

    /// Inserts or replaces the call; never turns an ended call back into one in progress (a replayed
    /// start record after its end record).
    static func upsert(_ call: CallRecord, in session: TenantSession) throws {
        try session.execute(CallSQL.upsert, parameters(of: call))
    }

    static func upsert(_ turn: TurnRecord, in session: TenantSession) throws {
        try session.execute(CallSQL.upsertTurn, parameters(of: turn))
    }

    /// `$2...` of ``CallSQL/upsert``.
    static func parameters(of call: CallRecord) -> [SQLValue] {
        [
            .text(call.callSID), .text(call.from), .text(call.to), SQLValue(call.startedAt), SQLValue(call.endedAt),
            .text(call.status.rawValue), SQLValue(call.endReason), .text(call.configVersion),
            SQLValue(call.twilioStatus), SQLValue(call.twilioDurationSeconds),
        ]
    }

    /// `$2...` of ``CallSQL/recordStatus``: the report's own columns, then the row made from it when
    /// the call has none yet (see ``CallStatusReport``).
    static func parameters(of report: CallStatusReport) -> [SQLValue] {
        [
            .text(report.callSID), .text(report.from), .text(report.to), SQLValue(report.impliedStart),
            SQLValue(report.isFinal ? report.reportedAt : nil), .text(report.callStatus.rawValue),
            SQLValue(report.endReason), .text(report.configVersion), .text(report.twilioStatus),
            SQLValue(report.durationSeconds),
        ]
    }

    /// `$2...` of ``CallSQL/upsertTurn``.
    static func parameters(of turn: TurnRecord) -> [SQLValue] {
        [
            .text(turn.callSID), SQLValue(turn.index), .text(turn.speaker.rawValue), .integer(turn.startMediaMs),
            .integer(turn.endMediaMs), .text(turn.transcript), SQLValue(turn.interrupted), SQLValue(turn.truncatedAtMs),
            SQLValue(turn.latency?.endOfSpeechToFirstAudioMs), SQLValue(turn.latency?.modelMs),
            SQLValue(turn.latency?.engineMs),
        ]
    }

    static func decodeCall(_ row: SQLRow) throws -> CallRecord {
        let statusText = try row.text(5)
        guard let status = CallStatus(rawValue: statusText) else {
            throw SQLFailure(.decoding, "unknown call status '\(statusText)'")
        }
        return CallRecord(
            callSID: try row.text(0), from: try row.text(1), to: try row.text(2), startedAt: try row.date(3),
            endedAt: try row.optionalDate(4), status: status, endReason: try row.optionalText(6),
            configVersion: try row.text(7), twilioStatus: try row.optionalText(8),
            twilioDurationSeconds: try row.optionalInt(9))
    }

    static func decodeTurn(_ row: SQLRow) throws -> TurnRecord {
        let speakerText = try row.text(2)
        guard let speaker = TurnRecord.Speaker(rawValue: speakerText) else {
            throw SQLFailure(.decoding, "unknown speaker '\(speakerText)'")
        }
        var latency: TurnLatency?
        if let firstAudio = try row.optionalInt(8) {
            latency = TurnLatency(
                endOfSpeechToFirstAudioMs: firstAudio, modelMs: try row.optionalInt(9) ?? 0,
                engineMs: try row.optionalInt(10) ?? 0)
        }
        return TurnRecord(
            callSID: try row.text(0), index: try row.int(1), speaker: speaker, startMediaMs: try row.int64(3),
            endMediaMs: try row.int64(4), transcript: try row.text(5), interrupted: try row.bool(6),
            truncatedAtMs: try row.optionalInt64(7), latency: latency)
    }
}

/// The statements of calls and turns (tenant bound as `$1`).
enum CallSQL {
    /// Twilio's status and duration are only ever set here when given (a call written without them keeps
    /// what a status callback stored).
    static let upsert = TenantStatement(
        """
        INSERT INTO calls (tenant_id, call_sid, from_number, to_number, started_at_ms, ended_at_ms, status,
                           end_reason, config_version, twilio_status, twilio_duration_s)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (tenant_id, call_sid) DO UPDATE SET
            from_number = excluded.from_number, to_number = excluded.to_number,
            started_at_ms = excluded.started_at_ms, ended_at_ms = excluded.ended_at_ms, status = excluded.status,
            end_reason = excluded.end_reason, config_version = excluded.config_version,
            twilio_status = COALESCE(excluded.twilio_status, calls.twilio_status),
            twilio_duration_s = COALESCE(excluded.twilio_duration_s, calls.twilio_duration_s)
        WHERE calls.ended_at_ms IS NULL OR excluded.ended_at_ms IS NOT NULL
        """)
    /// A Twilio status callback: inserts a row made from the report when the call has none, otherwise
    /// sets only Twilio's status and duration, and never replaces a final status with one in progress.
    static let recordStatus = TenantStatement(
        """
        INSERT INTO calls (tenant_id, call_sid, from_number, to_number, started_at_ms, ended_at_ms, status,
                           end_reason, config_version, twilio_status, twilio_duration_s)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (tenant_id, call_sid) DO UPDATE SET
            twilio_status = excluded.twilio_status,
            twilio_duration_s = COALESCE(excluded.twilio_duration_s, calls.twilio_duration_s)
        WHERE calls.twilio_status IS NULL
           OR calls.twilio_status NOT IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')
           OR excluded.twilio_status IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')
        """)
    static let bySID = TenantStatement(
        """
        SELECT call_sid, from_number, to_number, started_at_ms, ended_at_ms, status, end_reason, config_version,
               twilio_status, twilio_duration_s
        FROM calls WHERE tenant_id = $1 AND call_sid = $2
        """)
    static let recent = TenantStatement(
        """
        SELECT call_sid, from_number, to_number, started_at_ms, ended_at_ms, status, end_reason, config_version,
               twilio_status, twilio_duration_s
        FROM calls WHERE tenant_id = $1 ORDER BY started_at_ms DESC, call_sid LIMIT $2
        """)
    static let delete = TenantStatement("DELETE FROM calls WHERE tenant_id = $1 AND call_sid = $2")
    static let deleteTurns = TenantStatement("DELETE FROM turns WHERE tenant_id = $1 AND call_sid = $2")

    static let upsertTurn = TenantStatement(
        """
        INSERT INTO turns (tenant_id, call_sid, turn_index, speaker, start_media_ms, end_media_ms, transcript,
                           interrupted, truncated_at_ms, eos_to_first_audio_ms, model_ms, engine_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (tenant_id, call_sid, turn_index) DO UPDATE SET
            speaker = excluded.speaker, start_media_ms = excluded.start_media_ms,
            end_media_ms = excluded.end_media_ms, transcript = excluded.transcript,
            interrupted = excluded.interrupted, truncated_at_ms = excluded.truncated_at_ms,
            eos_to_first_audio_ms = excluded.eos_to_first_audio_ms, model_ms = excluded.model_ms,
            engine_ms = excluded.engine_ms
        """)
    static let turns = TenantStatement(
        """
        SELECT call_sid, turn_index, speaker, start_media_ms, end_media_ms, transcript, interrupted,
               truncated_at_ms, eos_to_first_audio_ms, model_ms, engine_ms
        FROM turns WHERE tenant_id = $1 AND call_sid = $2 ORDER BY turn_index
        """)
}
