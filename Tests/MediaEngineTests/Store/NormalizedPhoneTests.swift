import MediaEngine
import Testing

/// Phone numbers normalize to E.164 the way leads are deduplicated.
@Suite struct NormalizedPhoneTests {
    @Test(arguments: [
        ("050-123-4567", "+972501234567"),
        ("+972 50 123 4567", "+972501234567"),
        ("00972501234567", "+972501234567"),
        ("(03) 123.4567", "+97231234567"),
        ("972501234567", "+972501234567"),
        ("+1 (415) 555-0100", "+14155550100"),
    ])
    func writingsOfOneNumberNormalizeAlike(raw: String, expected: String) {
        #expect(NormalizedPhone(raw)?.rawValue == expected)
    }

    @Test func nationalNumberUsesTheGivenCountryCode() {
        #expect(NormalizedPhone("020 7946 0958", defaultCountryCode: "44")?.rawValue == "+442079460958")
    }

    @Test(arguments: ["", "abc", "050-123-456x", "+12", "+1234567890123456", "+0501234567", "05+0123456", "0501234567", "+"])
    func nonNumbersAreRefused(raw: String) {
        let phone = raw == "0501234567" ? NormalizedPhone(raw, defaultCountryCode: "") : NormalizedPhone(raw)
        #expect(phone == nil)
    }

    @Test func storedValueIsAcceptedOnlyWhenAlreadyNormalized() {
        #expect(NormalizedPhone(rawValue: "+972501234567") != nil)
        #expect(NormalizedPhone(rawValue: "050-123-4567") == nil)
    }
}
