import ArgumentParser
import Config
import Store
import StorePostgres
import StoreSQLite

/// `feedwatch migrate-store --to postgresql://…`: moves an installation's SQLite store into an
/// empty PostgreSQL database — feeds and their health, items with their dedupe keys, stories,
/// alerts, each sink's cursor, dead letters — so a fleet starts where the one machine stopped,
/// without alerting anything again. The SQLite store is locked while it is read (stop the daemon
/// first) and left as it was.
struct MigrateStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the SQLite store into an empty PostgreSQL database (then point state: at it).",
        discussion: "The password comes from PGPASSWORD or ~/.pgpass, as for the daemon. Exit status: 0 copied, 1 failure.")

    @OptionGroup var config: ConfigOption

    @Option(help: "The PostgreSQL store's libpq URI (postgresql://user@host:port/db?sslmode=…).")
    var to: String

    func run() throws {
        let loaded = try config.load()
        guard loaded.postgresURI == nil else {
            Diagnostics.error("the config's state is already a PostgreSQL store; migrate-store copies an SQLite one")
            throw ExitCode.failure
        }
        guard Config.isPostgresURI(to) else {
            Diagnostics.error("--to: \(PostgresStore.redacted(to)) is not a postgresql:// or postgres:// URI")
            throw ExitCode.failure
        }
        let (source, lock) = try loaded.openStoreForWriting("migrate-store")
        defer { withExtendedLifetime(lock) {} }
        do {
            guard let sqlite = source as? SQLiteStore else { throw ExitCode.failure }
            let target = try PostgresStore(uri: to, node: "migrate-store")
            // Chunk by chunk inside both transactions: memory stays bounded whatever the store's size.
            let counts = try target.importTables { (insert) throws(StoreError) -> Int64 in try sqlite.exportTables(insert) }
            let said = ["feeds", "items", "stories", "alerts", "sink_cursors", "dead_letters"].map { "\(counts[$0] ?? 0) \($0.replacingUnderscores)" }
            StandardOutput.write(Array("copied \(loaded.storePath) to \(target.target): \(said.joined(separator: ", "))\n".utf8))
        } catch let error as ExitCode {
            throw error
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
