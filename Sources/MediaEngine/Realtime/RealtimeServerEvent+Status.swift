/// Payloads of the status events: `error` and `rate_limits.updated`.
extension RealtimeServerEvent {
    /// `error`: most are recoverable; log `error.eventID` (our failing event) and carry on.
    public struct ErrorEvent: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var error: RealtimeErrorDetails

        public init(eventID: String? = nil, error: RealtimeErrorDetails) {
            self.eventID = eventID
            self.error = error
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            error = try c.required("error")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(error, forKey: "error")
        }
    }

    /// `rate_limits.updated`: sent when a response starts.
    public struct RateLimitsUpdated: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var rateLimits: [RateLimit]

        public init(eventID: String? = nil, rateLimits: [RateLimit]) {
            self.eventID = eventID
            self.rateLimits = rateLimits
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            rateLimits = try c.required("rate_limits")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(rateLimits, forKey: "rate_limits")
        }
    }

    /// One entry of `rate_limits`.
    public struct RateLimit: Sendable, Hashable, Codable {
        /// "requests" or "tokens".
        public var name: String?
        public var limit: Int?
        public var remaining: Int?
        /// Seconds until the limit resets.
        public var resetSeconds: Double?

        public init(name: String? = nil, limit: Int? = nil, remaining: Int? = nil, resetSeconds: Double? = nil) {
            self.name = name
            self.limit = limit
            self.remaining = remaining
            self.resetSeconds = resetSeconds
        }

        private enum CodingKeys: String, CodingKey {
            case name, limit, remaining
            case resetSeconds = "reset_seconds"
        }
    }
}
