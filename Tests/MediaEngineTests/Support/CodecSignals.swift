import Foundation
@testable import MediaEngine

/// Signals and measurements for codec tests: a speech-band multi-tone, delay-compensated SNR, and
/// running whole signals through an encoder/decoder pair frame by frame.
enum CodecSignals {
    /// A sum of equal-amplitude sines spread over the telephone band (300 Hz ... 3 kHz), with a
    /// slow amplitude wobble so it is not perfectly stationary; peak about `peak`.
    static func multiTone(seconds: Double, rate: Int, peak: Double = 12_000) -> [Int16] {
        let frequencies: [Double] = [300, 520, 870, 1230, 1710, 2250, 2980]
        let n = Int(seconds * Double(rate))
        return (0..<n).map { i in
            let t = Double(i) / Double(rate)
            var x = 0.0
            for (k, f) in frequencies.enumerated() { x += sin(2 * .pi * f * t + Double(k)) }
            let envelope = 0.75 + 0.25 * sin(2 * .pi * 1.3 * t)
            return Int16((peak * envelope * x / Double(frequencies.count) * 2).rounded())
        }
    }

    /// Signal-to-noise ratio (dB) of `decoded` against `reference`, where `decoded[i + delay]` is the
    /// decoded version of `reference[i]` (`delay` may be negative); compares the overlapping part.
    static func snrDb(reference: [Int16], decoded: [Int16], delay: Int) -> Double {
        var signal = 0.0, noise = 0.0
        var i = max(0, -delay)
        while i < reference.count && i + delay < decoded.count {
            let x = Double(reference[i]), y = Double(decoded[i + delay])
            signal += x * x
            noise += (x - y) * (x - y)
            i += 1
        }
        return 10 * log10(signal / max(noise, 1e-9))
    }

    /// The delay within `candidates` (samples) at which `decoded` best matches `reference` (highest SNR).
    static func bestDelay(reference: [Int16], decoded: [Int16], candidates: ClosedRange<Int>) -> Int {
        var best = candidates.lowerBound, bestSNR = -Double.infinity
        for delay in candidates {
            let snr = snrDb(reference: reference, decoded: decoded, delay: delay)
            if snr > bestSNR { best = delay; bestSNR = snr }
        }
        return best
    }

    /// Encodes `samples` frame by frame (the tail padded with zeros to a whole frame) and returns the packets.
    static func encode(_ samples: [Int16], with encoder: OpusEncoder) throws -> [[UInt8]] {
        let frame = encoder.frameSize
        let padded = samples + [Int16](repeating: 0, count: (frame - samples.count % frame) % frame)
        return try stride(from: 0, to: padded.count, by: frame).map { start in
            try encoder.encode(Array(padded[start..<(start + frame)]))
        }
    }

    /// Decodes packets in order (`nil` entries are losses) and concatenates the audio.
    static func decode(_ packets: [[UInt8]?], with decoder: OpusDecoder) throws -> [Int16] {
        var out: [Int16] = []
        for packet in packets { out += try decoder.decode(packet) }
        return out
    }

    /// `packet` (a single-frame, code 0 packet) rewritten as an RFC 6716 code 3 packet with padding so
    /// that it is exactly `size` bytes: the same audio in a packet of a chosen length, for lacing tests.
    static func padded(_ packet: [UInt8], to size: Int) -> [UInt8] {
        precondition(packet[0] & 0x03 == 0, "only single-frame (code 0) packets can be padded this way")
        let frame = packet.dropFirst()
        var lengthBytes = 1
        while true {
            // Padding length is coded as (lengthBytes - 1) bytes of 255 (254 each) and a last byte 0...254.
            let padding = size - 2 - lengthBytes - frame.count
            precondition(padding >= 254 * (lengthBytes - 1), "size \(size) is too small to pad to")
            if padding <= 254 * lengthBytes {
                var out: [UInt8] = [packet[0] | 0x03, 0x41]  // code 3; padding flag, CBR, one frame
                out += repeatElement(255, count: lengthBytes - 1)
                out.append(UInt8(padding - 254 * (lengthBytes - 1)))
                out += frame
                out += repeatElement(0, count: padding)
                return out
            }
            lengthBytes += 1
        }
    }
}
