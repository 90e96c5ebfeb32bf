import ArgumentParser
import FeedwatchCore
import Glibc

/// The `feedwatch` command: a thin shell over the pipeline's modules.
@main
struct Feedwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedwatch",
        abstract: "Watch RSS, Atom and JSON feeds for the topics you follow.",
        version: FeedwatchVersion.string,
        subcommands: [Run.self, Once.self, Status.self, StoriesCommand.self, OutboxCommand.self, Parse.self, Classify.self, CheckConfig.self, Add.self, Serve.self,
                      MigrateStore.self])

    /// SIGPIPE is ignored in every command, before anything runs: a reader that goes away
    /// (`once | head -1`) must not kill the process mid-delivery. A write to a closed pipe then
    /// fails with EPIPE, which the stdout sink reports as its own failure and retries later.
    /// SIGXFSZ likewise: a file-size limit makes a write fail (EFBIG), which a sink handles,
    /// rather than killing the process mid-line.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}

/// sysexits(3) codes the contract uses.
enum ExitStatus {
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let config = ExitCode(78)
}
