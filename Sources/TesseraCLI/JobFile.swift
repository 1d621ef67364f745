import Foundation
import Tessera
import Yams

/// A job file: every parameter of `tessera segment` in YAML, so a run can be repeated exactly.
/// Relative paths are relative to the job file's folder. Unknown keys and bad values are errors that
/// name the key.
struct JobFile {
    var inputs: [String] = []
    var loader = LoaderSettings()
    var job = SegmentJobSettings()
    var out = "tessera-output"
    var assignments = false

    struct Problem: Error, CustomStringConvertible {
        var file: String
        var message: String
        var description: String { "\(file): \(message)" }
    }

    static let keys: [String: Set<String>] = [
        "": ["inputs", "format", "normalization", "pruning", "weighting", "l2", "duplicates", "header", "max_line_bytes",
             "method", "k", "seed", "restarts", "kmeans", "nmf", "stability", "stability_sample", "top_interests",
             "assets", "partners", "aliases", "out", "assignments"],
        "normalization": ["trim", "nfkc", "case_fold", "strip_sigil"],
        "pruning": ["min_df", "max_df", "max_vocabulary"],
        "kmeans": ["init", "init_trials", "algorithm", "metric", "max_iterations", "tolerance", "bounds", "batch_size", "epochs"],
        "nmf": ["solver", "init", "max_iterations", "tolerance", "svd_power_iterations", "l1_w", "l2_w", "l1_h", "l2_h"],
    ]

