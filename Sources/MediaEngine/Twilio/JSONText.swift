/// JSON string escaping for hand-built messages (RFC 8259 section 7).
///
/// Escapes `"` and `\`, writes control characters as `\n`, `\t`... or `\u00XX`, and copies every other
/// byte, including `/` and multi-byte UTF-8, unchanged. The output is the text between the quotes.
enum JSONText {
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// The hot-path form (payloads): runs of bytes that need no escaping are copied in bulk.
    static func appendEscaped(_ text: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        var runStart = 0
        for index in 0..<text.count where needsEscape(text[index]) {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<index]))
            appendEscaped(CollectionOfOne(text[index]), to: &output)
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<text.count]))
    }

    @inline(__always) static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    static func appendEscaped<Bytes: Sequence<UInt8>>(_ text: Bytes, to output: inout [UInt8]) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0x08: appendShortEscape(UInt8(ascii: "b"), to: &output)
            case 0x09: appendShortEscape(UInt8(ascii: "t"), to: &output)
            case 0x0A: appendShortEscape(UInt8(ascii: "n"), to: &output)
            case 0x0C: appendShortEscape(UInt8(ascii: "f"), to: &output)
            case 0x0D: appendShortEscape(UInt8(ascii: "r"), to: &output)
            case 0x00..<0x20:
                output.append(UInt8(ascii: "\\"))
                output.append(UInt8(ascii: "u"))
                output.append(UInt8(ascii: "0"))
                output.append(UInt8(ascii: "0"))
                hexDigits.withUTF8Buffer { digits in
                    output.append(digits[Int(byte >> 4)])
                    output.append(digits[Int(byte & 0x0F)])
                }
            default:
                output.append(byte)
            }
        }
    }

    private static func appendShortEscape(_ letter: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
    }
}
