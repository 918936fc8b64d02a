import Testing

@testable import StoreBackends

/// Which PostgreSQL errors the writer retries and which it sets aside.
@Suite struct PostgresErrorKindTests {
    @Test(arguments: [
        ("08006", SQLFailure.Kind.connection), ("57P01", .connection), ("53100", .connection), ("57014", .connection),
        ("40P01", .contention), ("23505", .uniqueViolation), ("23P01", .exclusionViolation),
        ("23503", .foreignKeyViolation), ("23514", .checkViolation), ("42P01", .other),
    ])
    func sqlStateSortsIntoItsKind(state: String, kind: SQLFailure.Kind) {
        #expect(PostgresResult.kind(sqlState: state, connectionBroken: false) == kind)
    }

    @Test func anyErrorOnABrokenConnectionIsAConnectionFailure() {
        #expect(PostgresResult.kind(sqlState: "23505", connectionBroken: true) == .connection)
    }
}
