import ArgumentParser
import Tessera

/// Options that decide how inputs are read; shared by every command that loads profiles.
struct LoaderOptions: ParsableArguments {
    @Option(help: "Input format for every file (default: from each file's extension: .jsonl, .csv, .tsv, optionally .gz).")
    var format: InputFormat?

    @Option(help: "Matrix values: \(Weighting.allCases.map(\.rawValue).joined(separator: ", ")).")
    var weighting: Weighting = .tfidf

    @Option(name: .customLong("min-df"), help: "Keep interests followed by at least N profiles.")
    var minDF: Int = 1

    @Option(name: .customLong("max-df"), help: "Drop interests followed by more than this fraction of profiles (0-1].")
    var maxDF: Double = 1.0

    @Option(name: .customLong("max-vocabulary"), help: "Keep at most N interests, the most followed first.")
    var maxVocabulary: Int?

    @Flag(name: .customLong("l2"), inversion: .prefixedNo, help: "Scale each profile to unit length (cosine geometry).")
    var l2 = true

    @Flag(name: .customLong("strip-sigil"), help: "Treat #nba, @nba and nba as one interest (remove a leading # or @).")
    var stripSigil = false

    @Flag(name: .customLong("case-fold"), inversion: .prefixedNo, help: "Fold case of interests.")
    var caseFold = true

    @Flag(name: .customLong("nfkc"), inversion: .prefixedNo, help: "Apply Unicode NFKC to interests.")
    var nfkc = true

    @Option(help: "Repeated profile ids in JSON Lines: merge (unite interests and tags) or reject (keep the first line).")
    var duplicates: DuplicatePolicy = .merge

    @Option(help: "Edge-list header: auto, present or absent.")
    var header: HeaderPolicy = .auto

    @Flag(help: "Stop at the first bad record (file, line, what was expected) instead of rejecting it.")
    var strict = false

    @Option(name: .customLong("max-line-bytes"), help: "Reject lines longer than this many bytes.")
    var maxLineBytes: Int = 1 << 20

    @Option(help: "Write every rejected line (file, line, kind, reason, excerpt) to this CSV file.")
    var rejects: String?

    @Option(name: .customLong("empty-ids"), help: "Write the ids of profiles left with no interest to this file, one per line.")
    var emptyIds: String?

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    func validate() throws {
        if minDF < 1 { throw ValidationError("--min-df must be at least 1") }
        if !(maxDF > 0 && maxDF <= 1) { throw ValidationError("--max-df is a fraction in (0, 1]") }
        if let maxVocabulary, maxVocabulary < 1 { throw ValidationError("--max-vocabulary must be at least 1") }
        if maxLineBytes < 64 { throw ValidationError("--max-line-bytes must be at least 64") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var settings: LoaderSettings {
        var s = LoaderSettings()
        s.format = format
        s.weighting = weighting
        s.minDocumentFrequency = minDF
        s.maxDocumentFrequency = maxDF
        s.maxVocabularySize = maxVocabulary
        s.normalizeRows = l2
        s.normalization = NormalizationSettings(trim: true, unicodeNFKC: nfkc, caseFold: caseFold, stripSigil: stripSigil)
        s.duplicates = duplicates
        s.header = header
        s.strict = strict
        s.maxLineBytes = maxLineBytes
        return s
    }

    func applyThreads() {
        if let threads { Parallel.threadCount = threads }
    }
}
