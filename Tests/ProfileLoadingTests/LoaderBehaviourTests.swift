import Foundation
import Testing
import ProfileLoading
import LinearAlgebra

@Suite struct LoaderBehaviourTests {
    @Test func normalisationOptions() {
        let n = InterestNormalizer()
        #expect(n.normalize("  #NBA ") == "#nba")
        #expect(n.normalize("@ESPN") == "@espn")
        #expect(n.normalize("ＮＢＡ") == "nba")            // full-width → ASCII by NFKC
        #expect(n.normalize("ﬁtness") == "fitness")        // ligature
        #expect(n.normalize("Ünïcödé") == "ünïcödé")
        let strip = InterestNormalizer(NormalizationSettings(stripSigil: true))
        #expect(strip.normalize("#nba") == "nba")
        #expect(strip.normalize("@nba") == "nba")
        #expect(strip.normalize("# nba") == "nba")
        let raw = InterestNormalizer(NormalizationSettings(trim: false, unicodeNFKC: false, caseFold: false))
        #expect(raw.normalize(" #NBA") == " #NBA")
    }

    @Test func formatFromExtension() {
        #expect(InputFormat.inferred(fromPath: "a.jsonl.gz") == .jsonl)
        #expect(InputFormat.inferred(fromPath: "a.NDJSON") == .jsonl)
        #expect(InputFormat.inferred(fromPath: "a.csv") == .csv)
        #expect(InputFormat.inferred(fromPath: "a.tsv.gz") == .tsv)
        #expect(InputFormat.inferred(fromPath: "a.parquet") == nil)
        #expect(throws: LoadError.self) { try ProfileLoader.load([TestFiles.write("x", name: "data.bin")]) }
    }

    @Test func weightingsMatchTheirFormulas() throws {
        // Three profiles; "#a" in all three, "#b" in one, weights given.
        let text = """
        {"id": "p1", "interests": {"#a": 2, "#b": 3}}
        {"id": "p2", "interests": {"#a": 1}}
        {"id": "p3", "interests": {"#a": 4}}
        """
        let path = TestFiles.write(text + "\n", name: "w.jsonl")
        func load(_ w: Weighting, l2: Bool = false) throws -> LoadedAudience {
            try ProfileLoader.load([path]) { $0.weighting = w; $0.normalizeRows = l2 }
        }
        #expect(try load(.binary).interests(of: "p1") == ["#a": 1, "#b": 1])
        #expect(try load(.raw).interests(of: "p1") == ["#a": 2, "#b": 3])
        let log = try load(.log1p).interests(of: "p1")
        #expect(abs(log["#b"]! - Float(Foundation.log(4.0))) < 1e-6)
        // Smooth idf (scikit-learn): ln((1 + n) / (1 + df)) + 1 with n = 3.
        let tfidf = try load(.tfidf).interests(of: "p1")
        #expect(abs(tfidf["#a"]! - 2 * Float(Foundation.log(4.0 / 4.0) + 1)) < 1e-5)
        #expect(abs(tfidf["#b"]! - 3 * Float(Foundation.log(4.0 / 2.0) + 1)) < 1e-5)
        // BM25: idf = ln(1 + (n − df + 0.5)/(df + 0.5)); length 5, average (5 + 1 + 4)/3.
        let bm = try load(.bm25).interests(of: "p1")
        let idfB = Foundation.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
        let norm = 1.2 * (1 - 0.75 + 0.75 * 5 / (10.0 / 3))
        #expect(abs(Double(bm["#b"]!) - idfB * 3 * 2.2 / (3 + norm)) < 1e-5)
        // L2 rows.
        let unit = try load(.tfidf, l2: true)
        for n in unit.matrix.rowSquaredNorms() { #expect(abs(n - 1) < 1e-5) }
    }

    @Test func pruningCountsAndEmptiesProfiles() throws {
        var lines: [String] = []
        for i in 0..<10 { lines.append(##"{"id": "u\##(i)", "interests": ["#common", "#mid\##(i % 2)"\##(i == 9 ? ", \"#rare\"" : "")]}"##) }
        lines.append(##"{"id": "lonely", "interests": ["#rare2"]}"##)
        let path = TestFiles.write(lines.joined(separator: "\n") + "\n", name: "p.jsonl")
        let a = try ProfileLoader.load([path]) { $0.minDocumentFrequency = 2; $0.maxDocumentFrequency = 0.9 }
        // #rare and #rare2 (df 1) fall to min-df; #common (df 10 of 11 > 0.9 × 11 = 9.9) to max-df.
        #expect(a.report.prunedMinDocumentFrequency == 2)
        #expect(a.report.prunedMaxDocumentFrequency == 1)
        #expect(a.vocabulary.interests == ["#mid0", "#mid1"])
        #expect(a.vocabulary.documentFrequencies == [5, 5])
        #expect(a.emptyProfileIds == ["lonely"])
        #expect(a.report.profiles == 11)
        #expect(a.report.rows == 10)
        let limited = try ProfileLoader.load([path]) { $0.maxVocabularySize = 2 }
        #expect(limited.vocabulary.interests == ["#common", "#mid0"])
        #expect(limited.report.prunedVocabularyLimit == 3)
    }

    @Test func severalFilesOfDifferentFormatsShareOneVocabulary() throws {
        let json = TestFiles.write(##"{"id": "a", "interests": ["#x"]}"## + "\n", name: "one.jsonl")
        let tsv = TestFiles.write("b\t#x\t2\nb\t#y\n", name: "two.tsv")
        let a = try ProfileLoader.load([json, tsv]) { $0.weighting = .raw; $0.normalizeRows = false }
        #expect(a.profileIds == ["a", "b"])
        #expect(a.vocabulary.interests == ["#x", "#y"])
        #expect(a.interests(of: "b") == ["#x": 2, "#y": 1])
        #expect(a.report.files.map(\.format) == [.jsonl, .tsv])
    }

    @Test func resultsDoNotDependOnBlockSizeOrThreads() throws {
        var lines: [String] = []
        var rng = SeededGenerator(seed: 5)
        for i in 0..<3000 {
            let k = 1 + Int(rng.next() % 12)
            let interests = (0..<k).map { _ in "\"#t\(rng.next() % 400)\"" }.joined(separator: ", ")
            lines.append(##"{"id": "p\##(i % 2900)", "interests": [\##(interests)], "tags": ["t\##(i % 3)"]}"##)
        }
        let path = TestFiles.write(lines.joined(separator: "\n") + "\n", name: "det.jsonl")
        let one = try Parallel.withThreads(1) { try ProfileLoader.load([path]) }
        let two = try Parallel.withThreads(2) { try ProfileLoader.load([path]) { $0.blockBytes = 4096 } }
        #expect(one.matrix == two.matrix)
        #expect(one.profileIds == two.profileIds)
        #expect(one.vocabulary == two.vocabulary)
        #expect(one.tags == two.tags)
        #expect(one.report.duplicateLinesMerged == 100)
        try one.matrix.validate()
    }
}
