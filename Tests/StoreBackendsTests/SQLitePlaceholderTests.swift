import GRDB
import Testing
@testable import StoreBackends

/// The statements are written once with Postgres's `$n` placeholders; SQLite gets them as `?` with the
/// arguments laid out in order of appearance.
@Suite struct SQLitePlaceholderTests {
    @Test func placeholdersBecomePositionalOutsideLiterals() {
        let (text, arguments) = SQLiteSession.positional(
            "UPDATE t SET a = $2, b = '$1 שלום', c = $10 WHERE id = $2 AND d = $3 || '$'",
            [.integer(1), .text("שני"), .bool(true), .null, .null, .null, .null, .null, .null, .double(0.5)])
        #expect(text == "UPDATE t SET a = ?, b = '$1 שלום', c = ? WHERE id = ? AND d = ? || '$'")
        #expect(arguments == StatementArguments(["שני", 0.5, "שני", Int64(1)]))
    }

    @Test func aPlaceholderWithNoParameterBindsNull() {
        let (text, arguments) = SQLiteSession.positional("SELECT $1, $4, $", [.text("x")])
        #expect(text == "SELECT ?, ?, $")
        #expect(arguments == StatementArguments(["x", nil]))
    }
}
