/// How to reach PostgreSQL and how many connections to keep.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI or key=value string, e.g.
    /// `postgresql://kol@db.internal:5432/kol?sslmode=verify-full` (TLS, passwords and every other
    /// libpq setting go here; see libpq's "Connection Strings").
    public var connectionString: String
    /// The most connections this node opens (opened on demand).
    public var poolSize: Int
    /// A schema to keep the tables in (created if missing), e.g. one per test run; nil for the
    /// connection's default `search_path`. Lowercase letters, digits and `_` only.
    public var schema: String?
    /// How long a connection attempt may take before the database counts as unavailable.
    public var connectTimeoutSeconds: Int
    /// Shown in `pg_stat_activity`.
    public var applicationName: String

    public init(
        connectionString: String, poolSize: Int = 4, schema: String? = nil, connectTimeoutSeconds: Int = 5,
        applicationName: String = "kol-engine"
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.schema = schema
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
    }

    /// True when `name` can be used as an unquoted schema name.
    static func isValidSchemaName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63,
            ("a"..."z").contains(first) || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// libpq keyword/value pairs: defaults first, then the connection string (which overrides them),
    /// then the schema's `search_path` (which must win).
    var connectionParameters: [(key: String, value: String)] {
        var parameters: [(key: String, value: String)] = [
            ("connect_timeout", String(max(1, connectTimeoutSeconds))),
            ("application_name", applicationName),
            ("keepalives", "1"),
            ("dbname", connectionString),
        ]
        if let schema { parameters.append(("options", "-c search_path=\(schema),public")) }
        return parameters
    }
}
