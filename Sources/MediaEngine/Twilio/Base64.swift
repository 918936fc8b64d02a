/// Standard base64 (RFC 4648 section 4: alphabet `A-Z a-z 0-9 + /`, `=` padding) on caller-owned buffers.
///
/// Twilio Media Streams carry every 20 ms of mu-law audio (160 bytes) as a 216-character base64
/// `media.payload`, in both directions, so this runs once per frame per direction. It is table-driven
/// and allocation-free: the encode alphabet is a static string in read-only data and the decode table is
/// built once per process.
///
/// Decoding is strict where it matters: a whole number of 4-character groups, padding only as the last
/// one or two characters, no whitespace or line breaks. Like Foundation's `Data(base64Encoded:)` (and as
/// RFC 4648 section 3.5 permits) it ignores the unused low bits of the last character before padding, so
/// `QR==` decodes like `QQ==`. It never accepts what Foundation rejects; Foundation on Linux (Swift 6.3)
/// does accept data after a `=` in the last group (`hg=9`), which this decoder rejects.
public enum Base64 {
    /// Why some input is not base64. Offsets count bytes from the start of the encoded input.
    public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The input has `count` characters, which is not a multiple of 4 (padding is required).
        case invalidLength(count: Int)
        /// `byte` at `offset` is not in the standard alphabet (URL-safe `-`/`_` and whitespace are not allowed).
        case invalidCharacter(byte: UInt8, offset: Int)
        /// A `=` at `offset` where it may not be: padding is only allowed as the last one or two characters.
        case invalidPadding(offset: Int)
        /// The input decodes to `needed` bytes but the output buffer holds only `capacity`.
        case outputTooSmall(needed: Int, capacity: Int)

