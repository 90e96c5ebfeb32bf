import Config
import Glibc
import Normalize

/// What a config makes `run` write and read on this machine, checked before it runs: every
/// directory it writes to (the store's, each file and digest sink's), and the local feed files it
/// reads. `check-config` reports what `run` would hit; `run` and `once` create a missing
/// directory (saying so) rather than fail on their first write.
enum WrittenPaths {
    /// A directory the config writes into, and for what.
    struct Target: Equatable {
        var directory: String
        var purpose: String
    }

    /// The directories, each once, in config order (pure). A PostgreSQL store is no directory
    /// here: its URI taken for a path made `postgresql:/user:password@host…` directories under
    /// the working directory, the password in their names.
    static func directories(_ c: Config, storePath: String) -> [Target] {
        var out = Config.isPostgresURI(storePath) ? [] : [Target(directory: LocalPath.directory(of: storePath), purpose: "the store")]
        for s in c.sinks {
            switch s.kind {
            case .file(let path): out.append(Target(directory: LocalPath.directory(of: path), purpose: "the file sink \(path)"))
            case .digest(let path, _): out.append(Target(directory: LocalPath.directory(of: path), purpose: "the digest \(path)"))
            default: break
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.directory).inserted }
    }

    enum State: Equatable {
        case ready
        /// Missing, and `mkdir -p` can make it (its nearest existing ancestor is a writable directory).
        case creatable
        case problem(String)
    }

    /// Where `dir` stands: there and writable, makeable, or why not.
    static func inspect(_ dir: String) -> State {
        var st = stat()
        if stat(dir, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else { return .problem("\(dir) is not a directory") }
            return access(dir, W_OK) == 0 ? .ready : .problem("cannot write in \(dir) (\(String(cString: strerror(errno))))")
        }
        var ancestor = dir
        while true {
            let parent = LocalPath.directory(of: ancestor)
            if parent == ancestor { return .problem("\(dir) does not exist") }
            ancestor = parent
            if stat(ancestor, &st) == 0 { break }
        }
        guard st.st_mode & S_IFMT == S_IFDIR else { return .problem("\(dir) cannot be created: \(ancestor) is not a directory") }
        guard access(ancestor, W_OK) == 0 else { return .problem("\(dir) does not exist and cannot be created: cannot write in \(ancestor)") }
        return .creatable
    }

    /// Creates the missing directories (`mkdir -p`, mode 0755 less the umask); returns a line per
    /// directory made, for the log, or throws the first that cannot be.
    static func prepare(_ c: Config, storePath: String) throws(Problem) -> [String] {
        var made: [String] = []
        for target in directories(c, storePath: storePath) {
            switch inspect(target.directory) {
            case .ready: continue
            case .problem(let why): throw Problem(description: "\(why) (for \(target.purpose))")
            case .creatable:
                var path = ""
                for part in target.directory.split(separator: "/") {
                    path += "/" + part
                    if mkdir(path, 0o755) != 0 && errno != EEXIST {
                        throw Problem(description: "cannot create \(path) (for \(target.purpose)): \(String(cString: strerror(errno)))")
                    }
                }
                made.append("created \(target.directory) for \(target.purpose)")
            }
        }
        return made
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Local feeds (paths, `file:` URLs) that `run` could not read: missing, or not a regular file.
    static func unreadableFeeds(_ c: Config) -> [String] {
        c.feeds.compactMap { entry -> String? in
            guard case .feed(let f) = entry, f.url.lowercased().hasPrefix("file:") else { return nil }
            let path = LocalPath.fromFileURL(f.url)
            let feed = "feed " + (f.name.map { "\($0) (\(path))" } ?? path)
            var st = stat()
            guard stat(path, &st) == 0 else { return "\(feed) does not exist" }
            guard st.st_mode & S_IFMT == S_IFREG else { return "\(feed) is not a regular file" }
            return access(path, R_OK) == 0 ? nil : "\(feed) cannot be read (\(String(cString: strerror(errno))))"
        }
    }
}
