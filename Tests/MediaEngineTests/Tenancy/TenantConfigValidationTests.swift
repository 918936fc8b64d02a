import Testing
@testable import MediaEngine

/// Every validation rule of `plugins.yaml`, each reported with the right line and field.
@Suite struct TenantConfigValidationTests {
    /// A valid two-tenant file; tests edit single lines (1-based, as in the error messages).
    static let template = [
        "tenants:",                                     // 1
        "  - id: alpha",                                // 2
        "    display_name: Alpha",                      // 3
        #"    phone_numbers: ["+15555550001"]"#,        // 4
        "    language: en",                             // 5
        "    twilio_auth_token_env: TWILIO_ALPHA",      // 6
        "    model:",                                   // 7
        "      instructions: Be brief.",                // 8
        "  - id: beta",                                 // 9
        "    display_name: Beta",                       // 10
        "    phone_numbers:",                           // 11
        #"      - "+15555550002""#,                     // 12
        "    language: he",                             // 13
        "    twilio_auth_token_env: TWILIO_BETA",       // 14
        "    model:",                                   // 15
        "      instructions: דבר בעברית.",              // 16
    ]

    /// The template with `line` replaced (or, with `insert`, new lines put after `line`).
    static func yaml(replacing replacements: [Int: String] = [:], inserting insertions: [Int: [String]] = [:]) -> String {
        var lines: [String] = []
        for (index, line) in template.enumerated() {
            lines.append(replacements[index + 1] ?? line)
            lines += insertions[index + 1] ?? []
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func issues(_ yaml: String, knownPlugins: Set<String>? = nil) -> [TenantConfigError.Issue] {
        do {
            _ = try TenantDirectory(yaml: yaml, knownPlugins: knownPlugins)
            Issue.record("expected the config to be refused")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func templateIsValidAndDefaultsApply() throws {
        let directory = try TenantDirectory(yaml: Self.yaml())
        let alpha = try #require(directory.tenant(id: "alpha"))
        #expect(alpha.model.name == "gpt-realtime" && alpha.model.voice == "marin" && alpha.model.greeting == nil)
        #expect(alpha.model.audioPath == .pcmu && alpha.model.bargeIn == .engine)
        #expect(alpha.model.turnDetection == .serverVAD(.standard))
        #expect(alpha.model.transcription == TranscriptionSettings(model: "gpt-4o-mini-transcribe", language: "en"))
        #expect(directory.tenant(id: "beta")?.model.transcription.language == "he")
        #expect(alpha.recording == RecordingPolicy(enabled: false, retentionDays: 30) && alpha.plugins.isEmpty)

        // The same settings built in code hash to the same version: it depends on content only.
        let inCode = TenantConfig(
            id: "alpha", displayName: "Alpha", phoneNumbers: [try #require(PhoneNumber(e164: "+15555550001"))],
            language: .english, twilioAuthTokenEnv: "TWILIO_ALPHA",
            model: ModelSettings(
                name: "gpt-realtime", voice: "marin", instructions: "Be brief.", greeting: nil, audioPath: .pcmu,
                transcription: TranscriptionSettings(model: "gpt-4o-mini-transcribe", language: "en"),
                turnDetection: .serverVAD(.standard), bargeIn: .engine),
            recording: RecordingPolicy(enabled: false, retentionDays: 30), plugins: [])
        #expect(inCode.version == alpha.version)
        #expect(alpha.source == ConfigSource(file: "plugins.yaml", line: 2, path: "tenants[0]"))
    }

    @Test func phoneNumberThatIsNotE164() {
        let found = issues(Self.yaml(replacing: [12: #"      - "+972-3-555""#]))
        #expect(found.map(\.description) == [
            "plugins.yaml:12: tenants[1].phone_numbers[0]: '+972-3-555' is not an E.164 number; "
                + "write '+', the country code and the number, digits only (e.g. +97235550100)",
        ])
    }

    @Test func duplicateTenantIDs() {
        let found = issues(Self.yaml(replacing: [9: "  - id: alpha"]))
        #expect(found.map(\.description) == ["plugins.yaml:9: tenants[1].id: tenant id 'alpha' is already used by tenants[0] (line 2)"])
    }

    @Test func oneNumberClaimedByTwoTenants() {
        let found = issues(Self.yaml(replacing: [12: #"      - "+15555550001""#]))
        #expect(found.map(\.description) == [
            "plugins.yaml:12: tenants[1].phone_numbers[0]: +15555550001 is already claimed by tenant 'alpha' (line 4)",
        ])
        let twice = issues(Self.yaml(replacing: [4: #"    phone_numbers: ["+15555550001", "+15555550001"]"#]))
        #expect(twice.map(\.description) == [
            "plugins.yaml:4: tenants[0].phone_numbers[1]: +15555550001 is already claimed by this tenant (line 4)",
        ])
    }

    @Test func unknownKeysAreTyposWithSuggestions() {
        let found = issues(Self.yaml(replacing: [5: "    langauge: en"]))
        #expect(found.map(\.description) == [
            "plugins.yaml:2: tenants[0].language: is required",
            "plugins.yaml:5: tenants[0].langauge: unknown key (did you mean 'language'?); allowed here: id, display_name, "
                + "phone_numbers, language, twilio_auth_token_env, model, recording, plugins",
        ])
        let camel = issues(Self.yaml(inserting: [8: ["      bargeIn: model"]]))
        #expect(camel.count == 1 && camel[0].line == 9 && camel[0].field == "tenants[0].model.bargeIn")
        #expect(camel[0].problem.hasPrefix("unknown key (did you mean 'barge_in'?)"))
        let topLevel = issues(Self.yaml(inserting: [16: ["tenant:", "  - id: x"]]))
        #expect(topLevel.count == 1 && topLevel[0].line == 17 && topLevel[0].field == "tenant")
    }

    @Test func unknownModelAudioPathAndOtherChoices() {
        let found = issues(Self.yaml(inserting: [8: ["      audio_path: pcm16", "      barge_in: both", "      voice: marine"]]))
        #expect(found.map(\.description) == [
            "plugins.yaml:9: tenants[0].model.audio_path: 'pcm16' is not a model audio path; use one of: pcmu, pcm24k",
            "plugins.yaml:10: tenants[0].model.barge_in: 'both' is not a barge-in source; use one of: engine, model",
            "plugins.yaml:11: tenants[0].model.voice: 'marine' is not a Realtime voice (did you mean 'marin'?); use one of: "
                + "alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar, or a custom voice_… id",
        ])
        let language = issues(Self.yaml(replacing: [13: "    language: fr"]))
        #expect(language.map(\.description) == ["plugins.yaml:13: tenants[1].language: 'fr' is not a supported language; use one of: he, en"])
    }

    @Test func missingRequiredFieldsPointAtTheirMapping() {
        let found = issues(Self.yaml(replacing: [8: "      greeting: Hi!", 10: "    display_name: \"\""]))
        #expect(found.map(\.description) == [
            "plugins.yaml:8: tenants[0].model.instructions: is required",
            "plugins.yaml:10: tenants[1].display_name: must not be empty",
        ])
        let noModel = issues(Self.yaml(replacing: [7: "    recording: {enabled: false}", 8: ""]))
        #expect(noModel.map(\.description) == ["plugins.yaml:2: tenants[0].model: is required (at least 'instructions')"])
    }

    @Test func valuesOfTheWrongKindOrRange() {
        let found = issues(Self.yaml(inserting: [16: [
            "    recording:",
            "      enabled: yes",
            "      retention_days: forever",
            "    plugins:",
            "      - name: faq",
            "        enabled: 1",
            "        settings: [a, b]",
        ]]))
        #expect(found.map(\.description) == [
            "plugins.yaml:18: tenants[1].recording.enabled: should be true or false",
            "plugins.yaml:19: tenants[1].recording.retention_days: should be a whole number from 1 to 3650",
            "plugins.yaml:22: tenants[1].plugins[0].enabled: should be true or false",
            "plugins.yaml:23: tenants[1].plugins[0].settings: should be a mapping of 'key: value' lines",
        ])
        let env = issues(Self.yaml(replacing: [6: "    twilio_auth_token_env: AC1234:secret"]))
        #expect(env.count == 1 && env[0].line == 6 && env[0].field == "tenants[0].twilio_auth_token_env")
        let id = issues(Self.yaml(replacing: [2: "  - id: Alpha Dental"]))
        #expect(id.count == 1 && id[0].line == 2 && id[0].problem.hasPrefix("'Alpha Dental' is not a valid tenant id"))
        let numbers = issues(Self.yaml(replacing: [4: "    phone_numbers: +15555550001"]))
        #expect(numbers.map(\.description) == ["plugins.yaml:4: tenants[0].phone_numbers: should be a list ('- item' lines or [a, b])"])
    }

