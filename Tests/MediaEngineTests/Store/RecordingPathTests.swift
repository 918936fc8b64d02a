import Foundation
import MediaEngine
import Testing

/// Recording files get a predictable path that cannot leave its tenant's folder.
@Suite struct RecordingPathTests {
    @Test func pathIsTenantThenUTCDayThenCall() {
        let startedAt = Date(timeIntervalSince1970: 1_709_251_199)  // 2024-02-29T23:59:59Z
        #expect(
            RecordingRecord.relativePath(tenant: "acme", callSID: "CA0123abcd", startedAt: startedAt)
                == "acme/2024-02-29/CA0123abcd.opus")
        #expect(
            RecordingRecord.relativePath(tenant: "acme", callSID: "CA1", startedAt: Date(timeIntervalSince1970: 0))
                == "acme/1970-01-01/CA1.opus")
    }

    @Test func separatorsAndDotsCannotEscapeTheFolder() {
        let path = RecordingRecord.relativePath(
            tenant: "../etc", callSID: "a/../../b", startedAt: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(path == "___etc/2023-11-14/a_______b.opus")
        #expect(!path.contains(".."))
    }
}
