import Yams

/// Turns the composed YAML of `plugins.yaml` into `TenantConfig`s, checking every field (shape below)
/// and the rules across tenants: unique ids, each number claimed by one tenant only.
///
/// ```yaml
/// version: 1                      # optional; the schema version, must be 1
/// tenants:
///   - id: tlv-dental              # [a-z0-9][a-z0-9_-]*, unique
///     display_name: ...
///     phone_numbers: [+97235550100]
///     language: he                # he | en
///     twilio_auth_token_env: TWILIO_AUTH_TOKEN_TLV_DENTAL
///     model: {...}                # see TenantConfigParser+Model.swift
///     recording: {enabled: true, retention_days: 30}
///     plugins:
///       - {name: faq, enabled: true, settings: {...}}
/// ```
final class TenantConfigParser {
    static let topLevelKeys = ["version", "tenants"]
    static let tenantKeys = [
        "id", "display_name", "phone_numbers", "language", "twilio_auth_token_env", "model", "recording", "plugins",
    ]
    static let recordingKeys = ["enabled", "retention_days"]
    static let pluginKeys = ["name", "enabled", "settings"]

    let reader: ConfigReader
    /// When set, plugin names outside it are errors (the plugin registry's names).
    let knownPlugins: Set<String>?

    /// Tenant ids and numbers seen so far, for the cross-tenant rules.
    private var tenantIDs: [String: (path: String, line: Int?)] = [:]
    private var numberClaims: [PhoneNumber: (tenantID: String, line: Int?)] = [:]

    init(reader: ConfigReader, knownPlugins: Set<String>?) {
        self.reader = reader
        self.knownPlugins = knownPlugins
    }

    func tenants(fromDocument root: Node?) -> [TenantConfig] {
        guard let root, !reader.isNull(root) else {
            reader.report(line: nil, field: "", "the file is empty; it needs a 'tenants:' list")
            return []
        }
        guard let top = reader.mapping(root, path: "", allowedKeys: Self.topLevelKeys) else { return [] }
        if let versionNode = top.values["version"], reader.string(versionNode, field: "version") != "1" {
            reader.report(versionNode, field: "version", "unsupported schema version; this engine reads version 1")
        }
        let entries = reader.sequence(top, "tenants", required: true) ?? []
        return entries.compactMap { tenant($0.node, path: $0.path) }
    }

    private func tenant(_ node: Node, path: String) -> TenantConfig? {
        guard let fields = reader.mapping(node, path: path, allowedKeys: Self.tenantKeys) else { return nil }
        let id = tenantID(fields)
        let language: TenantLanguage = reader.choice(fields, "language", required: true, what: "a supported language") ?? .hebrew
        let tokenEnv = reader.string(fields, "twilio_auth_token_env", required: true) ?? ""
        if !tokenEnv.isEmpty, !Self.isEnvironmentName(tokenEnv), let tokenNode = fields.values["twilio_auth_token_env"] {
            reader.report(tokenNode, field: fields.path("twilio_auth_token_env"),
                "'\(tokenEnv)' is not an environment variable name; use capitals, digits and '_' (the token itself goes in the environment)")
        }
        let model: ModelSettings
        if let modelNode = fields.values["model"], !reader.isNull(modelNode) {
            model = modelSettings(modelNode, path: fields.path("model"), language: language)
        } else {
            reader.report(line: fields.line, field: fields.path("model"), "is required (at least 'instructions')")
            model = modelSettings(nil, path: fields.path("model"), language: language)
        }
        let source = ConfigSource(file: reader.file, line: fields.line, path: path)
        return TenantConfig(
            id: id,
            displayName: reader.string(fields, "display_name", required: true) ?? id,
            phoneNumbers: phoneNumbers(fields, tenantID: id),
            language: language,
            twilioAuthTokenEnv: tokenEnv,
            model: model,
            recording: recording(fields),
            plugins: plugins(fields),
            source: source)
    }

    private func tenantID(_ fields: ConfigReader.Mapping) -> String {
        guard let id = reader.string(fields, "id", required: true) else { return "" }
        let node = fields.values["id"]
        guard Self.isTenantID(id) else {
            node.map { reader.report($0, field: fields.path("id"),
                "'\(id)' is not a valid tenant id; use lowercase letters, digits, '-' and '_', starting with a letter or digit (at most 64)") }
            return id
        }
        if let previous = tenantIDs[id] {
            node.map { reader.report($0, field: fields.path("id"),
                "tenant id '\(id)' is already used by \(previous.path)\(Self.atLine(previous.line))") }
        } else {
            tenantIDs[id] = (fields.path, node?.mark?.line)
        }
        return id
    }

