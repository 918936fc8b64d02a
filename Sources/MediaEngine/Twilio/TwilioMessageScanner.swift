/// The allocation-free fast path for the two messages of a call's steady state: `media` (50 a second)
/// and `mark` (each echo of the engine's own marks, several a second while the bot speaks).
///
/// Twilio's JSON is flat and predictable, so a single forward scan over the UTF-8 bytes finds the
/// fields without building any objects: keys may come in any order, with any JSON whitespace, and
/// unknown keys (with any valid JSON value) are skipped. The scan gives up (returns nil) on anything
/// it does not handle in place: another event, a JSON escape inside a string (its text would need
/// unescaping), a missing field, a bad number or malformed JSON. The caller then runs `JSONDecoder`,
/// which produces the result or the precise error, so both paths agree on what is valid.
enum TwilioMessageScanner {
    /// Deeper nesting inside skipped values is not something Twilio sends; give up and let JSONDecoder judge.
    static let maxNesting = 16

    /// The `media` or `mark` message in `message`, or nil if this message needs the general path. A
    /// media frame's text fields are slices of `message`; a mark's name is copied (it is short).
    static func scan(_ message: UnsafeRawBufferPointer) -> TwilioMessage? {
        var cursor = Cursor(bytes: message)
        guard cursor.consume(Byte.openBrace), !cursor.consume(Byte.closeBrace) else { return nil }
        var event: Event?
        var sequenceNumber: Int?
        var streamSid: Range<Int>?
        var media: MediaBody?
        var markName: Range<Int>?
        repeat {
            guard let key = cursor.plainString(), cursor.consume(Byte.colon) else { return nil }
            if cursor.text(key, equals: "event") {
                guard event == nil, let value = cursor.plainString() else { return nil }
                if cursor.text(value, equals: "media") {
                    event = .media
                } else if cursor.text(value, equals: "mark") {
                    event = .mark
                } else {
                    return nil
                }
            } else if cursor.text(key, equals: "sequenceNumber") {
                guard let value = cursor.plainString(), let number = decimal(message[value]) else { return nil }
                sequenceNumber = number
            } else if cursor.text(key, equals: "streamSid") {
                guard let value = cursor.plainString() else { return nil }
                streamSid = value
            } else if cursor.text(key, equals: "media") {
                guard let value = cursor.mediaBody() else { return nil }
                media = value
            } else if cursor.text(key, equals: "mark") {
                guard let value = cursor.markName() else { return nil }
                markName = value
            } else {
                guard cursor.skipValue(depth: 0) else { return nil }
            }
        } while cursor.consume(Byte.comma)
        guard cursor.consume(Byte.closeBrace), cursor.atEnd(), let event, let sequenceNumber, let streamSid else { return nil }
        switch event {
        case .media:
            guard let media, let track = media.track, let chunk = media.chunk, let timestamp = media.timestamp,
                  let payload = media.payload
            else { return nil }
            return .media(TwilioMediaFrame(
                sequenceNumber: sequenceNumber, streamSid: .slice(streamSid), track: track,
                chunk: chunk, timestampMs: timestamp, payload: .slice(payload)))
        case .mark:
            guard let markName, let name = cursor.asciiString(markName), let sid = cursor.asciiString(streamSid) else {
                return nil
            }
            return .mark(.init(sequenceNumber: sequenceNumber, streamSid: sid, name: name))
        }
    }

    private enum Event { case media, mark }

