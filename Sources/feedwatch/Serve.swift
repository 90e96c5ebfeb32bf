import ArgumentParser
import Config
import Glibc

/// `feedwatch serve`: the web page, API and `/metrics` of the config's `http:` section over its
/// store, without polling — a fleet's dashboard, or a stopped daemon's history. The config is
/// checked here (errors with their place, exit 78); then this process becomes `feedwatch-web`,
/// which holds the server's libraries, so that no other command loads them.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the read-only web page, Atom feed, JSON API and /metrics of the http: section, without polling.",
        discussion: "Stops on SIGTERM or SIGINT. Exit status: 0 clean stop, 78 bad config (or no http: section), 1 other fatal error.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let loaded = try config.loadForServing()
        guard loaded.http != nil else {
            Diagnostics.error("\(loaded.file) has no http: section; add one such as `http: {listen: 127.0.0.1:9464}`")
            throw ExitStatus.config
        }
        let binary = WebProcess.binary()
        let arguments: [String] = [binary, "--config", loaded.file]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execvp(binary, &argv)
        Diagnostics.error("cannot start \(binary): \(String(cString: strerror(errno)))")
        for p in argv { free(p) }
        throw ExitCode.failure
    }
}
