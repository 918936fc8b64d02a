/// One tenant (a business) from `plugins.yaml`: who it is, which numbers reach it, how its agent
/// talks, what is recorded, and which plugins it runs.
///
/// A call keeps the `TenantConfig` value it started with, so a reload never changes a call in
/// progress; `version` identifies that value in call records.
public struct TenantConfig: Sendable, Equatable, Encodable {
    /// Stable id used in storage and logs (`[a-z0-9][a-z0-9_-]*`, at most 64 characters).
    public var id: String
    /// Human-readable name, e.g. for dashboards and the demo timeline.
    public var displayName: String
    /// The numbers (Twilio `To`) that reach this tenant; each belongs to exactly one tenant.
    public var phoneNumbers: [PhoneNumber]
    public var language: TenantLanguage
    /// Name of the environment variable holding this tenant's Twilio auth token (never the token).
    public var twilioAuthTokenEnv: String
    public var model: ModelSettings
    public var recording: RecordingPolicy
    /// In file order, enabled or not.
    public var plugins: [PluginConfig]
    /// Hash of this tenant's parsed settings (16 hex digits); changes exactly when its config does.
    public internal(set) var version: String
    /// Where the tenant's entry starts in its file.
    public internal(set) var source: ConfigSource

    /// The plugins switched on, in file order.
    public var enabledPlugins: [PluginConfig] { plugins.filter(\.enabled) }

    /// The plugin entry called `name`, enabled or not.
    public func plugin(named name: String) -> PluginConfig? {
        plugins.first { $0.name == name }
    }

    /// The Twilio auth token from `environment` (usually `ProcessInfo.processInfo.environment`).
    public func twilioAuthToken(from environment: [String: String]) throws(TenantConfigError) -> String {
        guard let token = environment[twilioAuthTokenEnv], !token.isEmpty else {
            throw TenantConfigError(
                file: source.file, line: source.line, field: source.path + ".twilio_auth_token_env",
                problem: "environment variable \(twilioAuthTokenEnv) is not set; export the tenant's Twilio auth token in it")
        }
        return token
    }

    private enum CodingKeys: String, CodingKey {
        case id, displayName, phoneNumbers, language, twilioAuthTokenEnv, model, recording, plugins
    }
}

/// The language the tenant's agent speaks (and transcribes by default).
public enum TenantLanguage: String, Sendable, Equatable, CaseIterable, Encodable {
    case hebrew = "he"
    case english = "en"
}

/// Whether calls are recorded and for how long recordings are kept.
public struct RecordingPolicy: Sendable, Equatable, Encodable {
    public var enabled: Bool
    /// Recordings older than this are deleted by the retention cleaner.
    public var retentionDays: Int

    public init(enabled: Bool, retentionDays: Int) {
        self.enabled = enabled
        self.retentionDays = retentionDays
    }
}

/// Where a config entry came from, so later checks (e.g. a plugin validating its settings) can point
/// at the right line.
public struct ConfigSource: Sendable, Equatable {
    public var file: String
    public var line: Int?
    /// Dotted field path, e.g. `tenants[0].plugins[2]`.
    public var path: String

    public init(file: String, line: Int?, path: String) {
        self.file = file
        self.line = line
        self.path = path
    }
}
