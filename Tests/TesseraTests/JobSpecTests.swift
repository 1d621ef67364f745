import Foundation
import Testing
@testable import Tessera

@Suite struct JobSpecTests {
    /// A job with every setting away from its default.
    static var unusual: JobSpec {
        var s = JobSpec()
        s.inputs = ["/data/a.jsonl", "/data/b.csv.gz"]
        s.format = .csv
        s.normalization.trim = false
        s.normalization.nfkc = false
        s.normalization.caseFold = false
        s.normalization.stripSigil = true
        s.normalization.interestHygiene = false
        s.pruning.minDF = 3
        s.pruning.maxDF = 0.25
        s.pruning.maxVocabulary = 5000
        s.weighting = .bm25
        s.l2 = false
        s.duplicates = .reject
        s.header = .present
        s.maxLineBytes = 4096
        s.strict = true
        s.method = .nmf
        s.k = 17
        s.seed = 123_456_789_012
        s.restarts = 3
        s.kmeans.initialization = .kmeansParallel
        s.kmeans.initTrials = 7
        s.kmeans.parallelRounds = 3
        s.kmeans.parallelOversampling = 1.5
        s.kmeans.algorithm = .lloyd
        s.kmeans.metric = .euclidean
        s.kmeans.maxIterations = 77
        s.kmeans.tolerance = 1e-7
        s.kmeans.bounds = false
        s.kmeans.batchSize = 999
        s.kmeans.epochs = 4
        s.kmeans.patience = 6
        s.nmf.solver = .mu
        s.nmf.initialization = .random
        s.nmf.maxIterations = 55
        s.nmf.tolerance = 3.5e-6
        s.nmf.checkEvery = 2
        s.nmf.svdPowerIterations = 3
        s.nmf.svdOversampling = 12
        s.nmf.l1W = 0.125
        s.nmf.l2W = 0.3
        s.nmf.l1H = 1e-3
        s.nmf.l2H = 7
        s.stability = 9
        s.stabilitySample = 1234
        s.topInterests = 6
        s.insights.minCount = 4
        s.insights.minPrevalence = 0.02
        s.insights.priorStrength = 12.5
        s.insights.confidence = 0.9
        s.insights.topInterests = 11
        s.insights.labelInterests = 3
        s.insights.minSegmentSize = 40
        s.assets = "/data/assets.csv"
        s.partners = "/data/partners.csv"
        s.aliases = "/data/aliases.csv"
        s.out = "/data/out"
        s.assignments = true
        s.rejects = "/data/rejects.csv"
        s.emptyIds = "/data/empty.txt"
        return s
    }

    @Test func everySettingSurvivesTheJobFileAndJSON() throws {
        let spec = Self.unusual
        try spec.validate()
        #expect(spec != JobSpec())
        let yaml = try spec.yaml()
        #expect(try JobSpec.parse(yaml: yaml, file: "job.yaml") == spec)
        let json = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(JobSpec.self, from: json) == spec)
        // The job file and run.json spell every key the same way.
        let keys = Set(((try JSONSerialization.jsonObject(with: json)) as! [String: Any]).keys)
        for key in keys { #expect(yaml.contains("\n" + key + ":"), "\(key)") }
    }

    @Test func missingKeysKeepTheirDefaults() throws {
        let spec = try JobSpec.parse(yaml: "inputs: [a.jsonl]\nkmeans: {max_iterations: 9}\ninsights: {min_count: 3}\n", file: "j")
        var expected = JobSpec()
        expected.inputs = ["a.jsonl"]
        expected.kmeans.maxIterations = 9
        expected.insights.minCount = 3
        #expect(spec == expected)
        #expect(spec.kmeansSettings.maxIterations == 9 && spec.kmeansSettings.tolerance == KMeansSettings().tolerance)
    }

    /// Interest hygiene is on unless the job turns it off; the key reaches the loader and comes back
    /// from the settings a cache brings.
    @Test func interestHygieneKeyReachesTheLoader() throws {
        let defaulted = try JobSpec.parse(yaml: "inputs: [a.jsonl]\nnormalization: {strip_sigil: true}\n", file: "j")
        #expect(defaulted.normalization.interestHygiene && defaulted.loaderSettings.normalization.interestHygiene)
        let off = try JobSpec.parse(yaml: "inputs: [a.jsonl]\nnormalization: {interest_hygiene: false}\n", file: "j")
        #expect(!off.loaderSettings.normalization.interestHygiene)
        #expect(try off.yaml().contains("interest_hygiene: false"))
        #expect(try JobSpec.parse(yaml: try off.yaml(), file: "j") == off)
        var adopted = JobSpec()
        adopted.adopt(off.loaderSettings)
        #expect(!adopted.normalization.interestHygiene)
    }

