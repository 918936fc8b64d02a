/// Walks the members of one top-level JSON object in UTF-8 bytes without allocating: the engine of the
/// hot-path readers (`OutputAudioDeltaFrame.scan`, `InputAudioAppendFrame.scan`).
///
/// It validates the JSON grammar as it goes (strings, escapes, numbers, literals, nested values) and
/// reports string values as byte ranges into the caller's buffer. It is deliberately conservative: a
/// string with escapes or non-ASCII text is reported as not plain (its bytes are not used as its value),
/// and invalid UTF-8, a nesting depth over 32, or anything malformed stops it with `failed`; the readers
/// then leave the frame to the general decoder (which gives the authoritative answer). So a frame the
/// fast path accepts always decodes to the same values on the slow path.
struct JSONObjectScanner {
    /// A member's value as far as the hot-path readers care.
    enum Value: Equatable {
        /// A string of ASCII text without escapes: the byte range of its contents (quotes excluded).
        case string(Range<Int>)
        /// A string with escapes or non-ASCII (valid UTF-8) text: its bytes are not used as its value.
        case escapedString
        /// An integer that fits in `Int` (no fraction or exponent).
        case integer(Int)
        /// Anything else: another number, true, false, null, an object or an array.
        case other
    }

    struct Member {
        /// Byte range of the key's contents; meaningful only when `keyEscaped` is false.
        var key: Range<Int>
        var keyEscaped: Bool
        var value: Value
    }

    private enum State { case members, finished, failed }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var state = State.members

    /// True once the closing `}` has been read and only whitespace follows it.
    var finished: Bool { state == .finished }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { state = .failed; return }
        skipWhitespace()
        if take(UInt8(ascii: "}")) { finish() }
    }

    /// The next member, or nil at the end of the object (check `finished`) or on malformed input.
    mutating func next() -> Member? {
        guard state == .members else { return nil }
        guard take(UInt8(ascii: "\"")), let key = scanStringBody() else { return fail() }
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { return fail() }
        skipWhitespace()
        guard let value = scanValue(depth: 0) else { return fail() }
        skipWhitespace()
        if take(UInt8(ascii: ",")) {
            skipWhitespace()
        } else if take(UInt8(ascii: "}")) {
            finish()
        } else {
            return fail()
        }
        return Member(key: key.range, keyEscaped: key.escaped, value: value)
    }

    /// True when the bytes in `range` are exactly `text` (ASCII, compared without allocating).
    static func bytes(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for i in 0..<range.count where bytes[range.lowerBound + i] != expected[i] { return false }
        return true
    }

    // MARK: - Grammar

    private mutating func finish() {
        skipWhitespace()
        state = index == bytes.count ? .finished : .failed
    }

    private mutating func fail() -> Member? {
        state = .failed
        return nil
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    /// After the opening quote: reads to the closing quote.
    private mutating func scanStringBody() -> (range: Range<Int>, escaped: Bool)? {
        let start = index
        var escaped = false
        while let b = current {
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return (start..<(index - 1), escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard let e = current else { return nil }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = current, Self.isHexDigit(h) else { return nil }
                        index += 1
                    }
                default:
                    return nil
                }
            case 0..<0x20:
                return nil  // control characters are invalid JSON
            case 0x80...0xFF:
                // Valid UTF-8 is skipped, its value left to the general decoder; invalid UTF-8 fails.
                guard let length = utf8SequenceLength() else { return nil }
                escaped = true
                index += length
            default:
                index += 1
            }
        }
        return nil
    }

    /// The length of the well-formed UTF-8 sequence at `index` (its first byte >= 0x80), or nil: no
    /// overlong forms, surrogates or code points above U+10FFFF (RFC 3629 §4).
    private func utf8SequenceLength() -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the second byte's range
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { return nil }
        for i in 2..<length where bytes[index + i] & 0xC0 != 0x80 { return nil }
        return length
    }

    private mutating func scanValue(depth: Int) -> Value? {
        guard let b = current else { return nil }
        switch b {
        case UInt8(ascii: "\""):
            index += 1
            guard let s = scanStringBody() else { return nil }
            return s.escaped ? .escapedString : .string(s.range)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return scanNumber()
        case UInt8(ascii: "t"): return scanLiteral("true")
        case UInt8(ascii: "f"): return scanLiteral("false")
        case UInt8(ascii: "n"): return scanLiteral("null")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return depth < 32 && skipContainer(depth: depth + 1) ? .other : nil
        default:
            return nil
        }
    }

    private mutating func scanLiteral(_ word: StaticString) -> Value? {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count, Self.bytes(bytes, in: index..<(index + n), equal: word) else { return nil }
        index += n
        return .other
    }

    /// JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func scanNumber() -> Value? {
        let negative = take(UInt8(ascii: "-"))
        guard let first = current, Self.isDigit(first) else { return nil }
        var value = 0
        var fits = true
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            while let d = current, Self.isDigit(d) {
                let digit = Int(d - UInt8(ascii: "0"))
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
                if o1 || o2 { fits = false } else { value = s }
                index += 1
            }
        }
        var integral = true
        if take(UInt8(ascii: ".")) {
            integral = false
            guard scanDigits() else { return nil }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard scanDigits() else { return nil }
        }
        return integral && fits ? .integer(value) : .other
    }

    private mutating func scanDigits() -> Bool {
        let start = index
        while let d = current, Self.isDigit(d) { index += 1 }
        return index > start
    }

    /// At `{` or `[`: validates and skips the whole nested value.
    private mutating func skipContainer(depth: Int) -> Bool {
        let isObject = current == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if take(close) { return true }
        while true {
            if isObject {
                guard take(UInt8(ascii: "\"")), scanStringBody() != nil else { return false }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
            }
            guard scanValue(depth: depth) != nil else { return false }
            skipWhitespace()
            if take(UInt8(ascii: ",")) {
                skipWhitespace()
                continue
            }
            return take(close)
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F"))
    }
}