    /// A non-negative decimal of 1...18 ASCII digits (no sign, no spaces), or nil. Shared with the
    /// general path so both accept exactly the same numeric strings.
    static func decimal<Digits: Collection<UInt8>>(_ digits: Digits) -> Int? {
        var value = 0
        var count = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, count < 18 else { return nil }
            value = value * 10 + Int(digit)
            count += 1
        }
        return count > 0 ? value : nil
    }

    /// The fields of the nested `media` object, each nil until seen.
    struct MediaBody {
        var track: TwilioMediaFrame.Track?
        var chunk: Int?
        var timestamp: Int?
        var payload: Range<Int>?
    }

    enum Byte {
        static let quote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")
        static let colon = UInt8(ascii: ":")
        static let comma = UInt8(ascii: ",")
        static let openBrace = UInt8(ascii: "{")
        static let closeBrace = UInt8(ascii: "}")
        static let openBracket = UInt8(ascii: "[")
        static let closeBracket = UInt8(ascii: "]")
    }

    /// A read position in the message. All methods skip leading JSON whitespace.
    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func atEnd() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        /// Consumes `byte` if it is next; otherwise leaves the position (after whitespace) unchanged.
        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// The byte range of a string's contents, or nil if the next value is not a string without
        /// escapes (escaped text needs the general path) or is not valid JSON.
        mutating func plainString() -> Range<Int>? {
            guard consume(Byte.quote) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Byte.quote {
                    index += 1
                    return start..<(index - 1)
                }
                if byte == Byte.backslash || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        func text(_ range: Range<Int>, equals literal: StaticString) -> Bool {
            literal.withUTF8Buffer { expected in
                guard expected.count == range.count else { return false }
                var position = range.lowerBound
                for byte in expected {
                    guard bytes[position] == byte else { return false }
                    position += 1
                }
                return true
            }
        }

        mutating func mediaBody() -> MediaBody? {
            guard consume(Byte.openBrace) else { return nil }
            var body = MediaBody()
            if consume(Byte.closeBrace) { return body }
            repeat {
                guard let key = plainString(), consume(Byte.colon) else { return nil }
                if text(key, equals: "payload") {
                    guard let value = plainString() else { return nil }
                    body.payload = value
                } else if text(key, equals: "chunk") {
                    guard let value = plainString(), let number = decimal(bytes[value]) else { return nil }
                    body.chunk = number
                } else if text(key, equals: "timestamp") {
                    guard let value = plainString(), let number = decimal(bytes[value]) else { return nil }
                    body.timestamp = number
                } else if text(key, equals: "track") {
                    guard let value = plainString() else { return nil }
                    if text(value, equals: "inbound") {
                        body.track = .inbound
                    } else if text(value, equals: "outbound") {
                        body.track = .outbound
                    } else {
                        return nil
                    }
                } else {
                    guard skipValue(depth: 1) else { return nil }
                }
            } while consume(Byte.comma)
            return consume(Byte.closeBrace) ? body : nil
        }

        /// The `mark` object's `name` (a plain string); other members are skipped. Nil if the object is
        /// malformed, has no plain `name`, or names it twice.
        mutating func markName() -> Range<Int>? {
            guard consume(Byte.openBrace) else { return nil }
            if consume(Byte.closeBrace) { return nil }
            var name: Range<Int>?
            repeat {
                guard let key = plainString(), consume(Byte.colon) else { return nil }
                if text(key, equals: "name") {
                    guard name == nil, let value = plainString() else { return nil }
                    name = value
                } else {
                    guard skipValue(depth: 1) else { return nil }
                }
            } while consume(Byte.comma)
            return consume(Byte.closeBrace) ? name : nil
        }

        /// The text of a plain string's range if it is all ASCII (Twilio's ids and the engine's own mark
        /// names are), else nil: other bytes are left to the general path, which checks their UTF-8.
        func asciiString(_ range: Range<Int>) -> String? {
            let text = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard text.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: text, as: UTF8.self)
        }

        /// Skips one JSON value of any kind, checking its syntax; false if it is not valid JSON.
        mutating func skipValue(depth: Int) -> Bool {
            skipWhitespace()
            guard index < bytes.count, depth < TwilioMessageScanner.maxNesting else { return false }
            switch bytes[index] {
            case Byte.quote:
                return skipString()
            case Byte.openBrace:
                index += 1
                if consume(Byte.closeBrace) { return true }
                repeat {
                    skipWhitespace()
                    guard skipString(), consume(Byte.colon), skipValue(depth: depth + 1) else { return false }
                } while consume(Byte.comma)
                return consume(Byte.closeBrace)
            case Byte.openBracket:
                index += 1
                if consume(Byte.closeBracket) { return true }
                repeat {
                    guard skipValue(depth: depth + 1) else { return false }
                } while consume(Byte.comma)
                return consume(Byte.closeBracket)
            case UInt8(ascii: "t"):
                return skipLiteral("true")
            case UInt8(ascii: "f"):
                return skipLiteral("false")
            case UInt8(ascii: "n"):
                return skipLiteral("null")
            default:
                return skipNumber()
            }
        }

        /// Skips a string at the current position, allowing escapes.
        private mutating func skipString() -> Bool {
            guard index < bytes.count, bytes[index] == Byte.quote else { return false }
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Byte.quote {
                    index += 1
                    return true
                }
                if byte < 0x20 { return false }
                index += byte == Byte.backslash ? 2 : 1
            }
            return false
        }

        private mutating func skipLiteral(_ literal: StaticString) -> Bool {
            let end = index + literal.utf8CodeUnitCount
            guard end <= bytes.count, text(index..<end, equals: literal) else { return false }
            index = end
            return true
        }

        /// Skips a number in an unknown field. The check is loose (number characters, no leading `+`):
        /// the scanner never uses such a value, and Twilio's own numeric fields are strings.
        private mutating func skipNumber() -> Bool {
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                     UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    return index > start && bytes[start] != UInt8(ascii: "+")
                }
            }
            return index > start && bytes[start] != UInt8(ascii: "+")
        }
    }
}