    @Test func unknownKeysAreNamedAtAnyDepth() {
        for (yaml, key) in [("inputs: [a]\nkk: 1\n", "kk"), ("inputs: [a]\nkmeans: {speed: 1}\n", "kmeans.speed"),
                            ("inputs: [a]\ninsights: {lift: 2}\n", "insights.lift"),
                            ("inputs: [a]\nnormalization: {lower: true}\n", "normalization.lower")] {
            #expect { try JobSpec.parse(yaml: yaml, file: "j") } throws: { error in
                (error as? JobFileError)?.message.contains("unknown key '\(key)'") == true
            }
        }
    }

    /// Every bound in the table is enforced: a value just past it is refused, naming the key.
    @Test func everyBoundIsChecked() throws {
        for (key, range) in JobSpec.bounds {
            for outside in [range.lowerBound - 1, range.upperBound * 2 + 1] {
                let parts = key.split(separator: ".").map(String.init)
                let number = outside == outside.rounded() ? String(Int64(outside)) : String(outside)
                let yaml = "inputs: [a]\n" + (parts.count == 2 ? "\(parts[0]):\n  \(parts[1]): \(number)\n" : "\(key): \(number)\n")
                let spec: JobSpec
                do { spec = try JobSpec.parse(yaml: yaml, file: "j") } catch {
                    // A negative value for an unsigned setting is refused while decoding, which is as good.
                    #expect(outside < 0, "\(key) = \(number): \(error)")
                    continue
                }
                #expect { try spec.validate() } throws: { error in (error as? InvalidJobSetting)?.key == key }
            }
            // The bound itself is accepted.
            let parts = key.split(separator: ".").map(String.init)
            let inside = range.lowerBound == range.lowerBound.rounded() ? String(Int64(range.lowerBound)) : String(range.lowerBound)
            let yaml = "inputs: [a]\n" + (parts.count == 2 ? "\(parts[0]):\n  \(parts[1]): \(inside)\n" : "\(key): \(inside)\n")
            try JobSpec.parse(yaml: yaml, file: "j").validate()
        }
    }

    @Test func badValuesNameTheKeyAndWhatIsExpected() {
        let cases = [("inputs: [a]\nk: forty\n", "key 'k' must be an integer"),
                     ("inputs: [a]\nkmeans: {init: fast}\n", "key 'kmeans.init' must be one of kmeans++, kmeans||, random (got fast)"),
                     ("inputs: [a]\nl2: maybe\n", "key 'l2' must be true or false"),
                     ("k: 3\n", "key 'inputs' is required"),
                     ("- a\n- b\n", "expected a mapping")]
        for (yaml, message) in cases {
            #expect { try JobSpec.parse(yaml: yaml, file: "j.yaml") } throws: { error in
                "\(error)".contains(message) && "\(error)".hasPrefix("j.yaml: ")
            }
        }
    }

    @Test func relativePathsFollowTheJobFile() throws {
        let dir = NSTemporaryDirectory() + "tessera-job-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "inputs: [p.jsonl]\nassets: cat/a.csv\nout: result\n".write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
        let spec = try JobSpec.read(jobFile: dir + "/job.yaml")
        let base = URL(fileURLWithPath: dir).standardized.path
        #expect(spec.inputs == [base + "/p.jsonl"] && spec.assets == base + "/cat/a.csv" && spec.out == base + "/result")
    }

    /// The method settings are derived from the one copy of k and seed.
    @Test func kAndSeedAreStoredOnce() {
        var spec = JobSpec()
        spec.k = 12
        spec.seed = 99
        #expect(spec.kmeansSettings.k == 12 && spec.nmfSettings.k == 12)
        #expect(spec.kmeansSettings.seed == 99 && spec.nmfSettings.seed == 99 && spec.stabilitySettings.seed == 99)
        spec.method = .nmf
        #expect(spec.segmentationMethod().name == .nmf && spec.segmentationMethod().k == 12)
    }

    @Test func defaultsAreTheModulesDefaults() {
        let spec = JobSpec()
        #expect(spec.kmeansSettings == KMeansSettings(k: spec.k))
        #expect(spec.nmfSettings == NMFSettings(k: spec.k))
        #expect(spec.loaderSettings == LoaderSettings())
        #expect(spec.insights == InsightSettings())
        #expect(spec.stabilitySettings == Stability.Settings())
    }
}
