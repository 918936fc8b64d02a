import COpus

/// Writes a mono Ogg Opus stream (RFC 7845 over RFC 3533): the `.opus` file format of call recordings.
///
/// Layout: page 0 holds only the `OpusHead` identification header (beginning-of-stream flag); the
/// `OpusTags` comment header follows on its own page(s); then audio pages, each ended once it holds
/// about one second of audio (or its 255 segments are used up), and the last one flagged end-of-stream.
/// Granule positions count 48 kHz samples decoded from the start of the stream, pre-skip included.
///
/// Pages stream to the output as they fill, so a long call never accumulates in memory; a file that is
/// never finished (a crash) is still readable up to its last written page. A page is only closed when
/// the next packet arrives, so `finish()` always has a packet to put on the final page, where end
/// trimming happens.
///
/// `writePacket(_:)` allocates nothing for file output. Not `Sendable`: one owner (the call's recorder).
public final class OggOpusWriter {
    /// Where the stream goes.
    public enum Destination: Sendable, Equatable {
        /// A file created (or truncated) at `path`, written page by page.
        case file(path: String)
        /// Memory, read back with `bytes` (tests, short clips).
        case memory
    }

    /// Audio pages end once they hold this much audio (48 kHz samples: one second).
    public static let pageDuration48kHz = 48_000

    /// The pre-skip written in `OpusHead` (48 kHz samples the decoder drops at the start).
    public let preSkip: Int
    /// The `OpusHead` input sample rate (Hz): informational, what the audio was before encoding.
    public let inputSampleRate: Int
    /// The stream's serial number (Ogg page header field), random unless given.
    public let serialNumber: UInt32

    /// Granule position after the last packet written: 48 kHz samples decoded, pre-skip included.
    public private(set) var granulePosition: Int64 = 0
    /// Audio packets written so far.
    public private(set) var packetCount = 0
    /// True once `finish` wrote the end-of-stream page.
    public private(set) var isFinished = false

    private let pages: OggPageWriter
    /// 48 kHz samples of the audio packets on the open page.
    private var openPageDuration = 0

    /// Starts a stream and writes its two header pages right away.
    ///
    /// - Parameters:
    ///   - preSkip: 48 kHz samples to drop at the start: `OpusEncoder.preSkip48kHz`.
    ///   - inputSampleRate: the rate the audio had before encoding, in Hz (0 if unknown).
    ///   - comments: user comments, each `NAME=value` (for example `KOL_TENANT=acme`).
    ///   - vendor: who wrote the file, stored in `OpusTags`.
    public init(
        destination: Destination,
        preSkip: Int,
        inputSampleRate: Int,
        comments: [String] = [],
        vendor: String = "Kol",
        serialNumber: UInt32 = .random(in: .min ... .max)
    ) throws(OggOpusError) {
        guard (0...0xFFFF).contains(preSkip) else { throw .invalidPreSkip(preSkip) }
        for comment in comments where !Self.isValidComment(comment) { throw .invalidComment(comment) }
        self.preSkip = preSkip
        self.inputSampleRate = max(0, inputSampleRate)
        self.serialNumber = serialNumber
        pages = try OggPageWriter(serialNumber: serialNumber, output: destination)

        // RFC 7845 section 3: the ID header alone on the first page, the comment header ending its page,
        // both with granule position 0.
        try Self.identificationHeader(preSkip: preSkip, inputSampleRate: self.inputSampleRate).withUnsafeBufferPointer {
            (packet) throws(OggOpusError) in try pages.append(UnsafeRawBufferPointer(packet), granuleAfter: 0)
        }
        try pages.flush()
        try Self.commentHeader(vendor: vendor, comments: comments).withUnsafeBufferPointer {
            (packet) throws(OggOpusError) in try pages.append(UnsafeRawBufferPointer(packet), granuleAfter: 0)
        }
        try pages.flush()
    }

    /// Everything written so far for `.memory` output (the complete file once finished); empty for files.
    public var bytes: [UInt8] { pages.bytes }
    /// Pages written so far, headers included.
    public var pageCount: Int { pages.pagesWritten }

