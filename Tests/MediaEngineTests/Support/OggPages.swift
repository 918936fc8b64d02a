@testable import MediaEngine

/// An independent reader of Ogg pages (RFC 3533) for checking what `OggOpusWriter` produced and for
/// reading reference files made by opusenc. Deliberately straightforward: no shared code with the
/// writer except the CRC function under test (and that is checked against opusenc's pages).
struct OggPage: Equatable {
    var flags: UInt8
    var granulePosition: Int64
    var serialNumber: UInt32
    var sequenceNumber: UInt32
    var storedCRC: UInt32
    /// CRC of the page recomputed with the checksum field zeroed.
    var computedCRC: UInt32
    var lacing: [UInt8]
    var body: [UInt8]

    var continuesPacket: Bool { flags & 0x01 != 0 }
    var beginsStream: Bool { flags & 0x02 != 0 }
    var endsStream: Bool { flags & 0x04 != 0 }
    /// Packets that end on this page (lacing values below 255).
    var completedPacketCount: Int { lacing.filter { $0 < 255 }.count }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Splits `bytes` into pages; throws on anything malformed.
    static func parse(_ bytes: [UInt8]) throws -> [OggPage] {
        func le(_ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        var pages: [OggPage] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 27 <= bytes.count, bytes[offset..<offset + 4].elementsEqual("OggS".utf8) else {
                throw ParseError(description: "no page capture pattern at byte \(offset)")
            }
            guard bytes[offset + 4] == 0 else { throw ParseError(description: "page version \(bytes[offset + 4])") }
            let segmentCount = Int(bytes[offset + 26])
            guard offset + 27 + segmentCount <= bytes.count else { throw ParseError(description: "truncated lacing") }
            let lacing = Array(bytes[(offset + 27)..<(offset + 27 + segmentCount)])
            let bodyStart = offset + 27 + segmentCount
            let bodySize = lacing.reduce(0) { $0 + Int($1) }
            guard bodyStart + bodySize <= bytes.count else { throw ParseError(description: "truncated body") }
            var zeroed = Array(bytes[offset..<(bodyStart + bodySize)])
            for i in 22..<26 { zeroed[i] = 0 }
            pages.append(OggPage(
                flags: bytes[offset + 5],
                granulePosition: Int64(bitPattern: le(offset + 6, 8)),
                serialNumber: UInt32(le(offset + 14, 4)),
                sequenceNumber: UInt32(le(offset + 18, 4)),
                storedCRC: UInt32(le(offset + 22, 4)),
                computedCRC: OggCRC.checksum(zeroed),
                lacing: lacing,
                body: Array(bytes[bodyStart..<(bodyStart + bodySize)])
            ))
            offset = bodyStart + bodySize
        }
        return pages
    }

    /// Reassembles the packets of a single logical stream, in order.
    static func packets(_ pages: [OggPage]) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var current: [UInt8] = []
        for page in pages {
            var offset = 0
            for value in page.lacing {
                current += page.body[offset..<(offset + Int(value))]
                offset += Int(value)
                if value < 255 {
                    packets.append(current)
                    current = []
                }
            }
        }
        return packets
    }
}
