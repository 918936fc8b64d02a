import Yams

/// Reads typed fields out of a composed YAML tree (Yams `Node`s carry 1-based line marks) and records
/// every problem with its file, line and dotted field path instead of stopping at the first one.
///
/// Accessors return nil when the field is absent-and-optional *or* wrong; the problem, if any, is
/// already recorded, so callers substitute a default and keep checking the rest of the file.
final class ConfigReader {
    let file: String
    private(set) var issues: [TenantConfigError.Issue] = []

    init(file: String) {
        self.file = file
    }

    /// A YAML mapping whose keys were checked against the allowed set.
    struct Mapping {
        let path: String
        /// Line of the mapping's first key: where "is required" problems point.
        let line: Int?
        let values: [String: Node]

        func path(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
    }

    func report(line: Int?, field: String, _ problem: String) {
        issues.append(.init(file: file, line: line, field: field, problem: problem))
    }

    func report(_ node: Node, field: String, _ problem: String) {
        report(line: node.mark?.line, field: field, problem)
    }

    /// Whether a node is an explicit or implicit YAML null (`~`, `null`, or nothing after the colon).
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ConfigValue.typedPlainScalar(scalar.string) == .null
    }

    /// The node as a mapping; keys outside `allowedKeys` are reported as unknown (typos are errors).
    func mapping(_ node: Node, path: String, allowedKeys: [String]) -> Mapping? {
        guard case .mapping(let mapping) = node else {
            report(node, field: path, "should be a mapping of 'key: value' lines")
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                report(keyNode, field: path, "keys must be plain names")
                continue
            }
            guard allowedKeys.contains(key.string) else {
                let field = path.isEmpty ? key.string : path + "." + key.string
                report(keyNode, field: field, "unknown key\(Self.suggestion(for: key.string, among: allowedKeys)); "
                    + "allowed here: \(allowedKeys.joined(separator: ", "))")
                continue
            }
            values[key.string] = valueNode
        }
        return Mapping(path: path, line: node.mark?.line, values: values)
    }

    /// The elements of the sequence at `key`, with their paths; nil if absent (reported if `required`).
    func sequence(_ mapping: Mapping, _ key: String, required: Bool) -> [(node: Node, path: String)]? {
        guard let node = present(mapping, key, required: required) else { return nil }
        guard case .sequence(let sequence) = node else {
            report(node, field: mapping.path(key), "should be a list ('- item' lines or [a, b])")
            return nil
        }
        return sequence.enumerated().map { (node: $0.element, path: mapping.path(key) + "[\($0.offset)]") }
    }

    /// A non-empty text field. Any scalar is read as its text, so `id: 42` is the string "42".
    func string(_ mapping: Mapping, _ key: String, required: Bool) -> String? {
        guard let node = present(mapping, key, required: required) else { return nil }
        return string(node, field: mapping.path(key))
    }

    func string(_ node: Node, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, field: field, "should be text, not a \(Self.kind(of: node))")
            return nil
        }
        guard !scalar.string.trimmingSpaces().isEmpty else {
            report(node, field: field, "must not be empty")
            return nil
        }
        return scalar.string
    }

    /// `true` or `false` only (YAML 1.1's `yes`/`no`/`on`/`off` are refused as ambiguous).
    func bool(_ mapping: Mapping, _ key: String) -> Bool? {
        guard let node = present(mapping, key, required: false) else { return nil }
        guard case .scalar(let scalar) = node, case .bool(let value) = ConfigValue.typedPlainScalar(scalar.string) else {
            report(node, field: mapping.path(key), "should be true or false")
            return nil
        }
        return value
    }

    func int(_ mapping: Mapping, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = present(mapping, key, required: false) else { return nil }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string), range.contains(value) else {
            report(node, field: mapping.path(key), "should be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func double(_ mapping: Mapping, _ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let node = present(mapping, key, required: false) else { return nil }
        guard case .scalar(let scalar) = node, let value = ConfigValue.typedPlainScalar(scalar.string).doubleValue,
              range.contains(value)
        else {
            report(node, field: mapping.path(key), "should be a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// One of an enum's raw values; the problem lists the accepted ones.
    func choice<Choice: RawRepresentable & CaseIterable>(
        _ mapping: Mapping, _ key: String, required: Bool, what: String
    ) -> Choice? where Choice.RawValue == String {
        guard let node = present(mapping, key, required: required),
              let text = string(node, field: mapping.path(key))
        else { return nil }
        guard let value = Choice(rawValue: text) else {
            let accepted = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            report(node, field: mapping.path(key), "'\(text)' is not \(what); use one of: \(accepted)")
            return nil
        }
        return value
    }

    /// A free-form value tree; records the line of every node under `relativePath` in `lines`.
    func configValue(_ node: Node, field: String, relativePath: String, lines: inout [String: Int]) -> ConfigValue {
        if let line = node.mark?.line { lines[relativePath] = line }
        switch node {
        case .scalar(let scalar):
            let plain = scalar.style == .plain || scalar.style == .any
            return plain ? ConfigValue.typedPlainScalar(scalar.string) : .string(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.enumerated().map { index, element in
                configValue(element, field: field + "[\(index)]", relativePath: relativePath + "[\(index)]", lines: &lines)
            })
        case .mapping(let mapping):
            var entries: [String: ConfigValue] = [:]
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    report(keyNode, field: field, "keys must be plain names")
                    continue
                }
                let childPath = relativePath.isEmpty ? key.string : relativePath + "." + key.string
                entries[key.string] = configValue(valueNode, field: field + "." + key.string, relativePath: childPath, lines: &lines)
            }
            return .map(entries)
        case .alias:
            report(node, field: field, "unresolved YAML alias")
            return .null
        }
    }

    // MARK: - Helpers

    /// The field's node, or nil if absent or null (reported as missing when `required`).
    private func present(_ mapping: Mapping, _ key: String, required: Bool) -> Node? {
        guard let node = mapping.values[key], !isNull(node) else {
            if required { report(line: mapping.values[key]?.mark?.line ?? mapping.line, field: mapping.path(key), "is required") }
            return nil
        }
        return node
    }

    private static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    /// " (did you mean 'x'?)" for a near miss: same letters ignoring case and `_`/`-`, or 1-2 edits away.
    static func suggestion(for key: String, among allowed: [String]) -> String {
        func squashed(_ text: String) -> String { text.lowercased().filter { $0 != "_" && $0 != "-" } }
        let best = allowed.map { (name: $0, distance: squashed($0) == squashed(key) ? 0 : editDistance(key, $0)) }
            .min { $0.distance < $1.distance }
        guard let best, best.distance <= 2 else { return "" }
        return " (did you mean '\(best.name)'?)"
    }

    /// Levenshtein distance (insertions, deletions, substitutions), for typo suggestions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
