import Testing
@testable import MediaEngine

@Suite struct WAVFileTests {
    @Test func pcm16RoundTripsThroughBytes() throws {
        let samples: [Int16] = [0, 1, -1, 32767, -32768, 1234, -4321]
        let file = WAVFile(samples: samples, sampleRate: 16000)
        let parsed = try WAVFile.parse(file.serialized())
        #expect(parsed.samples == samples)
        #expect(parsed.sampleRate == 16000)
        #expect(parsed.encoding == .pcm16)
    }

    @Test func muLawFileDecodesToTheG711Values() throws {
        let samples: [Int16] = [0, 1000, -1000, 30000, -30000]
        let bytes = WAVFile(samples: samples, sampleRate: 8000, encoding: .muLaw).serialized()
        let parsed = try WAVFile.parse(bytes)
        #expect(parsed.encoding == .muLaw)
        #expect(parsed.samples == samples.map { MuLaw.decode(MuLaw.encode($0)) })
    }

    @Test func stereoIsAveragedToMono() throws {
        // Hand-built stereo PCM16 file: frames (100, 300) and (-50, 50).
        var bytes = WAVFile(samples: [100, 300, -50, 50], sampleRate: 8000).serialized()
        bytes[22] = 2  // channels
        bytes[32] = 4  // block align
        let parsed = try WAVFile.parse(bytes)
        #expect(parsed.channels == 2)
        #expect(parsed.samples == [200, 0])
    }

    @Test func rejectsWhatItCannotRead() {
        #expect(throws: WAVFile.ReadError.notWAV(path: "<memory>")) { try WAVFile.parse(Array("hello world!".utf8)) }
        var float = WAVFile(samples: [0, 0], sampleRate: 8000).serialized()
        float[20] = 3  // IEEE float
        #expect(throws: WAVFile.ReadError.unsupportedFormat(path: "<memory>", detail: "format code 3, 16 bits per sample")) {
            try WAVFile.parse(float)
        }
        #expect(throws: WAVFile.ReadError.cannotOpen(path: "/nonexistent/x.wav", reason: "no such file")) {
            try WAVFile.read(path: "/nonexistent/x.wav")
        }
    }
}
