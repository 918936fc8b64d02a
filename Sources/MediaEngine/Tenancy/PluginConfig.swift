/// One plugin entry of a tenant: which handler plugin to run and its free-form settings.
///
/// The plugin itself interprets `settings`; to report a bad setting it calls `issue(at:_:)`, which
/// points at the setting's own line in `plugins.yaml`.
public struct PluginConfig: Sendable, Equatable, Encodable {
    /// Registry name, e.g. `dtmf_menu` (`[a-z][a-z0-9_]*`).
    public var name: String
    public var enabled: Bool
    public var settings: [String: ConfigValue]
    /// Where the entry is (`tenants[0].plugins[2]` at some line).
    public internal(set) var source: ConfigSource
    /// Line of every node under `settings`, keyed by its path relative to `settings` (e.g. `menu[1].digit`).
    public internal(set) var settingLines: [String: Int]

    public init(name: String, enabled: Bool, settings: [String: ConfigValue], source: ConfigSource, settingLines: [String: Int] = [:]) {
        self.name = name
        self.enabled = enabled
        self.settings = settings
        self.source = source
        self.settingLines = settingLines
    }

    /// A config problem in this plugin's settings at `settingPath` (relative to `settings`, e.g.
    /// `menu[1].digit`), located at that setting's line when known.
    public func issue(at settingPath: String, _ problem: String) -> TenantConfigError.Issue {
        let field = settingPath.isEmpty ? source.path + ".settings" : source.path + ".settings." + settingPath
        return .init(file: source.file, line: settingLines[settingPath] ?? source.line, field: field, problem: problem)
    }

    private enum CodingKeys: String, CodingKey {
        case name, enabled, settings
    }
}
