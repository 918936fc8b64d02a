/// A phone number in E.164 form (`+972501234567`): the key leads are deduplicated by, per tenant.
///
/// Callers, forms and transcripts write the same number many ways (`050-123-4567`, `+972 50 123 4567`,
/// `00972501234567`); normalizing once, here, is what makes "one lead per person" hold.
public struct NormalizedPhone: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// `+` followed by 8 to 15 digits.
    public let rawValue: String

    /// Accepts only an already normalized value (`+` and 8 to 15 digits), as read back from storage.
    public init?(rawValue: String) {
        guard Self.isE164(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Normalizes a number as people and carriers write it; nil when it cannot be a phone number.
    ///
    /// - Parameters:
    ///   - raw: the number; spaces, dashes, dots, slashes and parentheses are ignored.
    ///   - defaultCountryCode: the country calling code (digits, no `+`) assumed for a national number
    ///     that starts with the trunk prefix `0`; Israel's `972` by default.
    ///
    /// Rules: `+digits` is kept; `00digits` is international (`+digits`); `0digits` is national
    /// (`+<country>digits` without the `0`); other bare digits are taken as already international
    /// (Twilio sometimes drops the `+`).
    public init?(_ raw: String, defaultCountryCode: String = "972") {
        var digits = ""
        var hasPlus = false
        for (position, character) in raw.enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where position == 0 || (digits.isEmpty && !hasPlus): hasPlus = true
            case " ", "-", ".", "(", ")", "/", "\u{00A0}": continue
            default: return nil
            }
        }
        let international: String
        if hasPlus {
            international = digits
        } else if digits.hasPrefix("00") {
            international = String(digits.dropFirst(2))
        } else if digits.hasPrefix("0") {
            guard !defaultCountryCode.isEmpty, defaultCountryCode.allSatisfy(\.isASCIIDigit) else { return nil }
            international = defaultCountryCode + digits.dropFirst()
        } else {
            international = digits
        }
        let candidate = "+" + international
        guard Self.isE164(candidate) else { return nil }
        rawValue = candidate
    }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        guard let phone = NormalizedPhone(rawValue: value) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an E.164 number: \(value)"))
        }
        self = phone
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    private static func isE164(_ value: String) -> Bool {
        guard value.first == "+" else { return false }
        let digits = value.dropFirst()
        return (8...15).contains(digits.count) && digits.first != "0" && digits.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
