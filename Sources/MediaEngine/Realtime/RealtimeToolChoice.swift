/// `tool_choice`: whether and which tool the model must call.
public enum RealtimeToolChoice: Sendable, Hashable {
    /// "auto": the model decides.
    case auto
    /// "none": the model must not call tools. (Not named `none`, which would clash with `Optional.none`.)
    case noTools
    /// "required": the model must call some tool.
    case required
    /// `{"type":"function","name":…}`: the model must call this function.
    case function(name: String)
}

extension RealtimeToolChoice: Codable {
    private enum CodingKeys: String, CodingKey { case type, name }

    public init(from decoder: any Decoder) throws {
        if let mode = try? decoder.singleValueContainer().decode(String.self) {
            switch mode {
            case "auto": self = .auto
            case "none": self = .noTools
            case "required": self = .required
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown tool_choice '\(mode)'"))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        guard type == "function" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unsupported tool_choice type '\(type)'")
        }
        self = .function(name: try c.decode(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .auto:
            var c = encoder.singleValueContainer()
            try c.encode("auto")
        case .noTools:
            var c = encoder.singleValueContainer()
            try c.encode("none")
        case .required:
            var c = encoder.singleValueContainer()
            try c.encode("required")
        case .function(let name):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("function", forKey: .type)
            try c.encode(name, forKey: .name)
        }
    }
}