    private func phoneNumbers(_ fields: ConfigReader.Mapping, tenantID: String) -> [PhoneNumber] {
        guard let entries = reader.sequence(fields, "phone_numbers", required: true) else { return [] }
        if entries.isEmpty {
            reader.report(line: fields.values["phone_numbers"]?.mark?.line, field: fields.path("phone_numbers"), "needs at least one number")
        }
        var numbers: [PhoneNumber] = []
        for entry in entries {
            guard let text = reader.string(entry.node, field: entry.path) else { continue }
            guard let number = PhoneNumber(e164: text) else {
                reader.report(entry.node, field: entry.path,
                    "'\(text)' is not an E.164 number; write '+', the country code and the number, digits only (e.g. +97235550100)")
                continue
            }
            let line = entry.node.mark?.line
            if let claim = numberClaims[number] {
                let owner = claim.tenantID == tenantID ? "this tenant" : "tenant '\(claim.tenantID)'"
                reader.report(entry.node, field: entry.path, "\(number) is already claimed by \(owner)\(Self.atLine(claim.line))")
                continue
            }
            numberClaims[number] = (tenantID, line)
            numbers.append(number)
        }
        return numbers
    }

    private func recording(_ fields: ConfigReader.Mapping) -> RecordingPolicy {
        let standard = RecordingPolicy(enabled: false, retentionDays: 30)
        guard let node = fields.values["recording"], !reader.isNull(node),
              let recording = reader.mapping(node, path: fields.path("recording"), allowedKeys: Self.recordingKeys)
        else { return standard }
        return RecordingPolicy(
            enabled: reader.bool(recording, "enabled") ?? standard.enabled,
            retentionDays: reader.int(recording, "retention_days", in: 1...3650) ?? standard.retentionDays)
    }

    private func plugins(_ fields: ConfigReader.Mapping) -> [PluginConfig] {
        guard let entries = reader.sequence(fields, "plugins", required: false) else { return [] }
        var seen: [String: Int?] = [:]
        var plugins: [PluginConfig] = []
        for entry in entries {
            guard let plugin = reader.mapping(entry.node, path: entry.path, allowedKeys: Self.pluginKeys),
                  let name = reader.string(plugin, "name", required: true)
            else { continue }
            let nameNode = plugin.values["name"] ?? entry.node
            if !Self.isPluginName(name) {
                reader.report(nameNode, field: plugin.path("name"),
                    "'\(name)' is not a plugin name; use lowercase letters, digits and '_', starting with a letter")
            } else if let knownPlugins, !knownPlugins.contains(name) {
                reader.report(nameNode, field: plugin.path("name"), "unknown plugin '\(name)'"
                    + ConfigReader.suggestion(for: name, among: knownPlugins.sorted())
                    + "; known plugins: \(knownPlugins.sorted().joined(separator: ", "))")
            }
            if let firstLine = seen[name] {
                reader.report(nameNode, field: plugin.path("name"), "plugin '\(name)' is listed twice\(Self.atLine(firstLine))")
            }
            seen[name] = nameNode.mark?.line
            var lines: [String: Int] = [:]
            var settings: [String: ConfigValue] = [:]
            if let settingsNode = plugin.values["settings"], !reader.isNull(settingsNode) {
                if case .mapping = settingsNode {
                    settings = reader.configValue(settingsNode, field: plugin.path("settings"), relativePath: "", lines: &lines).mapValue ?? [:]
                } else {
                    reader.report(settingsNode, field: plugin.path("settings"), "should be a mapping of 'key: value' lines")
                }
            }
            plugins.append(PluginConfig(
                name: name, enabled: reader.bool(plugin, "enabled") ?? true, settings: settings,
                source: ConfigSource(file: reader.file, line: plugin.line, path: entry.path), settingLines: lines))
        }
        return plugins
    }

    // MARK: - Name rules

    static func atLine(_ line: Int?) -> String {
        guard let line else { return "" }
        return " (line \(line))"
    }

    static func isTenantID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isLowerOrDigit(first) else { return false }
        return bytes.allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func isPluginName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return bytes.allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "_") }
    }

    static func isEnvironmentName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return bytes.allSatisfy {
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "_")
        }
    }

    private static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
