import Testing
@testable import MediaEngine

@Suite struct ConfigReaderTests {
    @Test func editDistanceCountsSingleCharacterEdits() {
        #expect(ConfigReader.editDistance("langauge", "language") == 2)
        #expect(ConfigReader.editDistance("", "abc") == 3)
        #expect(ConfigReader.editDistance("faqs", "faq") == 1)
        #expect(ConfigReader.editDistance("same", "same") == 0)
        #expect(ConfigReader.suggestion(for: "phoneNumbers", among: ["id", "phone_numbers"]) == " (did you mean 'phone_numbers'?)")
        #expect(ConfigReader.suggestion(for: "colour", among: ["id", "language"]) == "")
    }
}
