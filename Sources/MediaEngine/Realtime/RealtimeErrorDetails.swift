/// The `error` object of an `error` event (and of failed responses and transcriptions).
///
/// Most errors are recoverable: log them with `eventID` (the client event that failed, when the client
/// set one) and carry on. Codes seen in practice: `response_cancel_not_active` (benign),
/// `input_audio_buffer_commit_empty`, `unsupported_content_type`, `session_expired`, `beta_api_shape_disabled`.
public struct RealtimeErrorDetails: Sendable, Hashable {
    /// For example "invalid_request_error" or "server_error". Absent in some nested error objects.
    public var type: String?
    public var code: String?
    public var message: String?
    /// The offending parameter, when the server names one.
    public var param: String?
    /// The `event_id` of the client event that caused the error.
    public var eventID: String?

    public init(type: String? = nil, code: String? = nil, message: String? = nil, param: String? = nil,
                eventID: String? = nil) {
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.eventID = eventID
    }
}

extension RealtimeErrorDetails: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, code, message, param
        case eventID = "event_id"
    }
}
