/// Feedwatch's version, shown by `--version` and sent in the `User-Agent`.
public enum FeedwatchVersion {
    public static let string = "0.1.0"
    public static let projectURL = "https://github.com/feedwatch/feedwatch"
}
