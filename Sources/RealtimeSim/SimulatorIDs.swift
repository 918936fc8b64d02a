/// Makes the ids one session hands out (`event_…`, `item_…`, `resp_…`, `call_…`, `sess_…`): a random
/// per-session tag plus a counter, so ids are unique across sessions (the engine keys state on item ids
/// across reconnects) and cost no more than a counter per event.
struct SimulatorIDs {
    /// Random letters and digits, fixed for the session.
    let tag: String
    private var counter = 0

    init() {
        var generator = SystemRandomNumberGenerator()
        tag = Self.randomTag(length: 10, using: &generator)
    }

    /// `prefix_<tag><n>` with a fresh n.
    mutating func next(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(tag)\(counter)"
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func randomTag(length: Int, using generator: inout some RandomNumberGenerator) -> String {
        String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
