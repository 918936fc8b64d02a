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
}
