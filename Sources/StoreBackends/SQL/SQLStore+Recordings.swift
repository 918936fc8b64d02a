public import Foundation
public import MediaEngine

/// Recordings' metadata rows.
extension SQLStore {
    public func upsertRecording(_ recording: RecordingRecord, tenant: TenantID) async throws {
        try await write(tenant) { try Self.upsert(recording, in: $0) }
    }

    public func recording(callSID: String, tenant: TenantID) async throws -> RecordingRecord? {
        try await read(tenant) { try $0.query(RecordingSQL.byCall, .text(callSID)).first.map(Self.decodeRecording) }
    }

    public func recordings(createdBefore cutoff: Date, limit: Int, tenant: TenantID) async throws -> [RecordingRecord] {
        try await read(tenant) {
            try $0.query(RecordingSQL.createdBefore, SQLValue(cutoff), SQLValue(max(0, limit))).map(Self.decodeRecording)
        }
    }

    public func deleteRecording(callSID: String, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { try $0.execute(RecordingSQL.delete, .text(callSID)) > 0 }
    }

    /// The one read across tenants, and it returns tenant ids only (for the retention service).
    public func tenantsWithRecordings() async throws -> [TenantID] {
        try await mapErrors {
            try await database.read { session in
                try session.query("SELECT DISTINCT tenant_id FROM recordings ORDER BY tenant_id", [])
                    .map { TenantID(try $0.text(0)) }
            }
        }
    }

    static func upsert(_ recording: RecordingRecord, in session: TenantSession) throws {
        try session.execute(RecordingSQL.upsert, parameters(of: recording))
    }

    /// `$2...` of ``RecordingSQL/upsert``.
    static func parameters(of recording: RecordingRecord) -> [SQLValue] {
        [
            .text(recording.callSID), .text(recording.relativePath), .integer(recording.durationMs),
            .text(recording.codec), SQLValue(recording.channels), .integer(recording.sizeBytes),
            SQLValue(recording.createdAt),
        ]
    }

    static func decodeRecording(_ row: SQLRow) throws -> RecordingRecord {
        RecordingRecord(
            callSID: try row.text(0), relativePath: try row.text(1), durationMs: try row.int64(2),
            codec: try row.text(3), channels: try row.int(4), sizeBytes: try row.int64(5), createdAt: try row.date(6))
    }
}

/// The statements of recordings (tenant bound as `$1`).
enum RecordingSQL {
    static let upsert = TenantStatement(
        """
        INSERT INTO recordings (tenant_id, call_sid, relative_path, duration_ms, codec, channels, size_bytes,
                                created_at_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (tenant_id, call_sid) DO UPDATE SET
            relative_path = excluded.relative_path, duration_ms = excluded.duration_ms, codec = excluded.codec,
            channels = excluded.channels, size_bytes = excluded.size_bytes, created_at_ms = excluded.created_at_ms
        """)
    static let byCall = TenantStatement(
        """
        SELECT call_sid, relative_path, duration_ms, codec, channels, size_bytes, created_at_ms
        FROM recordings WHERE tenant_id = $1 AND call_sid = $2
        """)
    static let createdBefore = TenantStatement(
        """
        SELECT call_sid, relative_path, duration_ms, codec, channels, size_bytes, created_at_ms
        FROM recordings WHERE tenant_id = $1 AND created_at_ms < $2
        ORDER BY created_at_ms, call_sid LIMIT $3
        """)
    static let delete = TenantStatement("DELETE FROM recordings WHERE tenant_id = $1 AND call_sid = $2")
}
