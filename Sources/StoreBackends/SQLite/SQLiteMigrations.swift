/// The SQLite schema's history. Times are INTEGER milliseconds since the Unix epoch; booleans are 0/1.
enum SQLiteMigrations {
    static let migrator = SchemaMigrator(migrations: [v1, v2, v3], lockStatement: nil)

    /// Calls, turns, leads, appointments (no double booking, by trigger) and recordings.
    static let v1 = Migration(
        version: 1, name: "core schema",
        statements: [
            """
            CREATE TABLE calls (
                tenant_id TEXT NOT NULL, call_sid TEXT NOT NULL, from_number TEXT NOT NULL, to_number TEXT NOT NULL,
                started_at_ms INTEGER NOT NULL, ended_at_ms INTEGER,
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
                start_media_ms INTEGER NOT NULL, end_media_ms INTEGER NOT NULL, transcript TEXT NOT NULL,
                interrupted INTEGER NOT NULL CHECK (interrupted IN (0, 1)), truncated_at_ms INTEGER,
                eos_to_first_audio_ms INTEGER, model_ms INTEGER, engine_ms INTEGER,
                PRIMARY KEY (tenant_id, call_sid, turn_index),
                CHECK (end_media_ms >= start_media_ms))
            """,
            """
            CREATE TABLE leads (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT, phone TEXT NOT NULL, source_call_sid TEXT,
                status TEXT NOT NULL DEFAULT 'new', created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, phone))
            """,
            "CREATE INDEX leads_recent ON leads (tenant_id, updated_at_ms DESC)",
            """
            CREATE TABLE appointments (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, calendar TEXT NOT NULL DEFAULT '',
                starts_at_ms INTEGER NOT NULL, ends_at_ms INTEGER NOT NULL, customer_name TEXT NOT NULL,
                customer_phone TEXT, source_call_sid TEXT, notes TEXT, created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CHECK (ends_at_ms > starts_at_ms))
            """,
            "CREATE INDEX appointments_by_time ON appointments (tenant_id, calendar, starts_at_ms)",
            // No double booking: SQLite has one writer at a time, so a check in a trigger cannot race.
            """
            CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
            WHEN EXISTS (
                SELECT 1 FROM appointments
                WHERE tenant_id = NEW.tenant_id AND calendar = NEW.calendar
                  AND starts_at_ms < NEW.ends_at_ms AND ends_at_ms > NEW.starts_at_ms)
            BEGIN SELECT RAISE(ABORT, 'appointment_overlap'); END
            """,
            """
            CREATE TRIGGER appointments_no_overlap_update
            BEFORE UPDATE OF tenant_id, calendar, starts_at_ms, ends_at_ms ON appointments
            WHEN EXISTS (
                SELECT 1 FROM appointments
                WHERE tenant_id = NEW.tenant_id AND calendar = NEW.calendar AND id <> NEW.id
                  AND starts_at_ms < NEW.ends_at_ms AND ends_at_ms > NEW.starts_at_ms)
            BEGIN SELECT RAISE(ABORT, 'appointment_overlap'); END
            """,
            """
            CREATE TABLE recordings (
                tenant_id TEXT NOT NULL, call_sid TEXT NOT NULL, relative_path TEXT NOT NULL,
                duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0), codec TEXT NOT NULL,
                channels INTEGER NOT NULL CHECK (channels IN (1, 2)),
                size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0), created_at_ms INTEGER NOT NULL,
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
            // SQLite cannot add a foreign key to a table: rebuild it, keeping every row.
            """
            CREATE TABLE leads_v2 (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT, phone TEXT NOT NULL, source_call_sid TEXT,
                status TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, phone),
                FOREIGN KEY (tenant_id, status) REFERENCES lead_statuses (tenant_id, name))
            """,
            """
            INSERT INTO leads_v2 (tenant_id, id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms)
            SELECT tenant_id, id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms FROM leads
            """,
            "DROP TABLE leads",
            "ALTER TABLE leads_v2 RENAME TO leads",
            "CREATE INDEX leads_recent ON leads (tenant_id, updated_at_ms DESC)",
            """
            CREATE TABLE webhook_outbox (
                tenant_id TEXT NOT NULL, id TEXT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL,
                payload TEXT NOT NULL, created_at_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at_ms INTEGER NOT NULL, lease_until_ms INTEGER, delivered_at_ms INTEGER, last_error TEXT,
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
