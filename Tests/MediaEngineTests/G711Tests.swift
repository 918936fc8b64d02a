import Testing
@testable import MediaEngine

/// Independent G.711 reference, transcribed from the ITU-T G.191 Software Tool Library (`g711.c`:
/// `ulaw_compress`, `ulaw_expand`, `alaw_compress`, `alaw_expand`). It is written with the STL's
/// exponent/mantissa arithmetic on purpose, not the segment-table loops `G711.swift` builds its tables
/// with, so the two can only agree by both being right. Like the STL it works on left-justified 16-bit
/// samples: mu-law looks at the top 14 bits, A-law at the top 13, and negative inputs take their
/// one's complement (`~x`) as magnitude.
enum G191 {
    static func ulawCompress(_ x: Int16) -> UInt8 {
        let lin = Int(x)
        var absno = (lin < 0 ? (~lin) >> 2 : lin >> 2) + 33
        if absno > 0x1FFF { absno = 0x1FFF }
        var i = absno >> 6
        var segno = 1
        while i != 0 { segno += 1; i >>= 1 }
        let highNibble = 0x08 - segno
        let lowNibble = 0x0F - ((absno >> segno) & 0x0F)
        var log = (highNibble << 4) | lowNibble
        if lin >= 0 { log |= 0x80 }
        return UInt8(log)
    }

    static func ulawExpand(_ code: UInt8) -> Int16 {
        let sign = code < 0x80 ? -1 : 1
        let ones = ~Int(code)
        let exponent = (ones >> 4) & 0x07
        let segment = exponent + 1
        let mantissa = ones & 0x0F
        let step = 4 << segment
        return Int16(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33))
    }

    static func alawCompress(_ x: Int16) -> UInt8 {
        let lin = Int(x)
        var ix = lin < 0 ? (~lin) >> 4 : lin >> 4
        if ix > 15 {
            var iexp = 1
            while ix > 16 + 15 { ix >>= 1; iexp += 1 }
            ix -= 16
            ix += iexp << 4
        }
        if lin >= 0 { ix |= 0x80 }
        return UInt8(ix ^ 0x55)
    }

    static func alawExpand(_ code: UInt8) -> Int16 {
        let ix = (Int(code) ^ 0x55) & 0x7F
        let iexp = ix >> 4
        var mant = ix & 0x0F
        if iexp > 0 { mant += 16 }
        mant = (mant << 4) + 0x08
        if iexp > 1 { mant <<= iexp - 1 }
        return Int16(code > 127 ? mant : -mant)
    }
}