    static func read(_ path: String) throws -> JobFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(file: path, message: "cannot read the job file (\(error.localizedDescription))")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw Problem(file: path, message: "not valid YAML: \(error)")
        }
        guard let map = root as? [String: Any] else { throw Problem(file: path, message: "expected a mapping of keys (inputs:, k:, …) at the top level") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var reader = Reader(file: path, base: base)
        return try reader.job(map)
    }

    /// Reads values with the key's name in every error.
    struct Reader {
        let file: String
        let base: URL

        func fail(_ key: String, _ expected: String, _ value: Any?) -> Problem {
            Problem(file: file, message: "key '\(key)' must be \(expected) (got \(value.map { "\($0)" } ?? "nothing"))")
        }

        func check(_ map: [String: Any], section: String) throws {
            let known = JobFile.keys[section]!
            for key in map.keys.sorted() where !known.contains(key) {
                let name = section.isEmpty ? key : section + "." + key
                throw Problem(file: file, message: "unknown key '\(name)'; known keys\(section.isEmpty ? "" : " of '\(section)'"): \(known.sorted().joined(separator: ", "))")
            }
        }

        func int(_ map: [String: Any], _ key: String, _ name: String, minimum: Int) throws -> Int? {
            guard let value = map[key] else { return nil }
            guard let v = value as? Int, v >= minimum else { throw fail(name, "an integer ≥ \(minimum)", value) }
            return v
        }

        func double(_ map: [String: Any], _ key: String, _ name: String, range: ClosedRange<Double>) throws -> Double? {
            guard let value = map[key] else { return nil }
            let v = (value as? Double) ?? (value as? Int).map(Double.init)
            guard let v, range.contains(v) else { throw fail(name, "a number in \(range.lowerBound)…\(range.upperBound)", value) }
            return v
        }

        func bool(_ map: [String: Any], _ key: String, _ name: String) throws -> Bool? {
            guard let value = map[key] else { return nil }
            guard let v = value as? Bool else { throw fail(name, "true or false", value) }
            return v
        }

        func string(_ map: [String: Any], _ key: String, _ name: String) throws -> String? {
            guard let value = map[key] else { return nil }
            guard let v = value as? String, !v.isEmpty else { throw fail(name, "a text", value) }
            return v
        }

        func path(_ map: [String: Any], _ key: String) throws -> String? {
            try string(map, key, key).map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        }

        func choice<T: RawRepresentable & CaseIterable>(_ map: [String: Any], _ key: String, _ name: String) throws -> T? where T.RawValue == String {
            guard let value = map[key] else { return nil }
            guard let text = value as? String, let v = T(rawValue: text) else {
                throw fail(name, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "), value)
            }
            return v
        }

        func section(_ map: [String: Any], _ key: String) throws -> [String: Any]? {
            guard let value = map[key] else { return nil }
            guard let sub = value as? [String: Any] else { throw fail(key, "a mapping", value) }
            try check(sub, section: key)
            return sub
        }

        mutating func job(_ map: [String: Any]) throws -> JobFile {
            try check(map, section: "")
            var f = JobFile()
            guard let inputs = map["inputs"] else { throw Problem(file: file, message: "key 'inputs' is required: a list of profile files or one cache") }
            let list = (inputs as? [Any]) ?? [inputs]
            f.inputs = try list.map { item in
                guard let p = item as? String, !p.isEmpty else { throw fail("inputs", "a list of file paths", item) }
                return p.hasPrefix("/") ? p : base.appendingPathComponent(p).path
            }
            if let v: InputFormat = try choice(map, "format", "format") { f.loader.format = v }
            if let n = try section(map, "normalization") {
                if let v = try bool(n, "trim", "normalization.trim") { f.loader.normalization.trim = v }
                if let v = try bool(n, "nfkc", "normalization.nfkc") { f.loader.normalization.unicodeNFKC = v }
                if let v = try bool(n, "case_fold", "normalization.case_fold") { f.loader.normalization.caseFold = v }
                if let v = try bool(n, "strip_sigil", "normalization.strip_sigil") { f.loader.normalization.stripSigil = v }
            }
            if let p = try section(map, "pruning") {
                if let v = try int(p, "min_df", "pruning.min_df", minimum: 1) { f.loader.minDocumentFrequency = v }
                if let v = try double(p, "max_df", "pruning.max_df", range: 0.000_001...1) { f.loader.maxDocumentFrequency = v }
                if let v = try int(p, "max_vocabulary", "pruning.max_vocabulary", minimum: 1) { f.loader.maxVocabularySize = v }
            }
            if let v: Weighting = try choice(map, "weighting", "weighting") { f.loader.weighting = v }
            if let v = try bool(map, "l2", "l2") { f.loader.normalizeRows = v }
            if let v: DuplicatePolicy = try choice(map, "duplicates", "duplicates") { f.loader.duplicates = v }
            if let v: HeaderPolicy = try choice(map, "header", "header") { f.loader.header = v }
            if let v = try int(map, "max_line_bytes", "max_line_bytes", minimum: 64) { f.loader.maxLineBytes = v }
            if let v: SegmentMethod = try choice(map, "method", "method") { f.job.method = v }
            if let v = try int(map, "k", "k", minimum: 1) { f.job.kmeans.k = v; f.job.nmf.k = v }
            if let value = map["seed"] {
                guard let v = value as? Int, v >= 0 else { throw fail("seed", "a non-negative integer", value) }
                f.job.kmeans.seed = UInt64(v); f.job.nmf.seed = UInt64(v)
            }
            if let v = try int(map, "restarts", "restarts", minimum: 1) { f.job.kmeans.restarts = v }
            if let m = try section(map, "kmeans") {
                if let v: KMeansInitialization = try choice(m, "init", "kmeans.init") { f.job.kmeans.initialization = v }
                if let v = try int(m, "init_trials", "kmeans.init_trials", minimum: 1) { f.job.kmeans.plusPlusTrials = v }
                if let v: KMeansAlgorithm = try choice(m, "algorithm", "kmeans.algorithm") { f.job.kmeans.algorithm = v }
                if let v: KMeansMetric = try choice(m, "metric", "kmeans.metric") { f.job.kmeans.metric = v }
                if let v = try int(m, "max_iterations", "kmeans.max_iterations", minimum: 1) { f.job.kmeans.maxIterations = v }
                if let v = try double(m, "tolerance", "kmeans.tolerance", range: 0...1) { f.job.kmeans.tolerance = v }
                if let v = try bool(m, "bounds", "kmeans.bounds") { f.job.kmeans.useBounds = v }
                if let v = try int(m, "batch_size", "kmeans.batch_size", minimum: 1) { f.job.kmeans.batchSize = v }
                if let v = try int(m, "epochs", "kmeans.epochs", minimum: 1) { f.job.kmeans.maxEpochs = v }
            }
            if let m = try section(map, "nmf") {
                if let v: NMFSolver = try choice(m, "solver", "nmf.solver") { f.job.nmf.solver = v }
                if let v: NMFInitialization = try choice(m, "init", "nmf.init") { f.job.nmf.initialization = v }
                if let v = try int(m, "max_iterations", "nmf.max_iterations", minimum: 1) { f.job.nmf.maxIterations = v }
                if let v = try double(m, "tolerance", "nmf.tolerance", range: 0...1) { f.job.nmf.tolerance = v }
                if let v = try int(m, "svd_power_iterations", "nmf.svd_power_iterations", minimum: 0) { f.job.nmf.svdPowerIterations = v }
                for (key, keyPath) in [("l1_w", \NMFSettings.l1W), ("l2_w", \NMFSettings.l2W), ("l1_h", \NMFSettings.l1H), ("l2_h", \NMFSettings.l2H)] {
                    if let v = try double(m, key, "nmf." + key, range: 0...1e6) { f.job.nmf[keyPath: keyPath] = Float(v) }
                }
            }
            if let v = try int(map, "stability", "stability", minimum: 0) { f.job.stability.rounds = v }
            if let v = try int(map, "stability_sample", "stability_sample", minimum: 1) { f.job.stability.sampleSize = v }
            if let v = try int(map, "top_interests", "top_interests", minimum: 1) { f.job.topInterests = v }
            f.job.assets = try path(map, "assets")
            f.job.partners = try path(map, "partners")
            f.job.aliases = try path(map, "aliases")
            if let v = try path(map, "out") { f.out = v }
            if let v = try bool(map, "assignments", "assignments") { f.assignments = v }
            return f
        }
    }

    /// The job as YAML, every key written out (defaults included) with a comment.
    func yaml() -> String {
        let l = loader, k = job.kmeans, n = job.nmf
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(format: "%.1f", x) : "\(x)" }
        var lines = ["# Tessera job file: `tessera run THIS.yaml` repeats the run; flags given to `tessera run` override it.",
                     "# Relative paths are relative to this file's folder.",
                     "inputs:"] + inputs.map { "  - " + q($0) }
        if let format = l.format { lines.append("format: \(format.rawValue)") }
        lines += ["normalization:", "  trim: \(l.normalization.trim)", "  nfkc: \(l.normalization.unicodeNFKC)",
                  "  case_fold: \(l.normalization.caseFold)", "  strip_sigil: \(l.normalization.stripSigil)",
                  "pruning:", "  min_df: \(l.minDocumentFrequency)", "  max_df: \(number(l.maxDocumentFrequency))"]
        if let v = l.maxVocabularySize { lines.append("  max_vocabulary: \(v)") }
        lines += ["weighting: \(l.weighting.rawValue)", "l2: \(l.normalizeRows)", "duplicates: \(l.duplicates.rawValue)",
                  "header: \(l.header.rawValue)", "max_line_bytes: \(l.maxLineBytes)",
                  "method: \(job.method.rawValue)", "k: \(job.k)", "seed: \(job.seed)", "restarts: \(k.restarts)",
                  "kmeans:", "  init: \(q(k.initialization.rawValue))"]
        if let t = k.plusPlusTrials { lines.append("  init_trials: \(t)") }
        lines += ["  algorithm: \(k.algorithm.rawValue)", "  metric: \(k.metric.rawValue)", "  max_iterations: \(k.maxIterations)",
                  "  tolerance: \(k.tolerance)", "  bounds: \(k.useBounds)", "  batch_size: \(k.batchSize)", "  epochs: \(k.maxEpochs)",
                  "nmf:", "  solver: \(n.solver.rawValue)", "  init: \(n.initialization.rawValue)", "  max_iterations: \(n.maxIterations)",
                  "  tolerance: \(n.tolerance)", "  svd_power_iterations: \(n.svdPowerIterations)",
                  "  l1_w: \(n.l1W)", "  l2_w: \(n.l2W)", "  l1_h: \(n.l1H)", "  l2_h: \(n.l2H)",
                  "stability: \(job.stability.rounds)", "stability_sample: \(job.stability.sampleSize)", "top_interests: \(job.topInterests)"]
        if let v = job.assets { lines.append("assets: " + q(v)) }
        if let v = job.partners { lines.append("partners: " + q(v)) }
        if let v = job.aliases { lines.append("aliases: " + q(v)) }
        lines += ["out: " + q(out), "assignments: \(assignments)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