    @Test func turnDetectionKeysDependOnItsType() {
        let found = issues(Self.yaml(inserting: [8: [
            "      turn_detection:",
            "        type: semantic_vad",
            "        threshold: 0.7",
            "        eagerness: eager",
        ]]))
        #expect(found.map(\.description) == [
            "plugins.yaml:11: tenants[0].model.turn_detection.threshold: unknown key; allowed here: type, eagerness",
            "plugins.yaml:12: tenants[0].model.turn_detection.eagerness: 'eager' is not an eagerness; use one of: low, medium, high, auto",
        ])
        let server = issues(Self.yaml(inserting: [8: ["      turn_detection: {threshold: 1.5, silence_duration_ms: -1}"]]))
        #expect(server.map(\.problem) == ["should be a number from 0.0 to 1.0", "should be a whole number from 0 to 10000"])
        let type = issues(Self.yaml(inserting: [8: ["      turn_detection:", "        type: push_to_talk"]]))
        #expect(type.map(\.description) == [
            "plugins.yaml:10: tenants[0].model.turn_detection.type: 'push_to_talk' is not a turn detection type; use one of: server_vad, semantic_vad",
        ])
    }

    @Test func pluginNamesAreCheckedAgainstTheRegistryAndForDuplicates() {
        let yaml = Self.yaml(inserting: [16: [
            "    plugins:",
            "      - name: faqs",
            "      - name: greeting",
            "      - {name: greeting, enabled: false}",
            "      - name: Lead-Capture",
        ]])
        let found = issues(yaml, knownPlugins: ["faq", "greeting"])
        #expect(found.map(\.description) == [
            "plugins.yaml:18: tenants[1].plugins[0].name: unknown plugin 'faqs' (did you mean 'faq'?); known plugins: faq, greeting",
            "plugins.yaml:20: tenants[1].plugins[2].name: plugin 'greeting' is listed twice (line 19)",
            "plugins.yaml:21: tenants[1].plugins[3].name: 'Lead-Capture' is not a plugin name; use lowercase letters, digits and '_', starting with a letter",
        ])
    }

    @Test func yamlSyntaxErrorsAndDuplicateKeysHaveLines() {
        let syntax = issues(Self.yaml(replacing: [10: "    display_name: \"Beta"]))
        #expect(syntax.count == 1 && syntax[0].line != nil && syntax[0].field.isEmpty)
        #expect(syntax[0].problem.hasPrefix("YAML syntax error:"))
        let duplicate = issues(Self.yaml(inserting: [3: ["    display_name: Alpha again"]]))
        #expect(duplicate.map(\.description) == [
            "plugins.yaml:3: key 'display_name' appears more than once in the same mapping; keep one",
        ])
        #expect(issues("").map(\.description) == ["plugins.yaml: the file is empty; it needs a 'tenants:' list"])
        #expect(issues("tenants: 5\n").map(\.description) == ["plugins.yaml:1: tenants: should be a list ('- item' lines or [a, b])"])
        #expect(issues("version: 2\ntenants: []\n").map(\.description) == [
            "plugins.yaml:1: version: unsupported schema version; this engine reads version 1",
        ])
    }

    @Test func allProblemsAreReportedTogetherInLineOrder() {
        let found = issues(Self.yaml(replacing: [4: #"    phone_numbers: ["555-0001"]"#, 9: "  - id: alpha", 13: "    language: EN"]))
        #expect(found.compactMap(\.line) == [4, 9, 13])
        let error = TenantConfigError(issues: found)
        #expect(error.description.split(separator: "\n").count == 3)
    }

    @Test func pluginSettingsAreTypedLikeJSON() throws {
        let yaml = Self.yaml(inserting: [16: [
            "    plugins:",
            "      - name: dtmf_menu",
            "        settings:",
            "          answer: yes",
            "          phone: +97235550199",
            "          code: 0123",
            "          quoted: \"42\"",
            "          count: 42",
            "          ratio: 0.25",
            "          off: ~",
            "          flag: false",
            "          items: [1, two, {three: 3}]",
        ]])
        let plugin = try #require(TenantDirectory(yaml: yaml).tenant(id: "beta")?.plugin(named: "dtmf_menu"))
        #expect(plugin.enabled)
        #expect(plugin.settings == [
            "answer": .string("yes"), "phone": .string("+97235550199"), "code": .string("0123"),
            "quoted": .string("42"), "count": .int(42), "ratio": .double(0.25), "off": .null, "flag": .bool(false),
            "items": .list([.int(1), .string("two"), .map(["three": .int(3)])]),
        ])
        #expect(plugin.settingLines["items[2].three"] == 28)
        #expect(plugin.issue(at: "items[2].three", "must be a digit").description
            == "plugins.yaml:28: tenants[1].plugins[0].settings.items[2].three: must be a digit")
    }
}