        public var description: String {
            switch self {
            case .invalidLength(let count):
                "base64: \(count) characters is not a multiple of 4; the sender must pad with '='"
            case .invalidCharacter(let byte, let offset):
                "base64: byte 0x\(String(byte, radix: 16)) at offset \(offset) is not in the standard alphabet"
            case .invalidPadding(let offset):
                "base64: '=' at offset \(offset); padding may only be the last one or two characters"
            case .outputTooSmall(let needed, let capacity):
                "base64: output needs \(needed) bytes but the buffer holds \(capacity); size it with maxDecodedLength"
            }
        }
    }

    /// Characters needed to encode `byteCount` bytes, padding included (160 -> 216).
    @inline(__always) public static func encodedLength(byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

    /// Upper bound of the bytes `encodedLength` characters decode to, before looking at padding (216 -> 162).
    @inline(__always) public static func maxDecodedLength(encodedLength: Int) -> Int { encodedLength / 4 * 3 }

    /// Exact bytes `encoded` decodes to if it is valid (216 characters ending in `=` -> 160).
    public static func decodedLength(of encoded: UnsafeBufferPointer<UInt8>) -> Int {
        maxDecodedLength(encodedLength: encoded.count) - paddingCount(encoded)
    }

    // MARK: Encoding

    /// Encodes `bytes` into the start of `output` and returns the characters written
    /// (`encodedLength(byteCount: bytes.count)`; `output` must hold at least that many).
    @discardableResult
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let written = encodedLength(byteCount: bytes.count)
        precondition(output.count >= written, "Base64.encode: output holds \(output.count), needs \(written)")
        let alphabet = Self.alphabet.utf8Start
        var i = 0, o = 0
        while i + 3 <= bytes.count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            output[o] = alphabet[Int(group >> 18)]
            output[o + 1] = alphabet[Int(group >> 12 & 0x3F)]
            output[o + 2] = alphabet[Int(group >> 6 & 0x3F)]
            output[o + 3] = alphabet[Int(group & 0x3F)]
            i += 3
            o += 4
        }
        let rest = bytes.count - i
        if rest > 0 {
            let group = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            output[o] = alphabet[Int(group >> 18)]
            output[o + 1] = alphabet[Int(group >> 12 & 0x3F)]
            output[o + 2] = rest == 2 ? alphabet[Int(group >> 6 & 0x3F)] : Self.pad
            output[o + 3] = Self.pad
        }
        return written
    }

    // MARK: Decoding

    /// Decodes the UTF-8 base64 text `encoded` into the start of `output` and returns the bytes written.
    /// Size `output` with `maxDecodedLength(encodedLength:)` (or `decodedLength(of:)`).
    /// Throws `DecodeError` naming the first offending offset; `output` may then hold partial data.
    public static func decode(
        _ encoded: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(DecodeError) -> Int {
        let n = encoded.count
        guard n % 4 == 0 else { throw .invalidLength(count: n) }
        guard n > 0 else { return 0 }
        let padding = paddingCount(encoded)
        let needed = n / 4 * 3 - padding
        guard output.count >= needed else { throw .outputTooSmall(needed: needed, capacity: output.count) }
        return try decodeTable.withUnsafeBufferPointer { (table) throws(DecodeError) -> Int in
            // Every group but a padded last one: four alphabet characters -> three bytes.
            let fullGroupsEnd = padding > 0 ? n - 4 : n
            var i = 0, o = 0
            while i < fullGroupsEnd {
                let a = table[Int(encoded[i])], b = table[Int(encoded[i + 1])]
                let c = table[Int(encoded[i + 2])], d = table[Int(encoded[i + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { throw firstError(in: encoded, group: i, table: table) }
                let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output[o] = UInt8(truncatingIfNeeded: group >> 16)
                output[o + 1] = UInt8(truncatingIfNeeded: group >> 8)
                output[o + 2] = UInt8(truncatingIfNeeded: group)
                i += 4
                o += 3
            }
            guard padding > 0 else { return o }
            // The padded last group: "xx==" -> one byte, "xxx=" -> two.
            let a = table[Int(encoded[i])], b = table[Int(encoded[i + 1])]
            let c = padding == 1 ? table[Int(encoded[i + 2])] : 0
            guard (a | b | c) & 0xC0 == 0 else { throw firstError(in: encoded, group: i, table: table) }
            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
            output[o] = UInt8(truncatingIfNeeded: group >> 16)
            if padding == 1 { output[o + 1] = UInt8(truncatingIfNeeded: group >> 8) }
            return o + 3 - padding
        }
    }

    // MARK: Conveniences (allocate; for tests, tools and non-hot paths)

    /// Encodes `bytes` as a base64 string.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = encodedLength(byteCount: bytes.count)
        return String(unsafeUninitializedCapacity: length) { output in
            bytes.withUnsafeBufferPointer { encode($0, into: output) }
        }
    }

    /// Decodes base64 `text`.
    public static func decode(_ text: String) throws(DecodeError) -> [UInt8] {
        var text = text
        let result = text.withUTF8 { encoded in
            Result { () throws(DecodeError) -> [UInt8] in
                var bytes = [UInt8](repeating: 0, count: maxDecodedLength(encodedLength: encoded.count))
                let count = try bytes.withUnsafeMutableBufferPointer { (output) throws(DecodeError) -> Int in
                    try decode(encoded, into: output)
                }
                bytes.removeLast(bytes.count - count)
                return bytes
            }
        }
        return try result.get()
    }

    // MARK: Tables

    static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    static let pad = UInt8(ascii: "=")
    /// Sextet value of each byte; `invalid` for bytes outside the alphabet and `padding` for `=`
    /// (both have bit 7 set, so one OR over a group detects either).
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, char) in alphabet.withUTF8Buffer({ Array($0) }).enumerated() { table[Int(char)] = UInt8(value) }
        table[Int(pad)] = padding
        return table
    }()
    static let invalid: UInt8 = 0xFF
    static let padding: UInt8 = 0xFE

    /// Trailing `=` count of a length-checked input (0, 1 or 2); a third `=` is left to `firstError`.
    @inline(__always) static func paddingCount(_ encoded: UnsafeBufferPointer<UInt8>) -> Int {
        let n = encoded.count
        guard n >= 4, encoded[n - 1] == pad else { return 0 }
        return encoded[n - 2] == pad ? 2 : 1
    }

    /// The first bad character of the 4-character group at `group` (off the hot path: only after a failure).
    static func firstError(
        in encoded: UnsafeBufferPointer<UInt8>, group: Int, table: UnsafeBufferPointer<UInt8>
    ) -> DecodeError {
        let paddingStart = group + 4 == encoded.count ? group + 4 - paddingCount(encoded) : group + 4
        for offset in group..<paddingStart {
            let byte = encoded[offset]
            if byte == pad { return .invalidPadding(offset: offset) }
            if table[Int(byte)] == invalid { return .invalidCharacter(byte: byte, offset: offset) }
        }
        preconditionFailure("Base64.firstError called on a valid group at offset \(group)")
    }
}
