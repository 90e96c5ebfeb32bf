import ArgumentParser
import Config
import Glibc
import Store
import StorePostgres
import StoreSQLite
import TopicQuery

/// `--config PATH`, resolved as the contract says, and the one way commands load it: every error
/// printed with its place and a caret, then exit 78.
struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"),
            help: "Config file (default: $FEEDWATCH_CONFIG, else ./feedwatch.yaml, else /etc/feedwatch/feedwatch.yaml).")
    var path: String?

    func load() throws -> Config {
        do {
            return try loadQuietly()
        } catch {
            if error.errors.isEmpty {
                Diagnostics.error("no config file: give --config PATH or set FEEDWATCH_CONFIG (looked for ./feedwatch.yaml and /etc/feedwatch/feedwatch.yaml)")
            } else {
                Self.report(error)
            }
            throw ExitStatus.config
        }
    }

    /// The config for a command that serves the web page (`run`, `serve`): as `load`, and a
    /// `http.token_env` naming an unset variable is an error too (exit 78), never an open page.
    func loadForServing() throws -> Config {
        let loaded = try load()
        if let missing = loaded.http?.missingToken {
            Self.report(ConfigErrors([missing]))
            throw ExitStatus.config
        }
        return loaded
    }

    /// The config, with errors thrown rather than printed (SIGHUP logs them); no errors at all
    /// means no config file was found.
    func loadQuietly() throws(ConfigErrors) -> Config {
        let environment = getenv("FEEDWATCH_CONFIG").map { ["FEEDWATCH_CONFIG": String(cString: $0)] } ?? [:]
        guard let file = Config.locate(explicit: path, environment: environment, exists: { access($0, F_OK) == 0 }) else {
            throw ConfigErrors([])
        }
        return try ConfigLoader.load(path: file)
    }

    /// Each error as compilers write them (`file:line:column: error: …`), the line and a caret
    /// under it, then a count.
    static func report(_ errors: ConfigErrors) {
        var text = ""
        for e in errors.errors {
            var place = e.file
            if let line = e.line { place += ":\(line)" + (e.column.map { ":\($0)" } ?? "") }
            text += "\(place): error: \(e.message)\n"
            if let excerpt = e.excerpt {
                text += excerpt.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
            }
        }
        let n = errors.errors.count
        text += "feedwatch: \(n) error\(n == 1 ? "" : "s") in \(errors.errors.first?.file ?? "the config")\n"
        Diagnostics.raw(text)
    }
}

extension Config {
    /// The topics compiled. The loader has already compiled each one, so a failure here is a bug,
    /// reported as such (exit 1), not as a config error.
    func matcher() throws -> TopicMatcher {
        do {
            return try TopicMatcher(topics: topics)
        } catch {
            Diagnostics.error("cannot compile topics: \(error)")
            throw ExitCode.failure
        }
    }

    /// The store the config names: a PostgreSQL database (`state: postgresql://…`, shared by a
    /// fleet) or the SQLite file at the path it gives (or systemd's state directory); exit 1 if
    /// it cannot be opened. `asNode`: this process polls (`run`, `once`) and is counted among the
    /// fleet's nodes; a command that reads or corrects is not, so it never shrinks the nodes'
    /// shares of what is due.
    func openStore(asNode: Bool = false) throws -> FeedStore {
        do {
            if let uri = postgresURI { return try PostgresStore(uri: uri, node: node(), joinsFleet: asNode) }
            return try SQLiteStore(path: storePath)
        } catch {
            Diagnostics.error("cannot open the store: \(error)")
            throw ExitCode.failure
        }
    }

    /// Creates the directories the config writes to that are missing (saying so through `log`);
    /// exit 1 if one cannot be made — a file sink would otherwise fail at every delivery.
    func prepareDirectories(log: (String) -> Void) throws {
        do {
            for made in try WrittenPaths.prepare(self, storePath: storePath) { log(made) }
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// The store's path, as `openStore` opens it (a PostgreSQL URI as written, password and all:
    /// say `storeName` to people).
    var storePath: String { statePath(stateDirectory: getenv("STATE_DIRECTORY").map { String(cString: $0) }) }

    /// The store as logs and messages name it: a PostgreSQL URI without its password.
    var storeName: String { postgresURI.map(PostgresStore.redacted) ?? storePath }

    /// This process's name in a fleet: `node:`, else `$FEEDWATCH_NODE`, else hostname:pid.
    func node() -> String {
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        return nodeName(environment: { getenv($0).map { String(cString: $0) } }, hostname: name, pid: getpid())
    }

    /// The store for a command that writes alerts and delivers them (`run`, `once`). An SQLite
    /// file is one process's: its lock is taken first, so a second such process refuses at once
    /// and names the first (exit 1). A PostgreSQL store is a fleet's: no lock, leases instead.
    func openStoreForWriting(_ command: String) throws -> (FeedStore, StoreLock?) {
        guard postgresURI == nil else { return (try openStore(asNode: true), nil) }
        let lock: StoreLock
        do {
            lock = try StoreLock(storePath: storePath, holder: "feedwatch \(command)")
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        return (try openStore(), lock)
    }
}
