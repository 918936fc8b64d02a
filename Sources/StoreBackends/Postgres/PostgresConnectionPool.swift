/// A fixed-size pool of ``PostgresConnection``s, opened lazily: a request takes an idle connection,
/// opens a new one while fewer than `size` exist, or waits for one to come back. Broken connections
/// are dropped on return and replaced on demand, so the pool heals by itself when the server returns.
actor PostgresConnectionPool {
    private let parameters: [(key: String, value: String)]
    private let size: Int
    private var idle: [PostgresConnection] = []
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    private var connectionsMade = 0

    init(parameters: [(key: String, value: String)], size: Int) {
        self.parameters = parameters
        self.size = max(1, size)
    }

    /// Lends a connection to `body` and takes it back afterwards.
    nonisolated func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let value = try await body(connection)
            await giveBack(connection)
            return value
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    /// Closes idle connections now and the others as they come back.
    func close() async {
        closed = true
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections { await connection.close() }
        resumeAllWaiters()
    }

    private func lease() async throws -> PostgresConnection {
        while true {
            guard !closed else { throw SQLFailure(.connection, "the PostgreSQL pool is closed") }
            if let connection = idle.popLast() { return connection }
            if openCount < size {
                openCount += 1
                connectionsMade += 1
                let connection = PostgresConnection(name: "kol-postgres-\(connectionsMade)")
                do {
                    try await connection.open(parameters)
                    return connection
                } catch {
                    openCount -= 1
                    resumeOneWaiter()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func giveBack(_ connection: PostgresConnection) async {
        let usable = await connection.isUsable
        if usable && !closed {
            idle.append(connection)
        } else {
            openCount -= 1
            await connection.close()
        }
        resumeOneWaiter()
    }

    private func resumeOneWaiter() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    private func resumeAllWaiters() {
        let all = waiters
        waiters.removeAll()
        all.forEach { $0.resume() }
    }
}
