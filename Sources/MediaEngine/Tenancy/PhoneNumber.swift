/// A phone number in E.164 form: `+`, a country code and subscriber number, 7 to 15 digits in all,
/// no leading zero (e.g. `+97235550100`). This is how Twilio sends `To`/`From` and how tenants list
/// their numbers in `plugins.yaml`.
public struct PhoneNumber: Sendable, Hashable, Comparable, Encodable, CustomStringConvertible {
    /// The canonical text, e.g. `+15555550123`.
    public let e164: String

    /// Accepts only canonical E.164 text (what `plugins.yaml` must contain).
    public init?(e164 text: String) {
        let digits = text.utf8.dropFirst()
        guard text.utf8.first == UInt8(ascii: "+"), (7...15).contains(digits.count),
              let first = digits.first, first != UInt8(ascii: "0"),
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        e164 = text
    }

    /// Accepts common spellings of an international number and normalizes them: surrounding spaces, a
    /// `tel:` prefix, spaces, dashes, dots and parentheses between digits, and `00` for `+`
    /// (`" tel:+1 (555) 555-0123 "` -> `+15555550123`). A number without a country code is refused.
    public init?(normalizing text: String) {
        var rest = Substring(text.trimmingSpaces())
        if rest.lowercased().hasPrefix("tel:") { rest = rest.dropFirst(4) }
        var canonical = ""
        for character in rest {
            switch character {
            case " ", "-", ".", "(", ")", "\u{00A0}": continue
            default: canonical.append(character)
            }
        }
        if canonical.hasPrefix("00") { canonical = "+" + canonical.dropFirst(2) }
        self.init(e164: canonical)
    }

    public var description: String { e164 }

    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 < rhs.e164 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
