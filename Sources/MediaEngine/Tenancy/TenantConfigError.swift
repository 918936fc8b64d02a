/// Everything wrong with a tenant config file, each problem with its file, line and field, e.g.
/// `plugins.yaml:14: tenants[1].phone_numbers[0]: '+972-3-555' is not an E.164 number ...`.
///
/// The loader reports all problems it finds in one pass, sorted by line, so a tenant fixes them in one go.
public struct TenantConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem at one place.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The file as the loader was given it, e.g. `plugins.yaml`.
        public var file: String
        /// 1-based line, or nil when the problem is the file as a whole.
        public var line: Int?
        /// Dotted path of the field, e.g. `tenants[1].model.audio_path`; empty for file-level problems.
        public var field: String
        /// What is wrong and, where useful, what to write instead.
        public var problem: String

        public init(file: String, line: Int?, field: String, problem: String) {
            self.file = file
            self.line = line
            self.field = field
            self.problem = problem
        }

        public var description: String {
            let place = line.map { "\(file):\($0)" } ?? file
            return field.isEmpty ? "\(place): \(problem)" : "\(place): \(field): \(problem)"
        }
    }

    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    public init(file: String, line: Int?, field: String, problem: String) {
        self.init(issues: [Issue(file: file, line: line, field: field, problem: problem)])
    }

    /// One issue per line.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
