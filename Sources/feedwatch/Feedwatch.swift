import ArgumentParser
import FeedwatchCore

/// The `feedwatch` command: a thin shell over the pipeline's modules.
@main
struct Feedwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedwatch",
        abstract: "Watch RSS, Atom and JSON feeds for the topics you follow.",
        version: FeedwatchVersion.string,
        subcommands: [Run.self, Once.self, Status.self, StoriesCommand.self, OutboxCommand.self, Parse.self, Classify.self, CheckConfig.self])
}

/// sysexits(3) codes the contract uses.
enum ExitStatus {
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let config = ExitCode(78)
}
