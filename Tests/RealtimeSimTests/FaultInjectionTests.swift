import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SimulatedSession: injected faults")
struct FaultInjectionTests {
    @Test func closesAfterTheConfiguredNumberOfEvents() async throws {
        var configuration = SimulatorConfiguration.instant()
        configuration.faults = SimulatorFaults(closeAfterEvents: 2, closeCode: 1011)
        let harness = try await SessionHarness.started(configuration)
        try await harness.send(Fixtures.phoneSession())
        try await harness.send(.responseCreate())
        let outputs = harness.records.map(\.output)
        #expect(outputs.count == 3)
        #expect(harness.types == ["session.created", "session.updated"])
        guard case .close(let code, let reason)? = outputs.last else {
            Issue.record("expected a close, got \(outputs)")
            return
        }
        #expect(code == 1011)
        #expect(reason.contains("2 events"))
        #expect(harness.log.observations.contains { if case .closedByFault = $0 { true } else { false } })
    }

    @Test func closesAfterTheConfiguredTime() async throws {
        var configuration = SimulatorConfiguration.instant()
        configuration.faults = SimulatorFaults(closeAfterMs: 5000, closeCode: 1001)
        let harness = try await SessionHarness.started(configuration)
        let limit = ContinuousClock.now + .seconds(30)
        while harness.clock.nextDeadline == nil, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(1)) }
        #expect(harness.clock.nextDeadline == .init(offset: .milliseconds(5000)))
        harness.clock.advance(by: .milliseconds(4999))
        try await Task.sleep(for: .milliseconds(20))
        #expect(harness.records.count == 1)
        harness.clock.advance(by: .milliseconds(1))
        try await harness.waitUntil(advancingClock: false, "close") { _ in
            harness.records.contains { if case .close = $0.output { true } else { false } }
        }
        #expect(harness.records.last?.output == .close(code: 1001, reason: "simulated fault: closed after 5000 ms"))
    }

    @Test func faultsApplyOnlyToTheAffectedConnections() {
        var state = SimulatorServerState(faults: SimulatorFaults(refuseConnections: true, affectedConnections: 2))
        #expect(state.takeFaults().refuseConnections)
        #expect(state.takeFaults().refuseConnections)
        #expect(state.takeFaults() == .none)
        var always = SimulatorServerState(faults: SimulatorFaults(closeAfterEvents: 5))
        for _ in 0..<5 { #expect(always.takeFaults().closeAfterEvents == 5) }
    }
}
