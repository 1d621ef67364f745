/// Everything that decides how input files become a profile matrix. Defaults are the documented
/// behaviour of `tessera load`.
public struct LoaderSettings: Sendable, Equatable, Codable {
    /// Input format for every file; nil = from each file's extension (`.jsonl`, `.csv`, `.tsv`, through `.gz`).
    public var format: InputFormat? = nil
    /// Interest normalisation (trim, NFKC, case-fold, keep `#`/`@`).
    public var normalization = NormalizationSettings()
    /// Keep interests followed by at least this many profiles. Default 1 (keep all).
    public var minDocumentFrequency: Int = 1
    /// Drop interests followed by more than this fraction of profiles. Default 1.0 (keep all).
    public var maxDocumentFrequency: Double = 1.0
    /// Keep at most this many interests, the most followed first (ties: first seen). Default nil (no limit).
    public var maxVocabularySize: Int? = nil
    /// Matrix values. Default tf-idf.
    public var weighting: Weighting = .tfidf
    /// Scale each profile row to unit length (cosine geometry). Default true.
    public var normalizeRows: Bool = true
    /// Repeated profile ids in JSON Lines. Default merge.
    public var duplicates: DuplicatePolicy = .merge
    /// Edge-list header handling. Default auto.
    public var header: HeaderPolicy = .auto
    /// Stop at the first bad record instead of rejecting it. Default false.
    public var strict: Bool = false
    /// Lines longer than this are rejected. Default 1 MiB.
    public var maxLineBytes: Int = 1 << 20
    /// Bytes read per parsing block. Default 8 MiB.
    public var blockBytes: Int = 8 << 20

    public init() {}

    /// Checks ranges; throws `LoadError.invalidSetting` naming the setting.
    public func validate() throws {
        guard minDocumentFrequency >= 1 else { throw LoadError.invalidSetting("min-df must be at least 1, got \(minDocumentFrequency)") }
        guard maxDocumentFrequency > 0, maxDocumentFrequency <= 1 else {
            throw LoadError.invalidSetting("max-df is a fraction of profiles in (0, 1], got \(maxDocumentFrequency)")
        }
        if let limit = maxVocabularySize, limit < 1 { throw LoadError.invalidSetting("max-vocabulary must be at least 1, got \(limit)") }
        guard maxLineBytes >= 64 else { throw LoadError.invalidSetting("max-line-bytes must be at least 64, got \(maxLineBytes)") }
        guard blockBytes >= 4096 else { throw LoadError.invalidSetting("block size must be at least 4096 bytes") }
    }
}

/// Progress of a running load, reported a few times per second at most. Bytes are counted on
/// disk (compressed bytes for gzip files).
public struct LoadProgress: Sendable {
    public var bytesRead: Int
    public var bytesTotal: Int
    public var stage: String
}
