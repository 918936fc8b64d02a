/// `Decodable` mirrors of Twilio's inbound JSON for `TwilioMessageDecoder`'s general path.
///
/// Every field is optional so the decoder, not `JSONDecoder`, decides what is required and can name
/// the missing field in its error. Numeric-looking fields are strings on the wire (protocols.md A.3).
enum TwilioWire {
    struct Envelope: Decodable {
        var event: String?
    }

    struct Connected: Decodable {
        var `protocol`: String?
        var version: String?
    }

    struct Start: Decodable {
        struct Body: Decodable {
            var streamSid: String?
            var accountSid: String?
            var callSid: String?
            var tracks: [String]?
            var customParameters: [String: String]?
            var mediaFormat: MediaFormat?
        }

        struct MediaFormat: Decodable {
            var encoding: String?
            var sampleRate: Int?
            var channels: Int?
        }

        var sequenceNumber: String?
        var streamSid: String?
        var start: Body?
    }

    struct Media: Decodable {
        struct Body: Decodable {
            var track: String?
            var chunk: String?
            var timestamp: String?
            var payload: String?
        }

        var sequenceNumber: String?
        var streamSid: String?
        var media: Body?
    }

    struct DTMF: Decodable {
        struct Body: Decodable {
            var track: String?
            var digit: String?
        }

        var sequenceNumber: String?
        var streamSid: String?
        var dtmf: Body?
    }

    struct Mark: Decodable {
        struct Body: Decodable {
            var name: String?
        }

        var sequenceNumber: String?
        var streamSid: String?
        var mark: Body?
    }

    struct Stop: Decodable {
        struct Body: Decodable {
            var accountSid: String?
            var callSid: String?
        }

        var sequenceNumber: String?
        var streamSid: String?
        var stop: Body?
    }
}
