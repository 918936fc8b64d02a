import Testing
@testable import MediaEngine

@Suite struct PhoneNumberTests {
    @Test func strictFormAcceptsOnlyCanonicalE164() {
        #expect(PhoneNumber(e164: "+97235550100")?.e164 == "+97235550100")
        #expect(PhoneNumber(e164: "+15555550123") != nil)
        for bad in ["97235550100", "+0123456789", "+972-3-555-0100", "+123456", "+1234567890123456", "+", "", "+97235550l00"] {
            #expect(PhoneNumber(e164: bad) == nil, "\(bad)")
        }
    }

    @Test func normalizingFormStripsFormatting() {
        #expect(PhoneNumber(normalizing: " +1 (555) 555-0123 ")?.e164 == "+15555550123")
        #expect(PhoneNumber(normalizing: "TEL:+972.3.555.0100")?.e164 == "+97235550100")
        #expect(PhoneNumber(normalizing: "00972 3 5550100")?.e164 == "+97235550100")
        #expect(PhoneNumber(normalizing: "03-555-0100") == nil)
        #expect(PhoneNumber(normalizing: "client:alice") == nil)
    }
}
