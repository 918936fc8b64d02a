public import Foundation
import MediaEngine

/// Opens the embedded store: one SQLite file under the data directory (created on first run, WAL mode),
/// migrated to the latest schema before it is returned.
public enum SQLiteStore {
    /// The store in `directory/fileName`; creates the directory and the file if needed.
    /// Throws `StoreError.setupFailed` (with the path) when the directory cannot be used, and
    /// `StoreError.schemaTooNew` when the file was written by a newer engine.
    public static func open(directory: URL, fileName: String = "kol.sqlite") async throws -> SQLStore {
        let database = try openDatabase(directory: directory, fileName: fileName)
        do {
            try await SQLiteMigrations.migrator.migrate(database)
        } catch {
            await database.close()
            throw error
        }
        return SQLStore(database: database)
    }

    /// The database without migrating it (for migration tests).
    static func openDatabase(directory: URL, fileName: String = "kol.sqlite") throws -> SQLiteDatabase {
        let path = directory.appendingPathComponent(fileName).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteDatabase(path: path)
        } catch {
            throw StoreError.setupFailed("cannot open the SQLite store at \(path): \(error)")
        }
    }
}
