import Foundation
import Testing
@testable import MediaEngine

@Suite struct Base64Tests {
    /// Random bytes of every length 0...600 (seeded, so failures repeat).
    static func randomPayloads() -> [[UInt8]] {
        var rng = TestAudio.SeededGenerator(seed: 0xB64)
        return (0...600).map { length in (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    }

    @Test func encodingMatchesFoundationForEveryLengthUpTo600() {
        for bytes in Self.randomPayloads() {
            let ours = Base64.encode(bytes)
            #expect(ours == Data(bytes).base64EncodedString(), "length \(bytes.count)")
            #expect(ours.utf8.count == Base64.encodedLength(byteCount: bytes.count))
        }
    }

    @Test func decodingMatchesFoundationForEveryLengthUpTo600() throws {
        for bytes in Self.randomPayloads() {
            let text = Data(bytes).base64EncodedString()
            #expect(try Base64.decode(text) == bytes, "length \(bytes.count)")
            let decodedLength = Array(text.utf8).withUnsafeBufferPointer { Base64.decodedLength(of: $0) }
            #expect(decodedLength == bytes.count)
        }
    }

    @Test func twilioSilenceFrameIs216Characters() throws {
        let silence = [UInt8](repeating: MuLaw.silence, count: 160)
        let text = Base64.encode(silence)
        #expect(text.utf8.count == 216)
        #expect(text.hasPrefix("/////"))
        #expect(text.hasSuffix("w=="))
        #expect(text == String(repeating: "////", count: 53) + "/w==")
        #expect(try Base64.decode(text) == silence)
        #expect(Base64.encodedLength(byteCount: 160) == 216)
        #expect(Base64.maxDecodedLength(encodedLength: 216) == 162)
    }

    @Test func bufferAPIsWriteIntoCallerMemoryAndReturnCounts() throws {
        let bytes: [UInt8] = Array("Kol!".utf8)
        var encoded = [UInt8](repeating: 0, count: 10)
        let written = bytes.withUnsafeBufferPointer { input in
            encoded.withUnsafeMutableBufferPointer { Base64.encode(input, into: $0) }
        }
        #expect(written == 8)
        #expect(Array(encoded.prefix(8)) == Array("S29sIQ==".utf8))
        #expect(encoded[8...] == [0, 0])

        var decoded = [UInt8](repeating: 0xAA, count: 6)
        let count = try encoded.withUnsafeBufferPointer { input in
            try decoded.withUnsafeMutableBufferPointer { output in
                try Base64.decode(UnsafeBufferPointer(rebasing: input[0..<8]), into: output)
            }
        }
        #expect(count == 4)
        #expect(decoded == Array("Kol!".utf8) + [0xAA, 0xAA])
    }

    @Test func rejectsMalformedInputNamingTheOffset() {
        #expect(throws: Base64.DecodeError.invalidLength(count: 3)) { try Base64.decode("QUJ") }
        #expect(throws: Base64.DecodeError.invalidLength(count: 6)) { try Base64.decode("QUJDQQ") }
        #expect(throws: Base64.DecodeError.invalidCharacter(byte: UInt8(ascii: "-"), offset: 5)) {
            try Base64.decode("QUJDQ-==")
        }
        #expect(throws: Base64.DecodeError.invalidCharacter(byte: UInt8(ascii: " "), offset: 2)) {
            try Base64.decode("QU JDQUJ")
        }
        #expect(throws: Base64.DecodeError.invalidCharacter(byte: 0x0A, offset: 4)) { try Base64.decode("QUJD\nQUJ") }
        #expect(throws: Base64.DecodeError.invalidCharacter(byte: 0xC3, offset: 0)) { try Base64.decode("é12") }
        #expect(throws: Base64.DecodeError.invalidPadding(offset: 2)) { try Base64.decode("QQ=AQUJD") }
        #expect(throws: Base64.DecodeError.invalidPadding(offset: 2)) { try Base64.decode("QQ==QQ==") }
        #expect(throws: Base64.DecodeError.invalidPadding(offset: 1)) { try Base64.decode("Q===") }
        #expect(throws: Base64.DecodeError.invalidPadding(offset: 0)) { try Base64.decode("====") }
        #expect(throws: Base64.DecodeError.invalidPadding(offset: 0)) { try Base64.decode("=QUJ") }
    }

    @Test func rejectsAnOutputBufferThatIsTooSmall() {
        var output = [UInt8](repeating: 0, count: 2)
        #expect(throws: Base64.DecodeError.outputTooSmall(needed: 3, capacity: 2)) {
            try Array("QUJD".utf8).withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try Base64.decode(input, into: $0) }
            }
        }
    }

    @Test func isNeverMoreLenientThanFoundation() {
        // Corrupt one character of valid encodings with bytes from around the alphabet's edges. Whatever we
        // accept, Foundation accepts with the same bytes; whatever Foundation rejects, we reject. The one place
        // we may be stricter: Foundation on Linux takes a '=' followed by data in the last group ("hg=9").
        var rng = TestAudio.SeededGenerator(seed: 7)
        let probes = Array("=+/-_ .\n\r\0AZaz09Q".utf8) + [0x80, 0xFF]
        for _ in 0..<2000 {
            let length = Int.random(in: 1...12, using: &rng)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var text = Array(Data(bytes).base64EncodedString().utf8)
            text[Int.random(in: 0..<text.count, using: &rng)] = probes.randomElement(using: &rng) ?? 0
            let foundation = Data(base64Encoded: Data(text)).map { [UInt8]($0) }
            let ours = try? text.withUnsafeBufferPointer { input in
                var output = [UInt8](repeating: 0, count: Base64.maxDecodedLength(encodedLength: input.count))
                let count = try output.withUnsafeMutableBufferPointer { try Base64.decode(input, into: $0) }
                return Array(output.prefix(count))
            }
            let string = String(decoding: text, as: UTF8.self)
            if let ours {
                #expect(ours == foundation, "\(string.debugDescription)")
            } else if foundation != nil {
                let dataAfterPadding = text.drop { $0 != UInt8(ascii: "=") }.contains { $0 != UInt8(ascii: "=") }
                #expect(dataAfterPadding, "\(string.debugDescription) is valid for Foundation but not for us")
            }
        }
    }

    @Test func errorsExplainWhatToDo() {
        #expect(Base64.DecodeError.invalidLength(count: 3).description.contains("pad with '='"))
        #expect(Base64.DecodeError.invalidCharacter(byte: 0x2D, offset: 5).description.contains("0x2d at offset 5"))
    }
}
