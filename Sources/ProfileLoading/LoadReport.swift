/// Counts for one input file. `lines == loaded + rejected + blank + header`.
public struct FileLoadReport: Sendable, Codable, Equatable {
    public var path: String
    public var format: InputFormat
    public var bytes: Int
    public var gzip: Bool
    public var lines = 0
    public var loaded = 0
    public var rejected = 0
    public var blank = 0
    public var header = 0
}

/// The account of a load: every line read is loaded, rejected, blank or a header.
public struct LoadReport: Sendable, Codable, Equatable {
    public var files: [FileLoadReport] = []
    public var linesRead = 0
    public var linesLoaded = 0
    public var linesRejected = 0
    public var blankLines = 0
    public var headerLines = 0
    /// Distinct profiles loaded (after merging repeated ids), empty ones included.
    public var profiles = 0
    /// Profiles with at least one interest after pruning: the rows of the matrix (`profiles - emptyProfiles`).
    public var rows = 0
    /// Profiles with no interest left (empty in the input or emptied by pruning): kept out of fitting.
    public var emptyProfiles = 0
    /// Lines whose id had been seen before and were merged into that profile.
    public var duplicateLinesMerged = 0
    /// Distinct interests seen before pruning.
    public var interestsSeen = 0
    /// Interests in the vocabulary after pruning: the columns of the matrix.
    public var interests = 0
    public var prunedMinDocumentFrequency = 0
    public var prunedMaxDocumentFrequency = 0
    public var prunedVocabularyLimit = 0
    /// Interest occurrences whose normalised text was empty (dropped).
    public var emptyInterestsDropped = 0
    /// Interest occurrences dropped by interest hygiene, keyed by `HygieneRule`'s raw value
    /// (`sigil-only`, `hashtag-without-letter`, `email-domain`, `at-word`); rules that dropped
    /// nothing are left out. Empty when hygiene is off.
    public var hygieneDropped: [String: Int] = [:]
    /// Interest occurrences that hygiene reduced to their valid form and kept (`@mashable:` counted
    /// here becomes `@mashable`).
    public var hygieneReduced = 0
    /// Interests pruned by max-df (held by more than that fraction of profiles), most held first;
    /// the first `listedInterests` of them (`prunedMaxDocumentFrequency` counts them all).
    public var prunedTooCommon: [InterestShare] = []
    /// Interests kept although more than half of the profiles hold them (`widespreadShare`), most
    /// held first; the first `listedInterests` of them (`widespreadInterestCount` counts them all).
    /// idf already gives them the least weight; `--max-df 0.5` would prune them.
    public var widespreadInterests: [InterestShare] = []
    public var widespreadInterestCount = 0
    public var nonzeros = 0
    /// Mean raw weight per row before weighting (BM25's average document length; 1 for other weightings).
    public var averageRowWeight: Double? = nil
    /// Rejected lines by kind, keyed by `RejectKind`'s raw value (`malformed-json`, `invalid-utf8`, …).
    public var rejectsByKind: [String: Int] = [:]
    public var seconds: Double = 0
    /// Seconds per loading stage: `read`, `parse` (parallel), `merge`, `assemble`.
    public var stageSeconds: [String: Double] = [:]

    /// The share of profiles above which a kept interest is listed as widespread: one half.
    public static let widespreadShare = 0.5
    /// How many interests `prunedTooCommon` and `widespreadInterests` list at most.
    public static let listedInterests = 100

    /// Interest occurrences dropped by hygiene, all rules together.
    public var hygieneDroppedTotal: Int { hygieneDropped.values.reduce(0, +) }

    /// Whether the accounting holds: read = loaded + rejected + blank + header, per file and in total.
    public var isBalanced: Bool {
        linesRead == linesLoaded + linesRejected + blankLines + headerLines
            && files.allSatisfy { $0.lines == $0.loaded + $0.rejected + $0.blank + $0.header }
    }
}

/// An interest and how many of the profiles hold it.
public struct InterestShare: Sendable, Codable, Equatable {
    public var interest: String
    /// Profiles holding it (its document frequency).
    public var profiles: Int
    /// `profiles` over all profiles loaded, empty ones included (the base of max-df).
    public var share: Double

    public init(interest: String, profiles: Int, share: Double) {
        self.interest = interest
        self.profiles = profiles
        self.share = share
    }
}

/// One rejected line.
public struct Reject: Sendable, Codable, Equatable {
    public var file: String
    /// 1-based line number in the file.
    public var line: Int
    /// Why the line was rejected.
    public var kind: RejectKind
    public var reason: String
    /// The start of the line, control characters replaced.
    public var excerpt: String

    public init(file: String, line: Int, kind: RejectKind, reason: String, excerpt: String) {
        self.file = file
        self.line = line
        self.kind = kind
        self.reason = reason
        self.excerpt = excerpt
    }
}
