import Foundation

/// The writer's overflow on disk: an append-only file of ``StoreWrite``s, one JSON object per line,
/// oldest first. Records go here when the memory queue is past its bound (the database is down or
/// slower than the calls), and are replayed, oldest first, when the database takes writes again.
///
/// Owned by the ``StoreWriter`` actor only (not thread-safe on its own). Each append is flushed to
/// disk (`fsync`) before it returns. Replay progress is kept in memory: after a crash the whole file is
/// replayed again, which is harmless because every write is an idempotent upsert. A torn last line
/// (a crash during an append) is cut off when the file is opened.
final class SpillFile {
    /// Pending records.
    let url: URL
    /// Records the database refused (with the reason), kept for an operator; never replayed.
    let rejectedURL: URL
    /// Complete records after `readOffset`.
    private(set) var pendingCount: Int
    private let handle: FileHandle
    /// Byte offset of the first record not yet replayed.
    private var readOffset: UInt64 = 0
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    /// Opens (creating if needed) `directory/pending.jsonl`, dropping a torn last line.
    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("pending.jsonl")
        rejectedURL = directory.appendingPathComponent("rejected.jsonl")
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw StoreError.setupFailed("cannot create the spill file \(url.path): check the data directory")
            }
        }
        handle = try FileHandle(forUpdating: url)
        encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        let (lines, endOfLastLine) = try Self.scanLines(handle)
        let size = try handle.seekToEnd()
        if endOfLastLine < size { try handle.truncate(atOffset: endOfLastLine) }
        pendingCount = lines
    }

    deinit { try? handle.close() }

    /// Appends `writes` and flushes them to disk.
    func append(_ writes: some Collection<StoreWrite>) throws {
        guard !writes.isEmpty else { return }
        var data = Data()
        for write in writes {
            data.append(try encoder.encode(write))
            data.append(0x0A)
        }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
        pendingCount += writes.count
    }

    /// Up to `limit` of the oldest pending records, and the byte offset just past them (hand it to
    /// ``consume(through:count:)`` once they are written). Lines that no longer decode are returned
    /// separately so the caller can set them aside.
    func peek(limit: Int) throws -> (writes: [StoreWrite], undecodable: [String], endOffset: UInt64, lines: Int) {
        try handle.seek(toOffset: readOffset)
        var writes: [StoreWrite] = []
        var undecodable: [String] = []
        var offset = readOffset
        var lines = 0
        var carry = Data()
        while lines < limit, let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            carry.append(chunk)
            var lineStart = carry.startIndex
            while lines < limit, let newline = carry[lineStart...].firstIndex(of: 0x0A) {
                let line = carry[lineStart..<newline]
                if let write = try? decoder.decode(StoreWrite.self, from: line) {
                    writes.append(write)
                } else {
                    undecodable.append(String(decoding: line, as: UTF8.self))
                }
                offset += UInt64(newline - lineStart + 1)
                lines += 1
                lineStart = newline + 1
            }
            carry = Data(carry[lineStart...])
        }
        return (writes, undecodable, offset, lines)
    }

    /// Marks the records before `endOffset` as replayed; empties the file once all are.
    func consume(through endOffset: UInt64, count: Int) throws {
        readOffset = endOffset
        pendingCount -= count
        if pendingCount <= 0 {
            try handle.truncate(atOffset: 0)
            try handle.synchronize()
            readOffset = 0
            pendingCount = 0
        }
    }

    /// Keeps a record the database refused, with the reason, in `rejected.jsonl`.
    func reject(_ line: String, reason: String) throws {
        struct Rejected: Encodable {
            var reason: String
            var record: String
        }
        var data = try JSONEncoder().encode(Rejected(reason: reason, record: line))
        data.append(0x0A)
        if !FileManager.default.fileExists(atPath: rejectedURL.path),
            !FileManager.default.createFile(atPath: rejectedURL.path, contents: nil)
        {
            throw StoreError.setupFailed("cannot create \(rejectedURL.path): check the data directory")
        }
        let rejected = try FileHandle(forWritingTo: rejectedURL)
        defer { try? rejected.close() }
        try rejected.seekToEnd()
        try rejected.write(contentsOf: data)
        try rejected.synchronize()
    }

    /// The JSON line of `write`, as stored here (for ``reject(_:reason:)``).
    func line(for write: StoreWrite) -> String {
        (try? encoder.encode(write)).map { String(decoding: $0, as: UTF8.self) } ?? String(describing: write)
    }

    /// Counts complete lines and finds the end of the last one.
    private static func scanLines(_ handle: FileHandle) throws -> (lines: Int, endOfLastLine: UInt64) {
        try handle.seek(toOffset: 0)
        var lines = 0
        var offset: UInt64 = 0
        var endOfLastLine: UInt64 = 0
        while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            for (index, byte) in chunk.enumerated() where byte == 0x0A {
                lines += 1
                endOfLastLine = offset + UInt64(index) + 1
            }
            offset += UInt64(chunk.count)
        }
        return (lines, endOfLastLine)
    }
}
