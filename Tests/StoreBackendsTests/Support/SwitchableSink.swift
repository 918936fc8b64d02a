import Foundation
import MediaEngine

/// A ``StoreWriteSink`` in front of a real store that can be switched "down" (every write throws
/// `StoreError.unavailable`, as a backend does when its server is unreachable) and can refuse records
/// of one call (as a broken constraint would).
actor SwitchableSink: StoreWriteSink {
    private let store: any Store
    private(set) var isDown: Bool
    private(set) var refusedCallSID: String?
    private(set) var failedWrites = 0

    init(store: any Store, isDown: Bool = false, refusing callSID: String? = nil) {
        self.store = store
        self.isDown = isDown
        self.refusedCallSID = callSID
    }

    func setDown(_ down: Bool) { isDown = down }

    func write(_ batch: [StoreWrite]) async throws {
        if isDown {
            failedWrites += 1
            throw StoreError.unavailable("test sink is down")
        }
        if let refusedCallSID, batch.contains(where: { $0.callSID == refusedCallSID }) {
            throw StoreError.rejected("test sink refuses \(refusedCallSID)")
        }
        try await store.write(batch)
    }
}

extension StoreWrite {
    /// The call the record belongs to.
    var callSID: String {
        switch change {
        case .call(let call): call.callSID
        case .callStatus(let report): report.callSID
        case .turn(let turn): turn.callSID
        case .recording(let recording): recording.callSID
        case .webhook(let delivery): delivery.id.uuidString
        }
    }
}

/// Polls `condition` every 10 ms, up to `attempts` times (a bound so a broken test fails instead of
/// hanging; never a timing assertion). Returns whether it became true.
func eventually(attempts: Int = 2_000, _ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
