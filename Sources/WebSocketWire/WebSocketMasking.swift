/// XOR with a WebSocket masking key (RFC 6455 §5.3), eight bytes at a time: the client masks its frames
/// this way while copying them in (`WebSocketClientFrames`), the server unmasks its peers' frames this way
/// while reading them (`WebSocketFrameReader`). NIO's own unmasking goes a byte at a time, on a
/// copy it makes first.
package enum WebSocketMasking {
    /// `out[i] = source[i] ^ key[i % 4]` for every byte of `source` (`out` is at least as long).
    package static func copy(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
                     key: (UInt8, UInt8, UInt8, UInt8)) {
        // The key as it lies in memory, twice, read as a native 64-bit word.
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { bytes in
            for i in 0..<8 {
                bytes[i] = i % 4 == 0 ? key.0 : i % 4 == 1 ? key.1 : i % 4 == 2 ? key.2 : key.3
            }
        }
        let count = source.count
        precondition(out.count >= count, "masking into a shorter buffer")
        var i = 0
        while i + 8 <= count {
            let value = source.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ word
            out.storeBytes(of: value, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        withUnsafeBytes(of: word) { keyTwice in  // i % 8 indexes it as i % 4 indexes the key
            while i < count {
                out[i] = source[i] ^ keyTwice[i % 8]
                i += 1
            }
        }
    }
}
