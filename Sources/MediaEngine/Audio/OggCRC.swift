/// The CRC-32 of Ogg pages (RFC 3533 section 6): polynomial 0x04C11DB7, most significant bit first
/// (not reflected), initial value 0, no final XOR. It is computed over the whole page with the
/// checksum field (header bytes 22...25) set to zero, and stored little-endian in that field.
///
/// Table-driven, one lookup per byte; `update` allocates nothing and can be fed a page in pieces.
public enum OggCRC {
    /// `table[i]` is the CRC register after shifting byte `i` through it from zero.
    static let table: [UInt32] = (0..<256).map { index in
        var register = UInt32(index) << 24
        for _ in 0..<8 {
            register = (register & 0x8000_0000) != 0 ? (register << 1) ^ 0x04C1_1DB7 : register << 1
        }
        return register
    }

    /// Continues a checksum over `bytes` (start with 0).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            var register = crc
            for byte in bytes {
                register = (register << 8) ^ table[Int((register >> 24) ^ UInt32(byte))]
            }
            return register
        }
    }

    /// The checksum of `bytes` (for a page, its checksum field must already be zero).
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
