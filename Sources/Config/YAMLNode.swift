internal import CYAML

/// Where a node starts: 1-based line and column, columns in Unicode scalars (as libyaml counts).
struct YAMLMark: Equatable {
    var line: Int
    var column: Int
}

/// A YAML document as the config reader needs it: every value a string (types are the reader's
/// business, so `name: no` stays the word "no"), and every node with its position.
indirect enum YAMLNode {
    case scalar(YAMLScalar)
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)
    case sequence([YAMLNode], YAMLMark)

    var mark: YAMLMark {
        switch self {
        case .scalar(let s): s.mark
        case .mapping(_, let m), .sequence(_, let m): m
        }
    }

    var string: String? {
        if case .scalar(let s) = self { return s.string }
        return nil
    }

    var items: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }
}

struct YAMLScalar {
    enum Style { case plain, singleQuoted, doubleQuoted, literal, folded }

    var string: String
    var style: Style
    var mark: YAMLMark

    /// An empty value, `~` or `null`, written without quotes.
    var isNull: Bool { style == .plain && ["", "~", "null", "Null", "NULL"].contains(string) }
}

/// A syntax error as libyaml reports it.
struct YAMLSyntaxError: Error {
    var message: String
    var mark: YAMLMark
}

/// Builds the node tree from libyaml's event stream. Written against the C API rather than a
/// Swift YAML package: those bring all of Foundation, which costs every `feedwatch` command 4 MB
/// of memory and 50 MB of binary.
enum YAMLComposer {
    /// The single document in `text`, or `nil` when there is none.
    static func compose(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLSyntaxError(message: "cannot start the YAML parser", mark: YAMLMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(YAMLSyntaxError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var state = State()
            return try state.run(&parser)
        }
    }

    private struct State {
        /// Containers being built, innermost last. A class, so that appending to the innermost
        /// one is in place (a config listing 10,000 feeds must not copy its list per feed).
        var stack: [Frame] = []
        var anchors: [String: YAMLNode] = [:]
        var root: YAMLNode?
        var documents = 0

        final class Frame {
            let isMapping: Bool
            let mark: YAMLMark
            let anchor: String?
            var items: [YAMLNode] = []
            var entries: [(key: YAMLNode, value: YAMLNode)] = []
            var pendingKey: YAMLNode?
            /// First position of each key, to report a repeated one.
            var keys: [String: YAMLMark] = [:]

            init(isMapping: Bool, mark: YAMLMark, anchor: String?) {
                self.isMapping = isMapping
                self.mark = mark
                self.anchor = anchor
            }
        }

        mutating func run(_ parser: inout yaml_parser_t) throws(YAMLSyntaxError) -> YAMLNode? {
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw error(parser) }
                defer { yaml_event_delete(&event) }
                let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 { throw YAMLSyntaxError(message: "the config must be a single YAML document (found a second \"---\")", mark: mark) }
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
                    let node = YAMLNode.scalar(YAMLScalar(string: value, style: Self.style(s.style), mark: mark))
                    try add(node, anchor: Self.string(s.anchor))
                case YAML_ALIAS_EVENT:
                    let name = Self.string(event.data.alias.anchor) ?? ""
                    guard let node = anchors[name] else {
                        throw YAMLSyntaxError(message: "alias *\(name) names no anchor defined before it", mark: mark)
                    }
                    try add(node, anchor: nil)
                case YAML_SEQUENCE_START_EVENT:
                    stack.append(Frame(isMapping: false, mark: mark, anchor: Self.string(event.data.sequence_start.anchor)))
                case YAML_MAPPING_START_EVENT:
                    stack.append(Frame(isMapping: true, mark: mark, anchor: Self.string(event.data.mapping_start.anchor)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = stack.popLast() else { break }
                    try add(frame.isMapping ? .mapping(frame.entries, frame.mark) : .sequence(frame.items, frame.mark), anchor: frame.anchor)
                default:
                    break
                }
            }
        }

        /// Puts a finished node into its container, refusing a key seen before in one mapping.
        private mutating func add(_ node: YAMLNode, anchor: String?) throws(YAMLSyntaxError) {
            if let anchor { anchors[anchor] = node }
            guard let top = stack.last else { root = node; return }
            if !top.isMapping {
                top.items.append(node)
            } else if let key = top.pendingKey {
                top.entries.append((key, node))
                top.pendingKey = nil
            } else {
                if let name = node.string {
                    if let first = top.keys[name] {
                        throw YAMLSyntaxError(message: "key \"\(name)\" appears twice in one mapping (first at line \(first.line))", mark: node.mark)
                    }
                    top.keys[name] = node.mark
                }
                top.pendingKey = node
            }
        }

        private func error(_ parser: yaml_parser_t) -> YAMLSyntaxError {
            let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
            var message = problem
            if let context = parser.context.map({ String(cString: $0) }) {
                message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
            }
            let m = parser.problem_mark
            return YAMLSyntaxError(message: message, mark: YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1))
        }

        private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }

        private static func style(_ s: yaml_scalar_style_t) -> YAMLScalar.Style {
            switch s {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
        }
    }
}
