import GRDB
import CPostgres
func probe() throws {
    let q = try DatabaseQueue()
    try q.write { db in try db.execute(sql: "CREATE TABLE t(a)") }
    _ = PQlibVersion()
}
