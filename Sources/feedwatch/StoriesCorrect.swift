import ArgumentParser
import Config
import FeedwatchCore
import Store

/// `feedwatch stories merge STORY STORY…`: stories that report one event become one. The story
/// whose first item was published first keeps its id; the others' ids still find it. Later items
/// are grouped with the merged story (a running daemon rebuilds its grouping from the store
/// before its next cycle stores anything).
struct StoriesMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Make stories one: their items move to the story published first.",
        discussion: "Exit status: 0; 1 for an unknown story or stories that are one already.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "Two or more story ids (st_…), as `feedwatch stories --json` and alerts give them.")
    var stories: [String]

    func validate() throws {
        guard stories.count >= 2 else { throw ValidationError("name at least two stories to merge") }
    }

    func run() throws {
        let store = try config.load().openStore()
        let into = try StoriesCorrection.attempt { () throws(StoreError) in try store.mergeStories(stories, now: Timestamp.now()) }
        let others = stories.filter { $0 != into }
        StandardOutput.write(Array("merged \(others.joined(separator: ", ")) into \(into)\n".utf8))
    }
}

/// `feedwatch stories split ITEM`: an item that does not belong in its story gets one of its own,
/// and grouping never merges the two back by itself.
struct StoriesSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Take an item out of its story into a story of its own.",
        discussion: "Exit status: 0; 1 for an unknown item, or one alone in its story already.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The item: its alert id (fw_…), its link, or its id in its feed.")
    var item: String

    func run() throws {
        let store = try config.load().openStore()
        let split = try StoriesCorrection.attempt { () throws(StoreError) in try store.splitItem(item, now: Timestamp.now()) }
        guard let split else {
            Diagnostics.error("\(item) is alone in its story already")
            throw ExitCode.failure
        }
        StandardOutput.write(Array("split \(item) from \(split.old) into \(split.new)\n".utf8))
    }
}

/// `feedwatch stories mute STORY [--for 7d]`: the story's items are still stored and grouped but
/// alert no sink (feed health alerts are not stories and still go out).
struct StoriesMute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute",
        abstract: "Stop a story's items alerting any sink, for good or for a while.",
        discussion: "Exit status: 0; 1 for an unknown story.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The story id (st_…).")
    var story: String

    @Option(name: .customLong("for"), help: ArgumentHelp("Only this long (90s, 15m, 24h, 7d); muted for good without it.", valueName: "duration"))
    var duration: String?

    func validate() throws {
        if let duration, DurationValue.seconds(duration) == nil {
            throw ValidationError("--for: \"\(duration)\" is not a duration (examples: 90s, 15m, 24h, 7d)")
        }
    }

    func run() throws {
        let store = try config.load().openStore()
        let now = Timestamp.now()
        let until = duration.flatMap(DurationValue.seconds).map { Timestamp(secondsSince1970: now.secondsSince1970 + Int64($0)) }
        let muted = try StoriesCorrection.attempt { () throws(StoreError) in try store.muteStory(story, until: until, now: now) }
        StandardOutput.write(Array("muted \(muted)\(until.map { " until \($0.rfc3339)" } ?? "")\n".utf8))
    }
}

struct StoriesUnmute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmute",
        abstract: "Let a muted story alert again, from its next item on.",
        discussion: "Exit status: 0; 1 for an unknown story or one that is not muted.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The story id (st_…).")
    var story: String

    func run() throws {
        let store = try config.load().openStore()
        guard let story = try StoriesCorrection.attempt({ () throws(StoreError) in try store.unmuteStory(story, now: Timestamp.now()) }) else {
            Diagnostics.error("\(self.story) is not muted")
            throw ExitCode.failure
        }
        StandardOutput.write(Array("unmuted \(story)\n".utf8))
    }
}

enum StoriesCorrection {
    /// Runs a correction; a store error (an unknown story or item among them) is said and exits 1.
    static func attempt<T>(_ body: () throws(StoreError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            Diagnostics.error(error.message)
            throw ExitCode.failure
        }
    }
}
