import Foundation
import MediaEngine
import Testing
@testable import engine_server
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The load test's outputs: SVG plots, the HTML page, the JSON report, and the pieces that feed them.
@Suite struct LoadReportTests {
    /// Parses `text` as XML; returns the elements' names and attributes in document order.
    final class XMLCollector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
    }

    static func parseXML(_ text: String) -> (ok: Bool, elements: [(name: String, attributes: [String: String])]) {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = XMLCollector()
        parser.delegate = collector
        let ok = parser.parse()
        return (ok, collector.elements)
    }

    @Test func lineChartIsWellFormedSVGWithOnePathPerSeries() {
        let svg = SVGChart(title: "Turn & barge-in <latency>", xLabel: "ms", yLabel: "percentile").lines([
            .init(name: "turn", points: [(100, 0), (200, 50), (300, 100)], color: "#1f77b4"),
            .init(name: "barge-in", points: [(50, 0), (150, 100)], color: "#d62728"),
        ], yRange: 0...100)
        let (ok, elements) = Self.parseXML(svg)
        #expect(ok)
        #expect(elements.first?.name == "svg")
        let series = elements.filter { $0.name == "path" && $0.attributes["class"] == "series" }
        #expect(series.map { $0.attributes["data-series"] } == ["turn", "barge-in"])
        #expect(series.first?.attributes["d"]?.hasPrefix("M") == true)
        #expect(series.first?.attributes["d"]?.split(separator: "L").count == 3)
        #expect(svg.contains("Turn &amp; barge-in &lt;latency&gt;"))
    }

    @Test func histogramChartHasOneBarPerNonEmptyBucket() {
        let buckets = [HistogramBucket(fromMs: 0, toMs: 5, count: 3), HistogramBucket(fromMs: 5, toMs: 10, count: 0),
                       HistogramBucket(fromMs: 10, toMs: 15, count: 7)]
        let (ok, elements) = Self.parseXML(SVGChart(title: "Jitter", xLabel: "ms", yLabel: "frames").bars(buckets))
        #expect(ok)
        #expect(elements.filter { $0.attributes["class"] == "bar" }.count == 2)
    }

    @Test func emptyChartSaysNoData() {
        let svg = SVGChart(title: "Empty", xLabel: "x", yLabel: "y").lines([.init(name: "a", points: [], color: "red")])
        #expect(Self.parseXML(svg).ok)
        #expect(svg.contains("no data"))
    }

    @Test func ticksAreRoundNumbersInsideTheRange() {
        #expect(SVGChart.ticks(0...100) == [0, 20, 40, 60, 80, 100])
        #expect(SVGChart.ticks(787...808) == [790, 795, 800, 805])
        #expect(SVGChart.ticks(0...0.07).count >= 3)
    }

    /// A small report as a finished run would make it.
    static func sampleReport() -> LoadReport {
        let collector = LoadCollector(leadMs: 200)
        collector.callStarted(.talk)
        collector.callStarted(.bargeIn)
        var talk = CallerOutcome(callSid: "CA1")
        talk.turns = [.init(speechEndNs: 1_000_000_000, speechEndMediaMs: 2_000, firstBotFrameNs: 1_800_000_000)]
        talk.botArrivals = LoadStatisticsTests.pacedSpurt(startNs: 1_800_000_000, frames: 40)
        talk.sendLateness.record(ms: 0.4)
        var barge = CallerOutcome(callSid: "CA2")
        barge.bargeInsAttempted = 1
        barge.bargeIns = [.init(onsetToClearMs: 180, heardItem: "item_1", heardMs: 1_200, onsetNs: 5_000_000_000, clearNs: 5_180_000_000)]
        collector.callEnded(talk, scenario: .talk)
        collector.callEnded(barge, scenario: .bargeIn)
        let plan = LoadPlan(calls: 2, concurrency: 2, ratePerSecond: 1, durationSeconds: 10, mix: .standard, language: "he", seed: 1)
        let target = LoadTarget(mode: "in-process", engineURL: "http://127.0.0.1:1", numbers: ["he": "+97235559011"],
                                audioPath: "pcmu", bargeIn: "engine", thinkTimeMs: 300, enginePid: 1)
        let timeline = (0...4).map { s in
            TimelinePoint(t: Double(s), activeCalls: min(s, 2), finishedCalls: 0, failedCalls: 0, lateFrames: 0, missingFrames: 0,
                          turnP95Ms: 800, bargeInP95Ms: 180, engineCPUSeconds: Double(s) * 0.01, engineRSSBytes: (50 + s) << 20,
                          engineCPUPercent: s == 0 ? nil : 1)
        }
        return LoadReport(plan: plan, target: target, wallSeconds: 4, tally: collector.tally, timeline: timeline,
                          truncations: ["item_1": 1_230])
    }

    @Test func jsonReportHasThePlanCallsLatenciesAndDistributions() throws {
        let report = Self.sampleReport()
        let json = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let calls = try #require(json["calls"] as? [String: Any])
        #expect(calls["placed"] as? Int == 2)
        #expect(calls["failed"] as? Int == 0)
        let latency = try #require(json["latency"] as? [String: Any])
        let turn = try #require(latency["turn"] as? [String: Any])
        #expect(abs((turn["p50"] as? Double ?? 0) - 800) < 1)
        let truncation = try #require(json["truncation"] as? [String: Any])
        #expect(truncation["matched"] as? Int == 1)
        #expect(abs((truncation["meanSignedErrorMs"] as? Double ?? 0) - 30) < 0.001)
        let plan = try #require(json["plan"] as? [String: Any])
        #expect(plan["mix"] as? String == CallMix.standard.description)
        let distributions = try #require(json["distributions"] as? [String: Any])
        #expect(Set(distributions.keys).isSuperset(of: ["turn", "bargeIn", "jitter", "playoutMargin", "truncationError"]))
        #expect((json["timeline"] as? [Any])?.count == 5)
        // And it reads back.
        let decoded = try JSONDecoder().decode(LoadReport.self, from: report.json())
        #expect(decoded.calls == report.calls)
        #expect(decoded.plan == report.plan)
    }

    @Test func htmlReportIsSelfContainedWithItsPlots() {
        let html = HTMLReport.render(Self.sampleReport())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("https://"))
        #expect(!html.contains(" src=") && !html.contains(" href="), "nothing is fetched")
        #expect(html.components(separatedBy: "<svg ").count - 1 >= 10)
        for title in ["Turn and barge-in latency (CDF, to p99.9)", "Egress inter-frame jitter (CDF, to p99.9)", "CPU (100 % = one core)", "Resident memory", "Calls"] {
            #expect(html.contains(title), "missing plot \(title)")
        }
        #expect(html.contains("Clean: no failed call"))
        #expect(!SummaryTable.render(Self.sampleReport()).isEmpty)
    }

    @Test func callMixParsesWeightsAndPicksInProportion() throws {
        let mix = try CallMix(parsing: "talk=3, barge-in=1,dtmf=0")
        #expect(mix.description == "barge-in=1,talk=3")
        #expect(mix.pick(0.0) == .bargeIn)
        #expect(mix.pick(0.26) == .talk)
        #expect(mix.pick(0.999) == .talk)
        #expect(throws: LoadtestError.self) { try CallMix(parsing: "talk=2,chat=1") }
        #expect(throws: LoadtestError.self) { try CallMix(parsing: "talk=0") }
    }

    @Test func engineMessagesAreReadWithoutParsingJSON() {
        func read(_ text: String) -> TwilioCallerMessages.Inbound {
            Array(text.utf8).withUnsafeBytes { TwilioCallerMessages.read($0) }
        }
        #expect(read(#"{"event":"media","streamSid":"MZ1","media":{"payload":"\#(Base64.encode([UInt8](repeating: 0xFF, count: 160)))"}}"#)
            == .media(bytes: 160))
        #expect(read(#"{"event":"media","streamSid":"MZ1","media":{"payload":"AAE="}}"#) == .media(bytes: 2))
        #expect(read(#"{"event":"mark","streamSid":"MZ1","mark":{"name":"3:item_x:240"}}"#) == .mark(name: "3:item_x:240"))
        #expect(read(#"{"event":"clear","streamSid":"MZ9"}"#) == .clear(streamSid: "MZ9"))
        #expect(read(#"{"event":"other"}"#) == .other)
    }

    @Test func callsFailForTheRightReasons() {
        var ok = CallerOutcome(callSid: "CA1")
        #expect(LoadCollector.failureReason(ok, scenario: .talk) == nil)
        ok.unansweredTurns = 1
        #expect(LoadCollector.failureReason(ok, scenario: .talk) == "turn not answered")
        var hungUp = CallerOutcome(callSid: "CA2")
        hungUp.hungUpByEngine = true
        #expect(LoadCollector.failureReason(hungUp, scenario: .talk) == "engine hung up")
        #expect(LoadCollector.failureReason(hungUp, scenario: .goodbye) == nil)
        var barge = CallerOutcome(callSid: "CA3")
        barge.bargeInsAttempted = 1
        #expect(LoadCollector.failureReason(barge, scenario: .bargeIn) == "barge-in not honoured (no clear)")
        barge.cutShort = true
        #expect(LoadCollector.failureReason(barge, scenario: .bargeIn) == nil, "the hard stop came first")
        let failed = CallerOutcome(callSid: "CA4", failure: "webhook answered 403: forbidden")
        #expect(LoadCollector.failureReason(failed, scenario: .talk) == "webhook answered 403")
    }

    @Test func builtInTenantsParseAndAnswerEveryLine() throws {
        let directory = try TenantDirectory(yaml: LoadtestTenants.yaml, sourceName: "built-in")
        #expect(directory.tenants.count == 8)
        for line in LoadtestTenants.lines {
            let tenant = try #require(directory.tenant(forCalledNumber: line.number))
            #expect(tenant.model.audioPath == line.audioPath)
            #expect(tenant.model.bargeIn == line.bargeIn)
            #expect(tenant.language.rawValue == line.language)
        }
    }

    @Test func utteranceFindsTheWordsInsideItsSilence() {
        let silence = [UInt8](repeating: MuLaw.silence, count: 800)  // 100 ms
        let tone = (0..<1_600).map { MuLaw.encode(Int16(8_000 * sin(Double($0) * 0.3))) }  // 200 ms
        let utterance = Utterance(name: "x", muLaw: silence + tone + silence + [MuLaw.silence])
        #expect(utterance.framePayloads.count == 21)
        #expect(utterance.firstSpeechFrame == 5)
        #expect(utterance.lastSpeechFrame == 14)
    }
}
