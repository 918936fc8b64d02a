import Crypto
import Foundation
import Yams

/// All tenants of one loaded `plugins.yaml`, with lookup by called number and by id.
///
/// An immutable value: a config reload builds a new directory and swaps it in, while calls in progress
/// keep the `TenantConfig` they started with. Loading validates everything and fails with a
/// `TenantConfigError` listing each problem's file, line and field.
public struct TenantDirectory: Sendable {
    /// In file order.
    public let tenants: [TenantConfig]
    /// Hash of the file's bytes (16 hex digits): which file a node or a call was running.
    public let version: String
    /// The file name or path as given to the loader, used in error messages.
    public let sourceName: String

    private let tenantIndexByNumber: [PhoneNumber: Int]
    private let tenantIndexByID: [String: Int]

    /// Reads and validates the file at `path`. `knownPlugins`, when given, makes unknown plugin names errors.
    public static func load(path: String, knownPlugins: Set<String>? = nil) throws(TenantConfigError) -> TenantDirectory {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TenantConfigError(file: path, line: nil, field: "", problem: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TenantConfigError(file: path, line: nil, field: "", problem: "the file is not UTF-8 text")
        }
        return try TenantDirectory(yaml: text, sourceName: path, knownPlugins: knownPlugins)
    }

    /// Parses and validates YAML text; `sourceName` names it in errors.
    public init(yaml: String, sourceName: String = "plugins.yaml", knownPlugins: Set<String>? = nil) throws(TenantConfigError) {
        let reader = ConfigReader(file: sourceName)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: sourceName)
        } catch {
            throw TenantConfigError(file: sourceName, line: nil, field: "", problem: "YAML error: \(error)")
        }
        let tenants = TenantConfigParser(reader: reader, knownPlugins: knownPlugins).tenants(fromDocument: root)
        guard reader.issues.isEmpty else {
            throw TenantConfigError(issues: reader.issues.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        self.tenants = tenants
        version = Self.hexPrefix(SHA256.hash(data: Array(yaml.utf8)))
        self.sourceName = sourceName
        var byNumber: [PhoneNumber: Int] = [:]
        var byID: [String: Int] = [:]
        for (index, tenant) in tenants.enumerated() {
            byID[tenant.id] = index
            for number in tenant.phoneNumbers { byNumber[number] = index }
        }
        tenantIndexByNumber = byNumber
        tenantIndexByID = byID
    }

    /// The tenant a call to `calledNumber` (Twilio's `To`) belongs to; nil for an unknown or unparseable
    /// number (answer those with `<Reject/>`). Formatting is normalized (`+1 (555) 555-0123`, `tel:`...).
    public func tenant(forCalledNumber calledNumber: String) -> TenantConfig? {
        guard let number = PhoneNumber(normalizing: calledNumber), let index = tenantIndexByNumber[number] else { return nil }
        return tenants[index]
    }

    public func tenant(id: String) -> TenantConfig? {
        tenantIndexByID[id].map { tenants[$0] }
    }

    // MARK: - Helpers

    private static func syntaxError(_ error: YamlError, file: String) -> TenantConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return TenantConfigError(file: file, line: mark.line, field: "", problem: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return TenantConfigError(file: file, line: context.mark.line, field: "",
                problem: "key \(keys) appears more than once in the same mapping; keep one")
        default:
            return TenantConfigError(file: file, line: nil, field: "", problem: "YAML error: \(error)")
        }
    }

    private static func hexPrefix(_ digest: SHA256.Digest) -> String {
        digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
