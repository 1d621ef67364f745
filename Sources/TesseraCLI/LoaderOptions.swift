import ArgumentParser
import Tessera

/// Options that decide how inputs are read; shared by every command that loads profiles.
struct LoaderOptions: ParsableArguments {
    @Option(help: "Input format for every file (default: from each file's extension: .jsonl, .csv, .tsv, optionally .gz).")
    var format: InputFormat?

    @Option(help: "Matrix values: \(Weighting.allCases.map(\.rawValue).joined(separator: ", ")).")
    var weighting: Weighting = JobSpec().weighting

    @Option(name: .customLong("min-df"), help: "Keep interests followed by at least N profiles.")
    var minDF: Int = JobSpec().pruning.minDF

    @Option(name: .customLong("max-df"), help: "Drop interests followed by more than this fraction of profiles (0-1].")
    var maxDF: Double = JobSpec().pruning.maxDF

    @Option(name: .customLong("max-vocabulary"), help: "Keep at most N interests, the most followed first.")
    var maxVocabulary: Int?

    @Flag(name: .customLong("l2"), inversion: .prefixedNo, help: "Scale each profile to unit length (cosine geometry).")
    var l2 = JobSpec().l2

    @Flag(name: .customLong("strip-sigil"), help: "Treat #nba, @nba and nba as one interest (remove a leading # or @).")
    var stripSigil = JobSpec().normalization.stripSigil

    @Flag(name: .customLong("interest-hygiene"), inversion: .prefixedNo,
          help: "Reduce handles and hashtags to their valid form (@mashable: → @mashable) and drop debris (@, #..., #2024, @gmail.com, @the).")
    var interestHygiene = JobSpec().normalization.interestHygiene

    @Flag(name: .customLong("case-fold"), inversion: .prefixedNo, help: "Fold case of interests.")
    var caseFold = JobSpec().normalization.caseFold

    @Flag(name: .customLong("nfkc"), inversion: .prefixedNo, help: "Apply Unicode NFKC to interests.")
    var nfkc = JobSpec().normalization.nfkc

    @Option(help: "Repeated profile ids in JSON Lines: merge (unite interests and tags) or reject (keep the first line).")
    var duplicates: DuplicatePolicy = JobSpec().duplicates

    @Option(help: "Edge-list header: auto, present or absent.")
    var header: HeaderPolicy = JobSpec().header

    @Flag(help: "Stop at the first bad record (file, line, what was expected) instead of rejecting it.")
    var strict = JobSpec().strict

    @Option(name: .customLong("max-line-bytes"), help: "Reject lines longer than this many bytes.")
    var maxLineBytes: Int = JobSpec().maxLineBytes

    @Option(help: "Write every rejected line (file, line, kind, reason, excerpt) to this CSV file.")
    var rejects: String?

    @Option(name: .customLong("empty-ids"), help: "Write the ids of profiles left with no interest to this file, one per line.")
    var emptyIds: String?

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...Parallel.maximumThreads).contains(threads) { throw ValidationError("--threads must be 1 to \(Parallel.maximumThreads)") }
        var spec = JobSpec()
        spec.inputs = ["-"]
        apply(to: &spec)
        try spec.validateAsFlags()
    }

    /// Writes these flags into a job (the loader settings and the side files).
    func apply(to spec: inout JobSpec) {
        spec.format = format
        spec.weighting = weighting
        spec.pruning.minDF = minDF
        spec.pruning.maxDF = maxDF
        spec.pruning.maxVocabulary = maxVocabulary
        spec.l2 = l2
        spec.normalization.trim = true
        spec.normalization.nfkc = nfkc
        spec.normalization.caseFold = caseFold
        spec.normalization.stripSigil = stripSigil
        spec.normalization.interestHygiene = interestHygiene
        spec.duplicates = duplicates
        spec.header = header
        spec.strict = strict
        spec.maxLineBytes = maxLineBytes
        spec.rejects = rejects
        spec.emptyIds = emptyIds
    }

    /// The loader settings these flags describe.
    var settings: LoaderSettings {
        var spec = JobSpec()
        apply(to: &spec)
        return spec.loaderSettings
    }
}
