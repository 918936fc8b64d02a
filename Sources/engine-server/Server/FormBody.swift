import Foundation

/// An `application/x-www-form-urlencoded` body (Twilio's webhooks), keeping every name/value pair in
/// order, repeated names included: the signature is computed over all of them.
struct FormBody: Sendable {
    let pairs: [(name: String, value: String)]

    init(_ body: String) {
        pairs = body.split(separator: "&", omittingEmptySubsequences: true).map { field in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, if present.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