@Suite struct G711Tests {
    static let allCodes: [UInt8] = (0...255).map { UInt8($0) }
    static let allSamples: [Int16] = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }

    // MARK: decode

    @Test func muLawDecodesEveryCodeToTheG191Value() {
        let mismatches = Self.allCodes.filter { MuLaw.decode($0) != G191.ulawExpand($0) }
        #expect(mismatches.isEmpty, "mu-law codes decoding differently from G.191: \(mismatches)")
    }

    @Test func aLawDecodesEveryCodeToTheG191Value() {
        let mismatches = Self.allCodes.filter { ALaw.decode($0) != G191.alawExpand($0) }
        #expect(mismatches.isEmpty, "A-law codes decoding differently from G.191: \(mismatches)")
    }

    @Test func wellKnownCodesDecodeToTheirStandardValues() {
        #expect(MuLaw.decode(0x00) == -32124)
        #expect(MuLaw.decode(0x80) == 32124)
        #expect(MuLaw.decode(0xFF) == 0)
        #expect(MuLaw.decode(0x7F) == 0)
        #expect(MuLaw.decode(0xFE) == 8)
        #expect(MuLaw.decode(0x7E) == -8)
        #expect(MuLaw.decode(MuLaw.silence) == 0)
        #expect(ALaw.decode(0xD5) == 8)
        #expect(ALaw.decode(0x55) == -8)
        #expect(ALaw.decode(0xAA) == 32256)
        #expect(ALaw.decode(0x2A) == -32256)
        #expect(ALaw.decode(ALaw.silence) == 8)
    }

    @Test func decodedLevelsAreSymmetricAndMonotonic() {
        // mu-law: code c and c ^ 0x80 are the same magnitude with opposite sign; within one sign, larger
        // magnitudes have smaller codes. A-law: same symmetry; after un-toggling even bits codes grow with magnitude.
        for c in Self.allCodes {
            #expect(MuLaw.decode(c) == -MuLaw.decode(c ^ 0x80))
            #expect(ALaw.decode(c) == -ALaw.decode(c ^ 0x80))
        }
        let muPositive = (0x80...0xFF).reversed().map { MuLaw.decode(UInt8($0)) }
        let aPositive = (0x80...0xFF).map { ALaw.decode(UInt8($0) ^ 0x55) }
        #expect(zip(muPositive, muPositive.dropFirst()).allSatisfy { $0 < $1 })
        #expect(zip(aPositive, aPositive.dropFirst()).allSatisfy { $0 < $1 })
    }

    // MARK: encode

    @Test func muLawEncodesEveryPCM16ValueLikeG191() {
        let mismatches = Self.allSamples.filter { MuLaw.encode($0) != G191.ulawCompress($0) }
        #expect(mismatches.count == 0, "\(mismatches.count) samples encode differently, first: \(mismatches.prefix(8))")
    }

    @Test func aLawEncodesEveryPCM16ValueLikeG191() {
        let mismatches = Self.allSamples.filter { ALaw.encode($0) != G191.alawCompress($0) }
        #expect(mismatches.count == 0, "\(mismatches.count) samples encode differently, first: \(mismatches.prefix(8))")
    }

    @Test func wellKnownSamplesEncodeToTheirStandardCodes() {
        #expect(MuLaw.encode(0) == 0xFF)
        #expect(MuLaw.encode(-1) == 0x7F)      // one's complement: -1 has magnitude 0
        #expect(MuLaw.encode(Int16.max) == 0x80)
        #expect(MuLaw.encode(Int16.min) == 0x00)
        #expect(ALaw.encode(0) == 0xD5)
        #expect(ALaw.encode(-1) == 0x55)
        #expect(ALaw.encode(Int16.max) == 0xAA)
        #expect(ALaw.encode(Int16.min) == 0x2A)
    }

    // MARK: round trips and buffer APIs

    @Test func everyCodeSurvivesDecodeThenEncodeExceptMuLawNegativeZero() {
        let muFailures = Self.allCodes.filter { MuLaw.encode(MuLaw.decode($0)) != $0 }
        #expect(muFailures == [0x7F])
        #expect(MuLaw.encode(MuLaw.decode(0x7F)) == 0xFF)
        let aFailures = Self.allCodes.filter { ALaw.encode(ALaw.decode($0)) != $0 }
        #expect(aFailures.isEmpty)
    }

    @Test func bufferAPIsMatchTheScalarOnes() {
        var muSamples = [Int16](repeating: 0, count: 256)
        var aSamples = [Int16](repeating: 0, count: 256)
        Self.allCodes.withUnsafeBufferPointer { codes in
            muSamples.withUnsafeMutableBufferPointer { MuLaw.decode(codes, into: $0) }
            aSamples.withUnsafeMutableBufferPointer { ALaw.decode(codes, into: $0) }
        }
        #expect(muSamples == Self.allCodes.map { MuLaw.decode($0) })
        #expect(aSamples == Self.allCodes.map { ALaw.decode($0) })
        #expect(MuLaw.decode(Self.allCodes) == muSamples)
        #expect(ALaw.decode(Self.allCodes) == aSamples)

        var muCodes = [UInt8](repeating: 0, count: Self.allSamples.count)
        var aCodes = [UInt8](repeating: 0, count: Self.allSamples.count)
        Self.allSamples.withUnsafeBufferPointer { samples in
            muCodes.withUnsafeMutableBufferPointer { MuLaw.encode(samples, into: $0) }
            aCodes.withUnsafeMutableBufferPointer { ALaw.encode(samples, into: $0) }
        }
        #expect(muCodes == Self.allSamples.map { MuLaw.encode($0) })
        #expect(aCodes == Self.allSamples.map { ALaw.encode($0) })
        #expect(MuLaw.encode(Self.allSamples) == muCodes)
        #expect(ALaw.encode(Self.allSamples) == aCodes)
    }

    @Test func bufferAPIsWriteOnlyTheInputLength() {
        var out = [Int16](repeating: 77, count: 4)
        let input: [UInt8] = [0xFF, 0x80]
        input.withUnsafeBufferPointer { codes in
            out.withUnsafeMutableBufferPointer { MuLaw.decode(codes, into: $0) }
        }
        #expect(out == [0, 32124, 77, 77])
    }
}
