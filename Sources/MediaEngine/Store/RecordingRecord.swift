public import Foundation

/// The metadata row of one call's recording; the audio itself is a file under the recordings directory.
///
/// One recording per call, keyed by tenant and call SID. The retention service deletes the file and
/// this row once the tenant's retention has passed.
public struct RecordingRecord: Sendable, Codable, Equatable {
    public var callSID: String
    /// The file's path relative to the recordings directory (never absolute, never `..`), so the data
    /// directory can move without rewriting rows.
    public var relativePath: String
    public var durationMs: Int64
    /// The encoding, e.g. `opus` (Ogg Opus).
    public var codec: String
    /// 1 for both sides mixed, 2 for caller and agent on separate channels.
    public var channels: Int
    public var sizeBytes: Int64
    /// When the recording was finished; retention counts from here.
    public var createdAt: Date

    public init(
        callSID: String, relativePath: String, durationMs: Int64, codec: String, channels: Int,
        sizeBytes: Int64, createdAt: Date
    ) {
        self.callSID = callSID
        self.relativePath = relativePath
        self.durationMs = durationMs
        self.codec = codec
        self.channels = channels
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
    }

    /// Where a call's recording goes, relative to the recordings directory:
    /// `<tenant>/<yyyy-MM-dd>/<callSID>.<fileExtension>` (UTC day). Characters other than ASCII letters,
    /// digits, `-` and `_` in the tenant id and call SID become `_`, so the path never leaves its folder.
    public static func relativePath(
        tenant: TenantID, callSID: String, startedAt: Date, fileExtension: String = "opus"
    ) -> String {
        let day = Int(startedAt.timeIntervalSince1970.rounded(.down) / 86_400)
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: day)
        let date = "\(year)-\(month < 10 ? "0" : "")\(month)-\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)"
        return "\(safe(tenant.rawValue))/\(date)/\(safe(callSID)).\(safe(fileExtension))"
    }

    private static func safe(_ component: String) -> String {
        let cleaned = String(component.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`), so the
    /// path does not depend on a calendar or time zone setting.
    private static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
