/// `max_output_tokens`: the cap on one response's output tokens (tool calls included).
public enum RealtimeOutputTokenLimit: Sendable, Hashable {
    /// 1...4096 tokens.
    case tokens(Int)
    /// `"inf"`: the model's maximum (the API default).
    case unlimited
}

extension RealtimeOutputTokenLimit: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            self = .tokens(n)
        } else {
            let text = try c.decode(String.self)
            guard text == "inf" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "max_output_tokens must be an integer or \"inf\", got \"\(text)\"")
            }
            self = .unlimited
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .tokens(let n): try c.encode(n)
        case .unlimited: try c.encode("inf")
        }
    }
}
