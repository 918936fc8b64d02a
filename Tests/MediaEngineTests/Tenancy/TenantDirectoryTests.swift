import Foundation
import Testing
@testable import MediaEngine

/// Loading the bundled `plugins.yaml`, resolving called numbers, and config versions.
@Suite struct TenantDirectoryTests {
    static let pluginNames: Set<String> = [
        "faq", "dtmf_menu", "lead_capture", "auto_hangup", "greeting", "appointments", "transcript_webhook",
    ]

    /// The repository root, found from this file's path (Tests/MediaEngineTests/Tenancy/…).
    static var bundledConfigPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("plugins.yaml").path
    }

    @Test func bundledPluginsYAMLLoadsBothExampleTenants() throws {
        let directory = try TenantDirectory.load(path: Self.bundledConfigPath, knownPlugins: Self.pluginNames)
        #expect(directory.tenants.map(\.id) == ["tlv-dental", "rapid-plumbing"])

        let dental = try #require(directory.tenant(id: "tlv-dental"))
        #expect(dental.language == .hebrew)
        #expect(dental.phoneNumbers == [PhoneNumber(e164: "+97235550100")])
        #expect(dental.twilioAuthTokenEnv == "TWILIO_AUTH_TOKEN_TLV_DENTAL")
        #expect(dental.model.audioPath == .pcmu && dental.model.bargeIn == .engine && dental.model.voice == "ash")
        #expect(dental.model.greeting?.contains("אני יכול לעזור") == true)
        #expect(dental.model.instructions.hasPrefix("אתה העוזר הקולי"))
        #expect(dental.model.transcription == TranscriptionSettings(model: "gpt-4o-mini-transcribe", language: "he"))
        #expect(dental.model.turnDetection == .serverVAD(.init(
            threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 600, idleTimeoutMs: 8000)))
        #expect(dental.recording == RecordingPolicy(enabled: true, retentionDays: 30))
        #expect(Set(dental.plugins.map(\.name)) == Self.pluginNames)
        #expect(dental.enabledPlugins.count == 6 && dental.plugin(named: "transcript_webhook")?.enabled == false)

        let menu = try #require(dental.plugin(named: "dtmf_menu"))
        #expect(menu.settings["options"]?["0"]?["to"] == .string("+97235550199"))
        #expect(menu.settings["digit_timeout_ms"] == .int(4000))
        #expect(dental.plugin(named: "greeting")?.settings["use_cached_audio"] == .bool(true))
        let faq = try #require(dental.plugin(named: "faq")?.settings["entries"]?.listValue)
        #expect(faq.count == 3)

        let plumbing = try #require(directory.tenant(id: "rapid-plumbing"))
        #expect(plumbing.language == .english && plumbing.model.bargeIn == .model)
        #expect(plumbing.model.turnDetection == .semanticVAD(eagerness: .auto))
        #expect(plumbing.recording.enabled == false)
    }

    @Test func calledNumbersResolveAfterNormalizing() throws {
        let directory = try TenantDirectory.load(path: Self.bundledConfigPath)
        for spelling in ["+97235550100", " tel:+972-3-555-0100 ", "+972 3 555 0100", "0097235550100"] {
            #expect(directory.tenant(forCalledNumber: spelling)?.id == "tlv-dental", "\(spelling)")
        }
        #expect(directory.tenant(forCalledNumber: "+1 (555) 555-0123")?.id == "rapid-plumbing")
        for unknown in ["+15555550000", "97235550100", "anonymous", "", "+", "sip:agent@example.com"] {
            #expect(directory.tenant(forCalledNumber: unknown) == nil, "\(unknown)")
        }
        #expect(directory.tenant(id: "nobody") == nil)
    }

    @Test func versionsTrackContentNotFormatting() throws {
        let original = try String(contentsOfFile: Self.bundledConfigPath, encoding: .utf8)
        let first = try TenantDirectory(yaml: original)
        let reformatted = try TenantDirectory(yaml: "# a new comment\n" + original.replacingOccurrences(of: "language: he", with: "language:   he"))
        let changed = try TenantDirectory(yaml: original.replacingOccurrences(
            of: "Thanks for calling Rapid Flow Plumbing. How can I help you today?", with: "Rapid Flow, how can I help?"))

        #expect(first.version.count == 16 && first.version != reformatted.version && first.version != changed.version)
        #expect(first.tenants.map(\.version) == reformatted.tenants.map(\.version))
        #expect(first.tenants[0].version == changed.tenants[0].version)
        #expect(first.tenants[1].version != changed.tenants[1].version)
        #expect(first.tenants[0].version != first.tenants[1].version)
    }

    @Test func authTokenComesFromTheNamedEnvironmentVariable() throws {
        let directory = try TenantDirectory.load(path: Self.bundledConfigPath)
        let dental = try #require(directory.tenant(id: "tlv-dental"))
        #expect(try dental.twilioAuthToken(from: ["TWILIO_AUTH_TOKEN_TLV_DENTAL": "secret"]) == "secret")
        #expect(throws: TenantConfigError.self) { try dental.twilioAuthToken(from: [:]) }
        do {
            _ = try dental.twilioAuthToken(from: ["TWILIO_AUTH_TOKEN_TLV_DENTAL": ""])
        } catch {
            #expect(error.description.hasSuffix(
                "tenants[0].twilio_auth_token_env: environment variable TWILIO_AUTH_TOKEN_TLV_DENTAL is not set; "
                    + "export the tenant's Twilio auth token in it"))
        }
    }

    @Test func pluginSettingIssuesPointAtTheSettingsLine() throws {
        let directory = try TenantDirectory.load(path: Self.bundledConfigPath)
        let menu = try #require(directory.tenant(id: "tlv-dental")?.plugin(named: "dtmf_menu"))
        let text = try String(contentsOfFile: Self.bundledConfigPath, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let issue = menu.issue(at: "options.0.to", "cannot transfer outside the tenant's country")
        let line = try #require(issue.line)
        #expect(lines[line - 1].contains(#""0": {action: transfer, to: "+97235550199"}"#))
        #expect(issue.field == "tenants[0].plugins[2].settings.options.0.to")
    }

    @Test func missingFileIsAReadableError() {
        #expect(throws: TenantConfigError.self) { try TenantDirectory.load(path: "/nonexistent/plugins.yaml") }
    }
}
