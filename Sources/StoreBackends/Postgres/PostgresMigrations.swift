/// The PostgreSQL schema's history. Times are BIGINT milliseconds since the Unix epoch (the same
/// statements serve SQLite); booleans are BOOLEAN.
enum PostgresMigrations {
    /// A constant key for `pg_advisory_xact_lock`, so concurrent migrations (nodes starting together,
    /// tests in parallel schemas creating the shared extension) run one at a time.
    static let lockKey = 7_315_004_001

    static let migrator = SchemaMigrator(
        migrations: [v1, v2, v3], lockStatement: "SELECT pg_advisory_xact_lock(\(lockKey))")

    /// Calls, turns, leads, appointments (no double booking, by exclusion constraint) and recordings.
    static let v1 = Migration(
        version: 1, name: "core schema",
        statements: [
            // btree_gist lets the exclusion constraint compare text columns with `=`; it is a trusted
            // extension, so the database owner can create it. Installed in `public`, shared by all schemas.
            "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public",
            """
            CREATE TABLE calls (
                tenant_id TEXT NOT NULL, call_sid TEXT NOT NULL, from_number TEXT NOT NULL, to_number TEXT NOT NULL,
                started_at_ms BIGINT NOT NULL, ended_at_ms BIGINT,
                status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed')),
                end_reason TEXT, config_version TEXT NOT NULL,
                PRIMARY KEY (tenant_id, call_sid),
                CHECK (ended_at_ms IS NULL OR ended_at_ms >= started_at_ms))
            """,
            "CREATE INDEX calls_recent ON calls (tenant_id, started_at_ms DESC)",
            """
            CREATE TABLE turns (
                tenant_id TEXT NOT NULL, call_sid TEXT NOT NULL, turn_index INTEGER NOT NULL,
                speaker TEXT NOT NULL CHECK (speaker IN ('caller', 'agent')),
                start_media_ms BIGINT NOT NULL, end_media_ms BIGINT NOT NULL, transcript TEXT NOT NULL,
                interrupted BOOLEAN NOT NULL, truncated_at_ms BIGINT,
                eos_to_first_audio_ms INTEGER, model_ms INTEGER, engine_ms INTEGER,
                PRIMARY KEY (tenant_id, call_sid, turn_index),
                CHECK (end_media_ms >= start_media_ms))
            """,
            """
            CREATE TABLE leads (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT, phone TEXT NOT NULL, source_call_sid TEXT,
                status TEXT NOT NULL DEFAULT 'new', created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, phone))
            """,
            "CREATE INDEX leads_recent ON leads (tenant_id, updated_at_ms DESC)",
            """
            CREATE TABLE appointments (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, calendar TEXT NOT NULL DEFAULT '',
                starts_at_ms BIGINT NOT NULL, ends_at_ms BIGINT NOT NULL, customer_name TEXT NOT NULL,
                customer_phone TEXT, source_call_sid TEXT, notes TEXT, created_at_ms BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CHECK (ends_at_ms > starts_at_ms),
                CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
                    tenant_id WITH =, calendar WITH =, int8range(starts_at_ms, ends_at_ms) WITH &&))
            """,
            """
            CREATE TABLE recordings (
                tenant_id TEXT NOT NULL, call_sid TEXT NOT NULL, relative_path TEXT NOT NULL,
                duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0), codec TEXT NOT NULL,
                channels INTEGER NOT NULL CHECK (channels IN (1, 2)),
                size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0), created_at_ms BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, call_sid))
            """,
            "CREATE INDEX recordings_by_age ON recordings (tenant_id, created_at_ms)",
        ])

    /// Per-tenant lead statuses (leads now reference them) and the durable webhook outbox.
    static let v2 = Migration(
        version: 2, name: "lead statuses and webhook outbox",
        statements: [
            """
            CREATE TABLE lead_statuses (
                tenant_id TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, name))
            """,
            // Every status already in use becomes one of its tenant's statuses ('new' first).
            """
            INSERT INTO lead_statuses (tenant_id, name, position)
            SELECT tenant_id, status,
                   ROW_NUMBER() OVER (PARTITION BY tenant_id
                                      ORDER BY CASE WHEN status = 'new' THEN 0 ELSE 1 END, status) - 1
            FROM (SELECT DISTINCT tenant_id, status FROM leads) AS used
            """,
            "ALTER TABLE leads ALTER COLUMN status DROP DEFAULT",
            """
            ALTER TABLE leads ADD CONSTRAINT leads_status_fk
                FOREIGN KEY (tenant_id, status) REFERENCES lead_statuses (tenant_id, name)
            """,
            """
            CREATE TABLE webhook_outbox (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL,
                payload TEXT NOT NULL, created_at_ms BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at_ms BIGINT NOT NULL, lease_until_ms BIGINT, delivered_at_ms BIGINT, last_error TEXT,
                PRIMARY KEY (tenant_id, id))
            """,
            """
            CREATE INDEX webhook_outbox_due ON webhook_outbox (tenant_id, next_attempt_at_ms)
            WHERE delivered_at_ms IS NULL
            """,
        ])

    /// Twilio's status callbacks recorded against the call: its last reported status and billed duration.
    static let v3 = Migration(
        version: 3, name: "Twilio call status",
        statements: [
            "ALTER TABLE calls ADD COLUMN twilio_status TEXT",
            "ALTER TABLE calls ADD COLUMN twilio_duration_s INTEGER CHECK (twilio_duration_s >= 0)",
        ])
}
