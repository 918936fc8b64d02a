import Foundation
import Testing
@testable import MediaEngine

@Suite struct OggOpusWriterTests {
    /// 20 ms packets of a 16 kHz multi-tone, from the real encoder.
    static func packets(seconds: Double) throws -> [[UInt8]] {
        try CodecSignals.encode(CodecSignals.multiTone(seconds: seconds, rate: 16000), with: OpusEncoder(sampleRate: 16000))
    }

    /// Runs opusinfo on `path` and returns what it printed (standard output and error together).
    static func opusinfo(_ path: String) throws -> String {
        String(decoding: try TestAudio.run("opusinfo", [path]), as: UTF8.self)
    }

    static func scratchPath(_ name: String) -> String {
        TestAudio.scratch.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    @Test func headerPagesFollowRFC7845() throws {
        let writer = try OggOpusWriter(
            destination: .memory, preSkip: 312, inputSampleRate: 16000,
            comments: ["KOL_TENANT=acme", "KOL_CALL_SID=CA0123456789abcdef"], serialNumber: 0xC0FF_EE01)
        for packet in try Self.packets(seconds: 0.1) { try writer.writePacket(packet) }
        try writer.finish()
        let pages = try OggPage.parse(writer.bytes)

        let head = pages[0]
        #expect(head.flags == 0x02)  // beginning of stream, nothing else
        #expect(head.granulePosition == 0 && head.sequenceNumber == 0 && head.serialNumber == 0xC0FF_EE01)
        #expect(head.lacing == [19])
        #expect(head.body == Array("OpusHead".utf8) + [1, 1, 0x38, 0x01, 0x80, 0x3E, 0x00, 0x00, 0x00, 0x00, 0x00])

        let tags = pages[1]
        #expect(tags.flags == 0 && tags.granulePosition == 0 && tags.sequenceNumber == 1)
        #expect(tags.lacing.last.map { $0 < 255 } == true)  // the comment header ends its page
        var expectedTags = Array("OpusTags".utf8) + [3, 0, 0, 0] + Array("Kol".utf8) + [2, 0, 0, 0]
        expectedTags += [15, 0, 0, 0] + Array("KOL_TENANT=acme".utf8)
        expectedTags += [31, 0, 0, 0] + Array("KOL_CALL_SID=CA0123456789abcdef".utf8)
        #expect(tags.body == expectedTags)

        #expect(pages.count == 3)
        #expect(pages[2].flags == 0x04 && !pages[2].continuesPacket)
        #expect(pages.allSatisfy { $0.storedCRC == $0.computedCRC && $0.serialNumber == 0xC0FF_EE01 })
    }

    @Test func audioPagesHoldOneSecondAndGranulesCountDecodedSamples() throws {
        let packets = try Self.packets(seconds: 3.5)
        #expect(packets.count == 175)
        let writer = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 16000, serialNumber: 42)
        for packet in packets { try writer.writePacket(packet) }
        #expect(writer.granulePosition == 175 * 960)
        try writer.finish()
        #expect(writer.isFinished)

        let pages = try OggPage.parse(writer.bytes)
        let audio = Array(pages.dropFirst(2))
        #expect(audio.map(\.completedPacketCount) == [50, 50, 50, 25])
        #expect(audio.map(\.granulePosition) == [48_000, 96_000, 144_000, 168_000])
        #expect(audio.map(\.endsStream) == [false, false, false, true])
        #expect(pages.map(\.sequenceNumber) == Array(0..<6))
        #expect(pages.allSatisfy { $0.storedCRC == $0.computedCRC })
        #expect(OggPage.packets(audio) == packets)
        #expect(writer.pageCount == 6)
    }

