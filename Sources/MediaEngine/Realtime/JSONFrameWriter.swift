/// Appends JSON pieces into a caller-owned byte buffer without allocating: the engine of the hot-path
/// writers (`InputAudioAppendFrame.write`, `OutputAudioDeltaFrame.write`).
///
/// It writes only strings that need no escaping (it checks, and refuses the rest), so its output is
/// always valid JSON; the writers fall back to the general encoder when it refuses.
struct JSONFrameWriter {
    private let out: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    /// False once anything did not fit or could not be written verbatim; the frame is then unusable.
    private(set) var ok = true

    init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

    /// Writes a literal piece of JSON syntax (trusted: it comes from this module's source).
    mutating func raw(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        guard ok, count + n <= out.count, let base = out.baseAddress else { ok = false; return }
        (base + count).copyMemory(from: text.utf8Start, byteCount: n)
        count += n
    }

    /// Writes base64 text (A-Z a-z 0-9 + / =) verbatim; anything else fails the frame.
    mutating func base64(_ text: UnsafeRawBufferPointer) {
        guard ok, count + text.count <= out.count else { ok = false; return }
        for b in text where !Self.isBase64(b) { ok = false; return }
        if let base = out.baseAddress, let src = text.baseAddress, !text.isEmpty {
            (base + count).copyMemory(from: src, byteCount: text.count)
        }
        count += text.count
    }

    /// Writes `bytes` base64-encoded (the encoder's own output, so nothing to check).
    mutating func base64Encoding(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = Base64.encodedLength(byteCount: bytes.count)
        guard ok, count + n <= out.count, let base = out.baseAddress else { ok = false; return }
        count += Base64.encode(bytes, into: UnsafeMutableBufferPointer(start: (base + count).assumingMemoryBound(to: UInt8.self), count: n))
    }

    /// Writes an identifier's characters verbatim (no quotes): printable ASCII except `"` and `\`.
    /// Iterates the string's UTF-8 view, which does not allocate.
    mutating func plainText(_ text: String) {
        guard ok else { return }
        for b in text.utf8 {
            guard count < out.count, b >= 0x20, b < 0x7F, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") else {
                ok = false
                return
            }
            out[count] = b
            count += 1
        }
    }

    /// Writes a decimal integer.
    mutating func integer(_ value: Int) {
        guard ok else { return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var magnitude = value.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
        }
        let length = n + (value < 0 ? 1 : 0)
        guard count + length <= out.count else { ok = false; return }
        if value < 0 {
            out[count] = UInt8(ascii: "-")
            count += 1
        }
        withUnsafeBytes(of: &digits) { d in
            for i in stride(from: n - 1, through: 0, by: -1) {
                out[count] = d[i]
                count += 1
            }
        }
    }

    /// Bytes needed for `value` in decimal.
    static func decimalCount(_ value: Int) -> Int {
        var magnitude = value.magnitude
        var n = value < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            n += 1
        }
        return n
    }

    static func isBase64(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }
}
