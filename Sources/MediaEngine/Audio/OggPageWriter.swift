#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packs the packets of one logical Ogg bitstream into pages (RFC 3533) and writes each finished page
/// to a file or to memory. Codec-agnostic: `OggOpusWriter` decides what goes in and when pages end.
///
/// Lacing: a packet of n bytes takes n / 255 segments of 255 bytes plus one final segment of n % 255
/// bytes, so a packet of exactly 255 * k bytes ends with a 0 segment. A page holds at most 255
/// segments; a packet that does not fit continues on the next page (flag 0x01 there). A page's
/// granule position is that of the last packet completed on it, or -1 when none completes.
///
/// The page under construction lives in two buffers allocated once in `init` (the 27-byte header plus
/// segment table, and a 64 KiB body), so appending packets and writing file pages allocate nothing.
/// Owns the output file descriptor and closes it in `closeFile()` or `deinit`. Not `Sendable`: one owner.
final class OggPageWriter {
    static let headerSize = 27
    static let maxSegments = 255
    static let maxBodySize = 255 * 255

    let serialNumber: UInt32
    /// Pages written so far; also the sequence number of the next page.
    private(set) var pagesWritten = 0
    /// The granule position of the last written page that completed a packet (0 before any).
    private(set) var lastWrittenGranule: Int64 = 0
    /// Everything written so far when the output is `.memory`; empty for a file.
    private(set) var bytes: [UInt8] = []

    /// Segments (lacing values) on the open page.
    private(set) var openSegmentCount = 0
    /// Granule of the last packet completed on the open page, -1 if none has completed yet.
    private var openGranule: Int64 = -1
    /// Whether the open page starts with the rest of a packet begun on the previous page.
    private var openPageContinuesPacket = false
    private var openBodySize = 0

    /// Header (27 bytes) immediately followed by the segment table (up to 255 bytes).
    private let header: UnsafeMutableRawBufferPointer
    private let bodyStart: UnsafeMutableRawPointer
    private let body: UnsafeMutableRawBufferPointer
    /// The open file, or -1 for memory output and after `closeFile()`.
    private var descriptor: Int32 = -1
    private let inMemory: Bool
    private let path: String

    init(serialNumber: UInt32, output: OggOpusWriter.Destination) throws(OggOpusError) {
        self.serialNumber = serialNumber
        switch output {
        case let .file(path):
            self.path = path
            inMemory = false
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .cannotCreate(path: path, reason: Self.systemMessage()) }
            descriptor = fd
        case .memory:
            self.path = "<memory>"
            inMemory = true
        }
        header = .allocate(byteCount: Self.headerSize + Self.maxSegments, alignment: 8)
        bodyStart = .allocate(byteCount: Self.maxBodySize, alignment: 8)
        body = UnsafeMutableRawBufferPointer(start: bodyStart, count: Self.maxBodySize)
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
        header.deallocate()
        bodyStart.deallocate()
    }

    /// Adds one whole packet to the open page, writing full pages as the packet's segments fill them.
    /// `granuleAfter` becomes the granule of the page on which the packet completes.
    func append(_ packet: UnsafeRawBufferPointer, granuleAfter: Int64) throws(OggOpusError) {
        var offset = 0
        while true {
            if openSegmentCount == Self.maxSegments {
                try writeOpenPage(flags: 0)
                // The next page continues a packet when part of this one is already on the written page.
                openPageContinuesPacket = offset > 0
            }
            let segment = min(255, packet.count - offset)
            if segment > 0, let source = packet.baseAddress {
                (bodyStart + openBodySize).copyMemory(from: source + offset, byteCount: segment)
            }
            header[Self.headerSize + openSegmentCount] = UInt8(segment)
            openSegmentCount += 1
            openBodySize += segment
            offset += segment
            if segment < 255 {
                openGranule = granuleAfter
                return
            }
        }
    }

    /// Writes the open page (even one without segments, which RFC 3533 allows; `OggOpusWriter` never
    /// needs one). `granuleOverride` replaces the page's granule (end trimming on the last page).
    func flush(endOfStream: Bool = false, granuleOverride: Int64? = nil) throws(OggOpusError) {
        if let granuleOverride { openGranule = granuleOverride }
        try writeOpenPage(flags: endOfStream ? 0x04 : 0)
        openPageContinuesPacket = false
    }

    /// Syncs and closes a file output; later writes fail. Idempotent; nothing to do for memory.
    func closeFile() throws(OggOpusError) {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        let synced = fsync(fd) == 0
        let syncMessage = synced ? "" : Self.systemMessage()
        guard close(fd) == 0 else { throw .writeFailed(path: path, reason: Self.systemMessage()) }
        guard synced else { throw .writeFailed(path: path, reason: syncMessage) }
    }

    private func writeOpenPage(flags: UInt8) throws(OggOpusError) {
        var pageFlags = flags
        if openPageContinuesPacket { pageFlags |= 0x01 }
        if pagesWritten == 0 { pageFlags |= 0x02 }
        let h = header
        h[0] = 0x4F; h[1] = 0x67; h[2] = 0x67; h[3] = 0x53  // "OggS"
        h[4] = 0  // stream structure version
        h[5] = pageFlags
        Self.storeLittleEndian(UInt64(bitPattern: openGranule), at: 6, byteCount: 8, in: h)
        Self.storeLittleEndian(UInt64(serialNumber), at: 14, byteCount: 4, in: h)
        Self.storeLittleEndian(UInt64(pagesWritten), at: 18, byteCount: 4, in: h)
        Self.storeLittleEndian(0, at: 22, byteCount: 4, in: h)
        h[26] = UInt8(openSegmentCount)
        let headerPart = UnsafeRawBufferPointer(rebasing: h[0..<(Self.headerSize + openSegmentCount)])
        let bodyPart = UnsafeRawBufferPointer(rebasing: body[0..<openBodySize])
        let crc = OggCRC.update(OggCRC.update(0, headerPart), bodyPart)
        Self.storeLittleEndian(UInt64(crc), at: 22, byteCount: 4, in: h)

        try emit(headerPart)
        try emit(bodyPart)
        if openGranule != -1 { lastWrittenGranule = openGranule }
        pagesWritten += 1
        openSegmentCount = 0
        openBodySize = 0
        openGranule = -1
    }

    private func emit(_ chunk: UnsafeRawBufferPointer) throws(OggOpusError) {
        guard !chunk.isEmpty, let base = chunk.baseAddress else { return }
        if inMemory {
            bytes.append(contentsOf: chunk)
            return
        }
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: "file already closed") }
        var offset = 0
        while offset < chunk.count {
            let written = write(descriptor, base + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: Self.systemMessage())
            }
            offset += written
        }
    }

    private static func storeLittleEndian(_ value: UInt64, at offset: Int, byteCount: Int, in buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<byteCount { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    private static func systemMessage() -> String {
        strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
    }
}