    /// Appends one Opus packet (any duration libopus produces). Its duration comes from its TOC byte.
    public func writePacket(_ packet: UnsafeBufferPointer<UInt8>) throws(OggOpusError) {
        guard !isFinished else { throw .alreadyFinished }
        guard let data = packet.baseAddress, packet.count > 0 else { throw .invalidPacket(byteCount: packet.count) }
        let duration = opus_packet_get_nb_samples(data, Int32(clamping: packet.count), 48_000)
        guard duration > 0 else { throw .invalidPacket(byteCount: packet.count) }

        let segments = packet.count / 255 + 1
        if packetCount > 0 && pages.openSegmentCount > 0
            && (openPageDuration >= Self.pageDuration48kHz || pages.openSegmentCount + segments > OggPageWriter.maxSegments)
        {
            try pages.flush()
            openPageDuration = 0
        }
        granulePosition += Int64(duration)
        try pages.append(UnsafeRawBufferPointer(packet), granuleAfter: granulePosition)
        openPageDuration += Int(duration)
        packetCount += 1
    }

    /// Convenience for tests (the pointer overload is the allocation-free one).
    public func writePacket(_ packet: [UInt8]) throws(OggOpusError) {
        try packet.withUnsafeBufferPointer { (buffer) throws(OggOpusError) in try writePacket(buffer) }
    }

    /// Writes the last page with the end-of-stream flag and closes a file output.
    ///
    /// - Parameter playableSamples48kHz: how many 48 kHz samples a player should output after pre-skip
    ///   (end trimming: the encoder's last frame is padded, and this cuts the padding off). `nil` keeps
    ///   every decoded sample. It can only remove audio of packets on the last page.
    ///
    /// A stream that got no audio packets gets one silent packet trimmed to nothing, so that the file is
    /// still a valid zero-length recording (players reject an Ogg Opus stream without audio data).
    public func finish(playableSamples48kHz: Int? = nil) throws(OggOpusError) {
        guard !isFinished else { throw .alreadyFinished }
        var playable = playableSamples48kHz
        if packetCount == 0 {
            try Self.silentPacket.withUnsafeBufferPointer { (packet) throws(OggOpusError) in try writePacket(packet) }
            playable = playable ?? 0
        }
        var finalGranule = granulePosition
        if let playable {
            let requested = Int64(preSkip) + Int64(playable)
            let allowed = pages.lastWrittenGranule...granulePosition
            guard allowed.contains(requested) else { throw .invalidEndTrim(requestedGranule: requested, allowed: allowed) }
            finalGranule = requested
        }
        isFinished = true
        try pages.flush(endOfStream: true, granuleOverride: finalGranule)
        try pages.closeFile()
    }

    /// A TOC byte alone: SILK narrowband, 20 ms, mono, one frame of zero bytes, which decoders treat as a
    /// lost frame and, with no history, render as 20 ms of silence (RFC 6716 section 3.2.1).
    static let silentPacket: [UInt8] = [0x08]

    /// Whether `comment` is `NAME=value` with a non-empty name of ASCII 0x20...0x7D other than '='.
    static func isValidComment(_ comment: String) -> Bool {
        let utf8 = Array(comment.utf8)
        guard let equals = utf8.firstIndex(of: UInt8(ascii: "=")), equals > 0 else { return false }
        return utf8[..<equals].allSatisfy { (0x20...0x7D).contains($0) }
    }

    /// The 19-byte `OpusHead` packet for one channel, mapping family 0 (RFC 7845 section 5.1).
    static func identificationHeader(preSkip: Int, inputSampleRate: Int) -> [UInt8] {
        var packet = Array("OpusHead".utf8)
        packet.append(1)  // version
        packet.append(1)  // channel count
        appendLittleEndian(UInt32(preSkip), byteCount: 2, to: &packet)
        appendLittleEndian(UInt32(clamping: inputSampleRate), byteCount: 4, to: &packet)
        appendLittleEndian(0, byteCount: 2, to: &packet)  // output gain, Q7.8 dB
        packet.append(0)  // channel mapping family 0: mono or stereo, no mapping table
        return packet
    }

    /// The `OpusTags` packet: vendor string and user comments, each length-prefixed (RFC 7845 section 5.2).
    static func commentHeader(vendor: String, comments: [String]) -> [UInt8] {
        var packet = Array("OpusTags".utf8)
        appendLittleEndian(UInt32(vendor.utf8.count), byteCount: 4, to: &packet)
        packet += vendor.utf8
        appendLittleEndian(UInt32(comments.count), byteCount: 4, to: &packet)
        for comment in comments {
            appendLittleEndian(UInt32(comment.utf8.count), byteCount: 4, to: &packet)
            packet += comment.utf8
        }
        return packet
    }

    private static func appendLittleEndian(_ value: UInt32, byteCount: Int, to bytes: inout [UInt8]) {
        for i in 0..<byteCount { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }
}
