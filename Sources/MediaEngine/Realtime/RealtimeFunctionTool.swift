/// A function the model may call: `{"type":"function","name":…,"description":…,"parameters":{JSON Schema}}`.
/// The model's call arrives as `response.function_call_arguments.done` with the arguments as JSON text.
public struct RealtimeFunctionTool: Sendable, Hashable {
    public var name: String
    /// When and how to call it, and what to tell the caller meanwhile.
    public var description: String?
    /// A JSON Schema object describing the arguments.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil,
                parameters: JSONValue = ["type": "object", "properties": [:], "required": []]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

extension RealtimeFunctionTool: Codable {
    private enum CodingKeys: String, CodingKey { case type, name, description, parameters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? "function"
        guard type == "function" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "only function tools are supported, got '\(type)'")
        }
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        parameters = try c.decodeIfPresent(JSONValue.self, forKey: .parameters) ?? .object([:])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("function", forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(parameters, forKey: .parameters)
    }
}