    @Test func endTrimmingLowersOnlyTheLastGranule() throws {
        let packets = try Self.packets(seconds: 1.2)  // 60 packets: pages of 50 and 10
        let writer = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 16000)
        for packet in packets { try writer.writePacket(packet) }
        // Only samples of the last page's packets can be cut: 48 000 ... 57 600.
        #expect(throws: OggOpusError.invalidEndTrim(requestedGranule: 47_000, allowed: 48_000...57_600)) {
            try writer.finish(playableSamples48kHz: 47_000 - 312)
        }
        #expect(throws: OggOpusError.invalidEndTrim(requestedGranule: 57_912, allowed: 48_000...57_600)) {
            try writer.finish(playableSamples48kHz: 57_600)
        }
        try writer.finish(playableSamples48kHz: 57_000)
        let pages = try OggPage.parse(writer.bytes)
        #expect(pages.map(\.granulePosition) == [0, 0, 48_000, 57_312])
        #expect(throws: OggOpusError.alreadyFinished) { try writer.writePacket(packets[0]) }
        #expect(throws: OggOpusError.alreadyFinished) { try writer.finish() }
    }

    @Test func lacingEndsEveryPacketWithASegmentBelow255() throws {
        let source = try Self.packets(seconds: 0.1)
        let sizes = [254, 255, 256, 510, 765 + 3]
        let padded = sizes.enumerated().map { CodecSignals.padded(source[$0.offset], to: $0.element) }
        #expect(padded.map(\.count) == sizes)
        // The padded packets are real Opus packets carrying the same audio.
        let plain = try OpusDecoder(sampleRate: 16000), viaPadding = try OpusDecoder(sampleRate: 16000)
        for (original, bigger) in zip(source, padded) {
            #expect(try viaPadding.decode(bigger) == plain.decode(original))
        }

        let writer = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 16000)
        for packet in padded { try writer.writePacket(packet) }
        try writer.finish()
        let pages = try OggPage.parse(writer.bytes)
        #expect(pages.count == 3)
        #expect(pages[2].lacing == [254, 255, 0, 255, 1, 255, 255, 0, 255, 255, 255, 3])
        #expect(OggPage.packets([pages[2]]) == padded)
        #expect(pages[2].granulePosition == 5 * 960)
    }

    @Test func aPacketLongerThanAPageContinuesOnTheNextOne() throws {
        let source = try Self.packets(seconds: 0.1)
        let huge = CodecSignals.padded(source[2], to: 255 * 300)  // 300 full segments and a 0 terminator
        let stream = [source[0], source[1], huge, source[3]]
        let path = Self.scratchPath("huge.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try OggOpusWriter(destination: .file(path: path), preSkip: 312, inputSampleRate: 16000)
        for packet in stream { try writer.writePacket(packet) }
        try writer.finish()

        let pages = try OggPage.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(pages.count == 5)
        // The open page is closed before the big packet rather than splitting it needlessly.
        #expect(pages[2].lacing.count == 2 && pages[2].granulePosition == 1920 && !pages[2].continuesPacket)
        // 255 segments of the big packet; no packet completes, so the granule is -1.
        #expect(pages[3].lacing == [UInt8](repeating: 255, count: 255))
        #expect(pages[3].granulePosition == -1 && !pages[3].continuesPacket)
        // The rest: 45 full segments, the 0 terminator, then the last packet.
        #expect(pages[4].continuesPacket && pages[4].endsStream)
        #expect(pages[4].lacing.count == 47 && pages[4].lacing[45] == 0)
        #expect(pages[4].granulePosition == 4 * 960)
        #expect(OggPage.packets(Array(pages.dropFirst(2))) == stream)
        #expect(pages.allSatisfy { $0.storedCRC == $0.computedCRC })

        let info = try Self.opusinfo(path)
        #expect(!info.lowercased().contains("warning") && !info.lowercased().contains("error"), "\(info)")
        #expect(info.contains("Playback length: 0m:00.073s"), "\(info)")  // (3840 - 312) / 48 kHz
    }

    @Test func longCommentsSpanPagesAndTheCommentHeaderEndsItsPage() throws {
        let comments = (0..<100).map { "KOL_NOTE_\($0)=" + String(repeating: "x", count: 1000) }
        let path = Self.scratchPath("tags.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try OggOpusWriter(destination: .file(path: path), preSkip: 312, inputSampleRate: 16000, comments: comments)
        for packet in try Self.packets(seconds: 0.2) { try writer.writePacket(packet) }
        try writer.finish()

        let pages = try OggPage.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        // About 101 KB of comments: one full page (65 025 bytes, no packet completes: granule -1), then
        // the rest, which ends the comment header and its page (granule 0); audio starts on a fresh page.
        try #require(pages.count == 4)
        #expect(pages[1].lacing.count == 255 && pages[1].granulePosition == -1 && !pages[1].continuesPacket)
        #expect(pages[2].continuesPacket && pages[2].granulePosition == 0 && pages[2].completedPacketCount == 1)
        #expect(!pages[3].continuesPacket && pages[3].completedPacketCount == 10 && pages[3].endsStream)
        #expect(OggPage.packets(Array(pages[1...2])) == [OggOpusWriter.commentHeader(vendor: "Kol", comments: comments)])
        let info = try Self.opusinfo(path)
        #expect(!info.contains("WARNING") && info.contains("KOL_NOTE_99=xxx"), "\(info)")
    }

    @Test func fileAndMemoryOutputsAreByteIdentical() throws {
        let packets = try Self.packets(seconds: 1.5)
        let path = Self.scratchPath("same.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let toFile = try OggOpusWriter(destination: .file(path: path), preSkip: 312, inputSampleRate: 16000, serialNumber: 7)
        let toMemory = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 16000, serialNumber: 7)
        for packet in packets {
            try toFile.writePacket(packet)
            try toMemory.writePacket(packet)
        }
        try toFile.finish(playableSamples48kHz: 70_000)
        try toMemory.finish(playableSamples48kHz: 70_000)
        #expect(toFile.bytes.isEmpty)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == toMemory.bytes)
    }

    @Test func anEmptyStreamBecomesAValidZeroLengthFile() throws {
        let path = Self.scratchPath("empty.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try OggOpusWriter(destination: .file(path: path), preSkip: 312, inputSampleRate: 8000)
        try writer.finish()
        let pages = try OggPage.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(pages.count == 3)
        #expect(pages[2].endsStream && pages[2].body == OggOpusWriter.silentPacket)
        #expect(pages[2].granulePosition == 312)  // the silent 20 ms packet, trimmed to nothing
        let info = try Self.opusinfo(path)
        #expect(info.contains("Playback length: 0m:00.000s") && !info.contains("WARNING"), "\(info)")
    }

    @Test func rejectsWhatWouldMakeABrokenFile() throws {
        #expect(throws: OggOpusError.invalidComment("no equals sign")) {
            try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 8000, comments: ["no equals sign"])
        }
        #expect(throws: OggOpusError.invalidComment("=value")) {
            try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 8000, comments: ["=value"])
        }
        #expect(throws: OggOpusError.invalidComment("CALLER~ID=1")) {
            try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 8000, comments: ["CALLER~ID=1"])
        }
        #expect(throws: OggOpusError.invalidPreSkip(70_000)) {
            try OggOpusWriter(destination: .memory, preSkip: 70_000, inputSampleRate: 8000)
        }
        #expect(throws: OggOpusError.cannotCreate(path: "/nonexistent/dir/call.opus", reason: "No such file or directory")) {
            try OggOpusWriter(destination: .file(path: "/nonexistent/dir/call.opus"), preSkip: 312, inputSampleRate: 8000)
        }
        let writer = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 8000)
        #expect(throws: OggOpusError.invalidPacket(byteCount: 0)) { try writer.writePacket([]) }
        #expect(throws: OggOpusError.invalidPacket(byteCount: 2)) { try writer.writePacket([0x03, 0x00]) }
        #expect(writer.packetCount == 0)
        // Values with '=' and any UTF-8 are fine: only the name is restricted.
        _ = try OggOpusWriter(destination: .memory, preSkip: 312, inputSampleRate: 8000, comments: ["TITLE=שיחה a=b"])
    }
}
