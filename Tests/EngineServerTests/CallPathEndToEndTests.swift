import AsyncHTTPClient
import Foundation
import MediaEngine
import NIOCore
import RealtimeSim
import Testing
@testable import engine_server

/// Whole calls over real loopback sockets: signed webhook -> TwiML -> media stream -> engine ->
/// simulator -> paced reply audio with marks back to a synthetic caller that plays it like Twilio.
@Suite(.timeLimit(.minutes(3))) struct CallPathEndToEndTests {
    /// The largest amount of audio (ms) that ever ran ahead of real time, per talk spurt of the bot.
    static func maxLeadMs(_ arrivals: [CallerOutcome.BotFrameArrival]) -> (maxAheadMs: Double, longestSpurtMs: Double) {
        var maxAhead = 0.0, longest = 0.0
        var spurtStart: UInt64 = 0, spurtAudioMs = 0.0, last: UInt64 = 0
        for arrival in arrivals {
            if arrival.ns - last > 300_000_000 || spurtStart == 0 { spurtStart = arrival.ns; spurtAudioMs = 0 }
            last = arrival.ns
            let elapsedMs = Double(arrival.ns - spurtStart) / 1e6
            spurtAudioMs += Double(arrival.bytes) / 8
            maxAhead = max(maxAhead, spurtAudioMs - elapsedMs)
            longest = max(longest, spurtAudioMs)
        }
        return (maxAhead, longest)
    }

    @Test func hebrewCallIsAnsweredPacedAndTruncatedWhereTheCallerWasInterrupted() async throws {
        let harness = try await EngineHarness.start()
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        let outcome = await caller.run(CallScript(steps: [
            .pause(ms: 200),
            .say(name: "appointment", audio: try harness.callerClip("appointment", language: "he")),
            .waitForBot(timeoutMs: 8_000),
            .say(name: "details", audio: try harness.callerClip("details", language: "he")),
            .bargeIn(name: "accept", audio: try harness.callerClip("accept", language: "he"), afterBotMs: 1_200, timeoutMs: 8_000),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        #expect(outcome.failure == nil)
        #expect(outcome.turnLatenciesMs.count >= 2, "the bot answered each turn")
        #expect(outcome.marksEchoed > 0)
        // Paced at real time plus the lead (280 ms), not bursted at the simulator's 4x speed.
        let pacing = Self.maxLeadMs(outcome.botArrivals)
        #expect(pacing.longestSpurtMs > 1_000)
        let leadMs = Double(EngineConfiguration.defaultEgressLeadMs)
        #expect(pacing.maxAheadMs < leadMs + 80, "audio ran \(pacing.maxAheadMs) ms ahead of real time")
        // The barge-in: clear reached the caller, and the truncation matches what it had played.
        let barge = try #require(outcome.bargeIns.first)
        let truncation = try #require(harness.simulatorLog.truncations.first)
        #expect(barge.heardItem == truncation.itemID)
        let heard = try #require(barge.heardMs)
        #expect(abs(truncation.audioEndMs - heard) <= 40, "truncated at \(truncation.audioEndMs) ms, caller heard \(heard) ms")
        #expect(truncation.audioEndMs <= truncation.sentMs)
        let events = harness.events.events(of: caller.callSid)
        #expect(events.contains { if case .bargeIn(source: .engine, _, _, _, _, _) = $0 { true } else { false } })
        // `stop` ends the call and frees it on both sides.
        let freed = await EngineHarness.eventually {
            await harness.local.engine.registry.activeCount == 0 && harness.simulator?.activeSessionCount == 0
        }
        #expect(freed)
        #expect(harness.events.events(of: caller.callSid).contains { if case .ended = $0 { true } else { false } })
        await harness.stop()
    }

    @Test func englishCallOnThePcm24kPathBargesInOnTheModelsSpeechStart() async throws {
        let harness = try await EngineHarness.start()
        let caller = harness.caller(to: EngineHarness.englishNumber)
        let outcome = await caller.run(CallScript(steps: [
            .say(name: "appointment", audio: try harness.callerClip("appointment", language: "en")),
            .waitForBot(timeoutMs: 8_000),
            .say(name: "details", audio: try harness.callerClip("details", language: "en")),
            .bargeIn(name: "accept", audio: try harness.callerClip("accept", language: "en"), afterBotMs: 1_200, timeoutMs: 8_000),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        #expect(outcome.failure == nil)
        #expect(outcome.turnLatenciesMs.count >= 2)
        let events = harness.events.events(of: caller.callSid)
        #expect(events.contains { if case .bargeIn(source: .model, _, _, _, _, _) = $0 { true } else { false } })
        let barge = try #require(outcome.bargeIns.first)
        // The model's `audio_start_ms` includes the 300 ms prefix padding; the engine takes it off, so the
        // onset it reports is where the caller's first word went out (the simulator's energy VAD and the
        // 24 kHz resampler place it within a frame or two of that).
        let modelOnsetMs = events.compactMap { if case .bargeIn(.model, let onset, _, _, _, _) = $0 { onset } else { nil } }.first
        let onset = try #require(modelOnsetMs), spoken = try #require(barge.onsetMediaMs)
        #expect(abs(onset - spoken) <= 60, "engine onset \(onset) ms, the caller's first word at \(spoken) ms")
        let truncation = try #require(harness.simulatorLog.truncations.first)
        let heard = try #require(barge.heardMs)
        #expect(abs(truncation.audioEndMs - heard) <= 40, "truncated at \(truncation.audioEndMs) ms, caller heard \(heard) ms")
        await harness.stop()
    }

    /// The caller's clock itself: keys pressed between frames reach the engine as Twilio's `dtmf`, frames
    /// keep their 20 ms schedule, and a hard stop (the load test's end) cuts the script short with `stop`.
    @Test func callerKeysReachTheEngineAndItsHardStopCutsTheCallShort() async throws {
        let harness = try await EngineHarness.start()
        var caller = harness.caller(to: EngineHarness.hebrewNumber)
        let startNs = MonotonicClock.nowNs()
        caller.hangUpAtNs = startNs + 3_000_000_000
        let outcome = await caller.run(CallScript(steps: [.pause(ms: 200), .dtmf("5"), .pause(ms: 20_000), .hangUp]))
        #expect(outcome.failure == nil)
        #expect(outcome.cutShort, "the hard stop came before the script's end")
        #expect(!outcome.hungUpByEngine)
        // At most 3 s of frames (the webhook took part of it); the pause alone would be 1 000.
        #expect(outcome.framesSent >= 10 && outcome.framesSent <= 151, "\(outcome.framesSent) frames")
        let keys = await EngineHarness.eventually {
            harness.events.events(of: caller.callSid).contains { if case .dtmf("5", _, inBand: false) = $0 { true } else { false } }
        }
        #expect(keys)
        let ended = await EngineHarness.eventually {
            harness.events.events(of: caller.callSid).contains { if case .ended = $0 { true } else { false } }
        }
        #expect(ended, "the caller's stop ended the call")
        await harness.stop()
    }

    @Test func unknownNumberIsRejectedWithTwiMLReject() async throws {
        let harness = try await EngineHarness.start()
        let outcome = await harness.caller(to: "+15550000000", authToken: "whatever").run(CallScript(steps: [.hangUp]))
        #expect(outcome.rejected)
        #expect(outcome.failure == nil)
        #expect(await harness.local.engine.registry.totalCalls == 0)
        await harness.stop()
    }

    @Test func badSignatureGets403AndNoCall() async throws {
        let harness = try await EngineHarness.start()
        let outcome = await harness.caller(to: EngineHarness.hebrewNumber, authToken: "not-the-token").run(CallScript(steps: [.hangUp]))
        #expect(outcome.failure?.contains("403") == true, "\(outcome.failure ?? "no failure")")
        #expect(await harness.local.engine.registry.totalCalls == 0)
        await harness.stop()
    }

    @Test func malformedMessagesAreSkippedAndOtherCallsGoOn() async throws {
        let harness = try await EngineHarness.start()
        let clip = try harness.callerClip("appointment", language: "he")
        let bad = harness.caller(to: EngineHarness.hebrewNumber)
        let good = harness.caller(to: EngineHarness.hebrewNumber)
        async let badOutcome = bad.run(CallScript(steps: [
            .sendRaw("{not json"),
            .sendRaw(#"{"event":"media","sequenceNumber":"x","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"!!"}}"#),
            .sendRaw(#"{"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"@@@@"}}"#),
            .sendRaw(#"{"event":"surprise","streamSid":"MZ1"}"#),
            .say(name: "appointment", audio: clip),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        async let goodOutcome = good.run(CallScript(steps: [
            .say(name: "appointment", audio: clip), .waitForBot(timeoutMs: 8_000), .hangUp,
        ]))
        let (b, g) = await (badOutcome, goodOutcome)
        #expect(b.failure == nil)
        #expect(b.turnLatenciesMs.count == 1, "the call with bad messages still got its answer")
        #expect(g.failure == nil)
        #expect(g.turnLatenciesMs.count == 1)
        let errors = harness.events.events(of: bad.callSid).filter { if case .protocolError = $0 { true } else { false } }
        #expect(errors.count >= 3)
        await harness.stop()
    }

    @Test func oversizedMessageClosesOnlyThatStream() async throws {
        let harness = try await EngineHarness.start()
        let big = harness.caller(to: EngineHarness.hebrewNumber)
        let good = harness.caller(to: EngineHarness.hebrewNumber)
        let clip = try harness.callerClip("appointment", language: "he")
        async let bigOutcome = big.run(CallScript(steps: [
            .pause(ms: 200), .sendRaw(String(repeating: "x", count: 70_000)), .pause(ms: 2_000), .hangUp,
        ]))
        async let goodOutcome = good.run(CallScript(steps: [
            .say(name: "appointment", audio: clip), .waitForBot(timeoutMs: 8_000), .hangUp,
        ]))
        let (b, g) = await (bigOutcome, goodOutcome)
        #expect(b.hungUpByEngine, "the engine closed the offending stream")
        #expect(g.failure == nil)
        #expect(g.turnLatenciesMs.count == 1)
        await harness.stop()
    }

    @Test func modelDropMidCallReconnectsWithinASecondAndTheCallGoesOn() async throws {
        let harness = try await EngineHarness.start()
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        let simulator = try #require(harness.simulator)
        let appointment = try harness.callerClip("appointment", language: "he")
        let details = try harness.callerClip("details", language: "he")
        async let outcome = caller.run(CallScript(steps: [
            .say(name: "appointment", audio: appointment),
            .waitForBot(timeoutMs: 8_000),
            .pause(ms: 1_500),
            .say(name: "details", audio: details),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        // Drop the model connection once the first answer has been given.
        let answered = await EngineHarness.eventually {
            harness.events.events(of: caller.callSid).contains { if case .botTranscript = $0 { true } else { false } }
        }
        #expect(answered)
        await simulator.closeAllConnections()
        let result = await outcome
        #expect(result.failure == nil)
        #expect(result.turnLatenciesMs.count == 2, "the call continued after the drop")
        let gap = harness.events.events(of: caller.callSid).compactMap { if case .modelReconnected(let gap) = $0 { gap } else { nil } }
        #expect(gap.count == 1)
        #expect((gap.first ?? .max) < 1_000, "reconnected after \(gap.first ?? -1) ms")
        await harness.stop()
    }

    @Test func modelDownMeansTheSpokenFallbackThenHangUp() async throws {
        let harness = try await EngineHarness.start()
        harness.simulator?.setFaults(SimulatorFaults(refuseConnections: true))
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        let outcome = await caller.run(CallScript(steps: [.pause(ms: 15_000), .hangUp]))
        #expect(outcome.failure == nil)
        #expect(outcome.botFramesReceived > 100, "the caller heard the apology (\(outcome.botFramesReceived) frames)")
        #expect(outcome.hungUpByEngine)
        let events = harness.events.events(of: caller.callSid)
        #expect(events.contains { if case .fallback = $0 { true } else { false } })
        await harness.stop()
    }

    @Test func modelSessionRollsOverAtATurnBoundaryAndTheCallGoesOn() async throws {
        let harness = try await EngineHarness.start(modelSessionMaxAgeMs: 3_000)
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        let outcome = await caller.run(CallScript(steps: [
            .say(name: "appointment", audio: try harness.callerClip("appointment", language: "he")),
            .waitForBot(timeoutMs: 8_000),
            .pause(ms: 3_000),
            .say(name: "details", audio: try harness.callerClip("details", language: "he")),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        #expect(outcome.failure == nil)
        #expect(outcome.turnLatenciesMs.count == 2, "answered before and after the switch")
        let events = harness.events.events(of: caller.callSid)
        #expect(events.contains { if case .modelSessionRolledOver = $0 { true } else { false } })
        #expect(!events.contains { if case .modelReconnected = $0 { true } else { false } }, "a planned switch, not a drop")
        #expect((harness.simulator?.connectionsAccepted ?? 0) >= 2)
        await harness.local.stop()
    }
}
