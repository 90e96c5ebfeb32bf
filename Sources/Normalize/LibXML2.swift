internal import CXML2

/// libxml2's global state, set up once before any thread uses it. Without `xmlInitParser` first,
/// two threads creating their first parser contexts at once race in libxml2's lazy set-up of its
/// dictionary mutex and can both wait on it forever (seen in the test suite, where parsing and
/// config tests run in parallel). Also installs the loader that loads no external entity.
public enum LibXML2 {
    private static let ready: Void = {
        xmlInitParser()
        fw_install_null_entity_loader()
    }()

    /// Call before the first libxml2 call of any code path; cheap after the first time.
    public static func prepare() { _ = ready }
}
