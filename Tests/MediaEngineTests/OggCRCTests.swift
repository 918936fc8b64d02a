import Foundation
import Testing
@testable import MediaEngine

@Suite struct OggCRCTests {
    /// The bit-at-a-time definition from RFC 3533 (polynomial 0x04C11DB7, MSB first, init 0, no final XOR).
    static func bitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
        var register: UInt32 = 0
        for byte in bytes {
            register ^= UInt32(byte) << 24
            for _ in 0..<8 {
                register = (register & 0x8000_0000) != 0 ? (register << 1) ^ 0x04C1_1DB7 : register << 1
            }
        }
        return register
    }

    @Test func checkStringGivesTheCatalogueValue() {
        // CRC-32/POSIX (same polynomial, init 0, unreflected) has check value 0x765E7680 after its final
        // XOR with 0xFFFFFFFF; Ogg's CRC has no final XOR, so it is the complement.
        #expect(OggCRC.checksum(Array("123456789".utf8)) == 0x765E_7680 ^ 0xFFFF_FFFF)
        #expect(OggCRC.checksum([]) == 0)
    }

    @Test func tableMatchesTheBitwiseDefinitionOnRandomData() {
        var rng = TestAudio.SeededGenerator(seed: 7)
        for length in [1, 2, 3, 27, 255, 4096] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(OggCRC.checksum(bytes) == Self.bitwiseCRC(bytes), "length \(length)")
        }
    }

    @Test func feedingInPiecesEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let split = bytes.withUnsafeBytes { raw in
            OggCRC.update(OggCRC.update(0, UnsafeRawBufferPointer(rebasing: raw[0..<333])),
                          UnsafeRawBufferPointer(rebasing: raw[333...]))
        }
        #expect(split == OggCRC.checksum(bytes))
    }

    @Test func reproducesTheChecksumsOpusencStoredInItsPages() throws {
        let wav = TestAudio.scratch.appendingPathComponent("\(UUID().uuidString)-crc.wav").path
        let opus = TestAudio.scratch.appendingPathComponent("\(UUID().uuidString)-crc.opus").path
        defer { try? FileManager.default.removeItem(atPath: wav); try? FileManager.default.removeItem(atPath: opus) }
        try WAVFile(samples: TestAudio.sine(frequency: 440, amplitude: 8000, seconds: 0.5, rate: 16000), sampleRate: 16000)
            .write(path: wav)
        try TestAudio.run("opusenc", ["--quiet", "--serial", "12345", wav, opus])

        let pages = try OggPage.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: opus))))
        #expect(pages.count >= 3)
        #expect(pages.first?.serialNumber == 12345)
        for page in pages {
            #expect(page.storedCRC == page.computedCRC, "page \(page.sequenceNumber)")
            #expect(page.storedCRC != 0)
        }
    }
}
