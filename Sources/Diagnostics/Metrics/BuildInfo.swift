/// What was built, for `meshnode_build_info` (and anything else that reports the version).
public enum BuildInfo {
    /// The release version (semantic versioning).
    public static let version = "0.1.0"
}
