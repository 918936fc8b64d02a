import Foundation

/// Reads and writes RIFF/WAVE files: PCM16, G.711 mu-law and A-law, mono or multi-channel.
///
/// Used off the hot path: by `engine-server analyze`, by recordings tooling and by tests. Reading
/// decodes to mono PCM16 (channels are averaged); the original encoding is kept for reporting.
public struct WAVFile: Sendable, Equatable {
    /// How the samples were stored in the file.
    public enum Encoding: String, Sendable, Equatable {
        case pcm16 = "PCM16"
        case muLaw = "mu-law"
        case aLaw = "A-law"
    }

    /// Mono PCM16 samples (the file's channels averaged).
    public var samples: [Int16]
    /// Samples per second (Hz).
    public var sampleRate: Int
    /// The channel count found in the file (samples are already mixed to mono).
    public var channels: Int
    public var encoding: Encoding

    public init(samples: [Int16], sampleRate: Int, channels: Int = 1, encoding: Encoding = .pcm16) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
        self.encoding = encoding
    }

    /// Duration in seconds.
    public var durationSeconds: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }

    /// Why a file could not be read. Each message is one line a user can act on.
    public enum ReadError: Error, CustomStringConvertible, Equatable {
        case cannotOpen(path: String, reason: String)
        case notWAV(path: String)
        case missingChunk(path: String, chunk: String)
        case unsupportedFormat(path: String, detail: String)
        case truncated(path: String)

        public var description: String {
            switch self {
            case let .cannotOpen(path, reason): return "\(path): cannot open (\(reason))"
            case let .notWAV(path): return "\(path): not a RIFF/WAVE file"
            case let .missingChunk(path, chunk): return "\(path): WAV has no '\(chunk)' chunk"
            case let .unsupportedFormat(path, detail):
                return "\(path): unsupported WAV format (\(detail)); use PCM16, mu-law or A-law"
            case let .truncated(path): return "\(path): WAV data is truncated"
            }
        }
    }

    /// Reads a WAV file from disk.
    public static func read(path: String) throws(ReadError) -> WAVFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file"
            throw .cannotOpen(path: path, reason: reason)
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses WAV bytes; `path` is only used in error messages.
    public static func parse(_ bytes: [UInt8], path: String = "<memory>") throws(ReadError) -> WAVFile {
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func tag(_ o: Int) -> String { String(decoding: bytes[o..<o + 4], as: UTF8.self) }

        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { throw .notWAV(path: path) }
        var format: (code: Int, channels: Int, rate: Int, bits: Int)?
        var dataRange: Range<Int>?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = tag(offset)
            let size = u32(offset + 4)
            let body = offset + 8
            let end = min(body + size, bytes.count)
            switch id {
            case "fmt ":
                guard size >= 16, body + 16 <= bytes.count else { throw .truncated(path: path) }
                var code = u16(body)
                if code == 0xFFFE, size >= 40, body + 26 <= bytes.count {
                    code = u16(body + 24)  // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the code
                }
                format = (code, u16(body + 2), u32(body + 4), u16(body + 14))
            case "data":
                // A streaming writer may leave size 0 or 0xFFFFFFFF: take what is there.
                dataRange = body..<((size == 0 || size == 0xFFFF_FFFF) ? bytes.count : end)
            default:
                break
            }
            offset = body + size + (size & 1)
        }
        guard let fmt = format else { throw .missingChunk(path: path, chunk: "fmt ") }
        guard let range = dataRange else { throw .missingChunk(path: path, chunk: "data") }
        guard fmt.channels >= 1, fmt.channels <= 16 else {
            throw .unsupportedFormat(path: path, detail: "\(fmt.channels) channels")
        }
        guard fmt.rate >= 1000, fmt.rate <= 384_000 else {
            throw .unsupportedFormat(path: path, detail: "sample rate \(fmt.rate) Hz")
        }

        let encoding: Encoding
        let bytesPerSample: Int
        switch (fmt.code, fmt.bits) {
        case (1, 16): encoding = .pcm16; bytesPerSample = 2
        case (7, 8): encoding = .muLaw; bytesPerSample = 1
        case (6, 8): encoding = .aLaw; bytesPerSample = 1
        default:
            throw .unsupportedFormat(path: path, detail: "format code \(fmt.code), \(fmt.bits) bits per sample")
        }
        let frameBytes = bytesPerSample * fmt.channels
        let frameCount = range.count / frameBytes
        var mono = [Int16](repeating: 0, count: frameCount)
        for i in 0..<frameCount {
            var sum = 0
            for c in 0..<fmt.channels {
                let o = range.lowerBound + i * frameBytes + c * bytesPerSample
                switch encoding {
                case .pcm16: sum += Int(Int16(bitPattern: UInt16(u16(o))))
                case .muLaw: sum += Int(MuLaw.decode(bytes[o]))
                case .aLaw: sum += Int(ALaw.decode(bytes[o]))
                }
            }
            mono[i] = Int16(sum / fmt.channels)
        }
        return WAVFile(samples: mono, sampleRate: fmt.rate, channels: fmt.channels, encoding: encoding)
    }

    /// The file as WAV bytes, mono, in `encoding` (PCM16, mu-law or A-law).
    public func serialized() -> [UInt8] {
        let payload: [UInt8]
        let code: Int
        let bits: Int
        switch encoding {
        case .pcm16:
            code = 1; bits = 16
            var out = [UInt8](); out.reserveCapacity(samples.count * 2)
            for s in samples { let u = UInt16(bitPattern: s); out.append(UInt8(u & 0xFF)); out.append(UInt8(u >> 8)) }
            payload = out
        case .muLaw: code = 7; bits = 8; payload = MuLaw.encode(samples)
        case .aLaw: code = 6; bits = 8; payload = ALaw.encode(samples)
        }
        var out = [UInt8]()
        func put32(_ v: Int) { for k in 0..<4 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        func put16(_ v: Int) { for k in 0..<2 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        let blockAlign = bits / 8
        out += Array("RIFF".utf8); put32(4 + 8 + 16 + 8 + payload.count + (payload.count & 1))
        out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); put32(16)
        put16(code); put16(1); put32(sampleRate); put32(sampleRate * blockAlign); put16(blockAlign); put16(bits)
        out += Array("data".utf8); put32(payload.count)
        out += payload
        if payload.count & 1 == 1 { out.append(0) }
        return out
    }

    /// Writes the file to disk, replacing any file at `path`.
    public func write(path: String) throws {
        try Data(serialized()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
