import Crypto
import Foundation

/// One tenant (a business) from `plugins.yaml`: who it is, which numbers reach it, how its agent
/// talks, what is recorded, and which plugins it runs.
///
/// Immutable: a call keeps the `TenantConfig` value it started with, so a reload never changes a
/// call in progress; `version` identifies that value in call records.
public struct TenantConfig: Sendable, Equatable, Encodable {
    /// Stable id used in storage and logs (`[a-z0-9][a-z0-9_-]*`, at most 64 characters).
    public let id: String
    /// Human-readable name, e.g. for dashboards and the demo timeline.
    public let displayName: String
    /// The numbers (Twilio `To`) that reach this tenant; each belongs to exactly one tenant.
    public let phoneNumbers: [PhoneNumber]
    public let language: TenantLanguage
    /// Name of the environment variable holding this tenant's Twilio auth token (never the token).
    public let twilioAuthTokenEnv: String
    public let model: ModelSettings
    public let recording: RecordingPolicy
    /// In file order, enabled or not.
    public let plugins: [PluginConfig]
    /// Hash of this tenant's settings (16 hex digits), fixed at creation; it changes exactly when the
    /// tenant's config does, so a call can record which config it ran with.
    public private(set) var version: String  // set once, in init
    /// Where the tenant's entry starts in its file.
    public let source: ConfigSource

    /// A tenant built in code (tests, tools); `plugins.yaml` tenants come from `TenantDirectory`.
    /// `version` is computed from the settings.
    public init(
        id: String, displayName: String, phoneNumbers: [PhoneNumber], language: TenantLanguage,
        twilioAuthTokenEnv: String, model: ModelSettings, recording: RecordingPolicy, plugins: [PluginConfig],
        source: ConfigSource = ConfigSource(file: "<code>", line: nil, path: "")
    ) {
        self.id = id
        self.displayName = displayName
        self.phoneNumbers = phoneNumbers
        self.language = language
        self.twilioAuthTokenEnv = twilioAuthTokenEnv
        self.model = model
        self.recording = recording
        self.plugins = plugins
        self.source = source
        version = ""
        version = Self.contentVersion(of: self)
    }

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

    /// Hash of the settings as canonical JSON (sorted keys): equal settings give equal versions,
    /// whatever the file's formatting. (Encoding cannot fail: every value is a string, bool, integer
    /// or finite number.)
    static func contentVersion(of tenant: TenantConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(tenant)) ?? Data()
        return SHA256.hash(data: json).prefix(8).map { String(format: "%02x", $0) }.joined()
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
