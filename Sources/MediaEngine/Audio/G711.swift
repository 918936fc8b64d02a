/// ITU-T G.711 companding, table-driven and allocation-free on the per-frame path.
///
/// Decoding is one lookup per byte in a 256-entry table. Encoding is one lookup per sample in a table
/// indexed by the sample's top 14 (mu-law) or 13 (A-law) bits, which are exactly the bits G.711's
/// encoder looks at, so the tables are bit-exact with the reference algorithm for every PCM16 value.
/// Twilio's wire format is mu-law; A-law is here for recordings and lines that use it.
public enum MuLaw {
    /// Digital silence (0 decodes from 0xFF; 0x7F is "negative zero").
    public static let silence: UInt8 = 0xFF

    /// The 256 code values as PCM16 (G.711 14-bit values scaled by 4: -32124...32124).
    public static let decodeTable: [Int16] = (0..<256).map { decodeReference(UInt8($0)) }
    /// Indexed by `UInt16(bitPattern: sample) >> 2`.
    static let encodeTable: [UInt8] = (0..<16384).map { encodeReference(Int16(bitPattern: UInt16($0 << 2))) }

    @inline(__always) public static func decode(_ code: UInt8) -> Int16 { decodeTable[Int(code)] }
    @inline(__always) public static func encode(_ sample: Int16) -> UInt8 {
        encodeTable[Int(UInt16(bitPattern: sample) >> 2)]
    }

    /// Decodes `input.count` codes into the start of `output` (which must be at least as long).
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "MuLaw.decode: output buffer too small")
        decodeTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(input[i])] }
        }
    }

    /// Encodes `input.count` samples into the start of `output` (which must be at least as long).
    public static func encode(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= input.count, "MuLaw.encode: output buffer too small")
        encodeTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(UInt16(bitPattern: input[i]) >> 2)] }
        }
    }

    /// Convenience for non-hot paths (files, tests): allocates the result.
    public static func decode(_ codes: [UInt8]) -> [Int16] { codes.map(decode) }
    /// Convenience for non-hot paths (files, tests): allocates the result.
    public static func encode(_ samples: [Int16]) -> [UInt8] { samples.map(encode) }

    /// G.711 mu-law expansion (the textbook algorithm; used to build the table).
    static func decodeReference(_ code: UInt8) -> Int16 {
        let u = ~code
        let t = ((Int(u & 0x0F) << 3) + 0x84) << (Int(u & 0x70) >> 4)
        return Int16((u & 0x80) != 0 ? 0x84 - t : t - 0x84)
    }

    /// G.711 mu-law compression of the top 14 bits of a PCM16 sample (bias 33, clip 8159).
    ///
    /// A negative sample's magnitude is its one's complement (`~v`, i.e. `-v - 1`), as in the ITU-T G.191
    /// reference `ulaw_compress`; the common "Sun" variant's `-v` is one step too large for every negative
    /// input and encodes 508 of the 65,536 PCM16 values differently (-1 becomes 0x7E instead of 0x7F).
    static func encodeReference(_ sample: Int16) -> UInt8 {
        var v = Int(sample) >> 2
        let mask: UInt8
        if v < 0 { v = ~v; mask = 0x7F } else { mask = 0xFF }
        v = min(v, 8159) + 33
        var segment = 0
        var limit = 0x3F
        while v > limit && segment < 8 { segment += 1; limit = (limit << 1) | 1 }
        if segment >= 8 { return 0x7F ^ mask }
        let uval = UInt8(segment << 4) | UInt8((v >> (segment + 1)) & 0x0F)
        return uval ^ mask
    }
}

/// ITU-T G.711 A-law, with the same table-driven shape as `MuLaw`.
public enum ALaw {
    /// A-law code for the smallest positive value (0xD5 decodes to +8).
    public static let silence: UInt8 = 0xD5

    /// The 256 code values as PCM16 (G.711 13-bit values scaled by 8: -32256...32256).
    public static let decodeTable: [Int16] = (0..<256).map { decodeReference(UInt8($0)) }
    /// Indexed by `UInt16(bitPattern: sample) >> 3`.
    static let encodeTable: [UInt8] = (0..<8192).map { encodeReference(Int16(bitPattern: UInt16($0 << 3))) }

    @inline(__always) public static func decode(_ code: UInt8) -> Int16 { decodeTable[Int(code)] }
    @inline(__always) public static func encode(_ sample: Int16) -> UInt8 {
        encodeTable[Int(UInt16(bitPattern: sample) >> 3)]
    }

    public static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "ALaw.decode: output buffer too small")
        decodeTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(input[i])] }
        }
    }

    public static func encode(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= input.count, "ALaw.encode: output buffer too small")
        encodeTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(UInt16(bitPattern: input[i]) >> 3)] }
        }
    }

    public static func decode(_ codes: [UInt8]) -> [Int16] { codes.map(decode) }
    public static func encode(_ samples: [Int16]) -> [UInt8] { samples.map(encode) }

    /// G.711 A-law expansion (the textbook algorithm; used to build the table).
    static func decodeReference(_ code: UInt8) -> Int16 {
        let a = code ^ 0x55
        var t = Int(a & 0x0F) << 4
        let segment = Int(a & 0x70) >> 4
        switch segment {
        case 0: t += 8
        case 1: t += 0x108
        default: t += 0x108; t <<= segment - 1
        }
        return Int16((a & 0x80) != 0 ? t : -t)
    }

    /// G.711 A-law compression of the top 13 bits of a PCM16 sample.
    static func encodeReference(_ sample: Int16) -> UInt8 {
        var v = Int(sample) >> 3
        let mask: UInt8
        if v >= 0 { mask = 0xD5 } else { mask = 0x55; v = -v - 1 }
        var segment = 0
        var limit = 0x1F
        while v > limit && segment < 8 { segment += 1; limit = (limit << 1) | 1 }
        if segment >= 8 { return 0x7F ^ mask }
        var aval = UInt8(segment << 4)
        aval |= segment < 2 ? UInt8((v >> 1) & 0x0F) : UInt8((v >> segment) & 0x0F)
        return aval ^ mask
    }
}
