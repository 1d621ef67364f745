import Foundation
import Testing
import LinearAlgebra
@testable import ProfileLoading

@Suite struct InterestHygieneTests {
    let normalizer = InterestNormalizer()

    func expectDropped(_ raws: [String], _ rule: HygieneRule, by n: InterestNormalizer = InterestNormalizer(),
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for raw in raws {
            let outcome = n.outcome(raw)
            #expect(outcome == .init(name: "", dropped: rule, reduced: false), "\(raw)", sourceLocation: sourceLocation)
        }
    }

    @Test func trailingPunctuationIsRemovedFromHandlesAndHashtags() {
        for (raw, expected) in [("@mashable:", "@mashable"), ("@Mashable!", "@mashable"), ("#NBA!!", "#nba"), ("#yoga.", "#yoga"),
                                ("@espn,", "@espn"), ("#tbt;", "#tbt"), ("@nasa?", "@nasa"), ("@bbc)", "@bbc"), ("#ootd\"", "#ootd"),
                                ("@cnn'", "@cnn"), ("#love]", "#love"), ("#love}", "#love"), ("@mashable: ", "@mashable"),
                                ("#nba !", "#nba"), ("@mashable…", "@mashable"), ("#café…", "#café"), ("#東京。", "#東京"),
                                ("@bbc’", "@bbc"), ("#fun”", "#fun"), ("#fête»", "#fête"), ("#nba...", "#nba")] {
            let outcome = normalizer.outcome(raw)
            #expect(outcome == .init(name: expected, dropped: nil, reduced: true), "\(raw)")
        }
        // Full-width letters and colon go through the non-ASCII path (NFKC) to the same interest.
        #expect(normalizer.normalize("@ｍａｓｈａｂｌｅ：") == "@mashable")
        // Without NFKC the ellipsis character and a full-width mark are removed as they are.
        let plain = InterestNormalizer(NormalizationSettings(unicodeNFKC: false))
        #expect(plain.normalize("@mashable…") == "@mashable")
        #expect(plain.normalize("#東京！") == "#東京")
        // Only the end: punctuation inside stays, and marks that are not sentence punctuation stay.
        for raw in ["#c++", "#c#", "@at&t", "#rock'n'roll", "@mr.robot", "#a.b", "#1st", "@user_"] {
            #expect(normalizer.outcome(raw) == .init(name: raw, dropped: nil, reduced: false), "\(raw)")
        }
    }

    @Test func sigilOnlyTokensAreDropped() {
        expectDropped(["@", "#", "@...", "#...", "#…", "@…", "@:", "#!!", "@_", "#__", " # ", "@.", "#。"], .sigilOnly)
    }

    @Test func hashtagsNeedALetter() {
        expectDropped(["#1", "#2", "#2024", "#1_000", "#1.5", "#٢٠٢٤", "#2024!"], .hashtagWithoutLetter)
        // A letter anywhere keeps it, in any script.
        for raw in ["#1st", "#café", "#東京", "#Ελλάδα", "#москва", "#2024election", "#é"] {
            #expect(normalizer.outcome(raw).dropped == nil, "\(raw)")
            #expect(!normalizer.normalize(raw).isEmpty, "\(raw)")
        }
        #expect(normalizer.normalize("#Café") == "#café")
        #expect(normalizer.normalize("#東京") == "#東京")
        // Handles of digits are accounts (@433 is a football media account).
        #expect(normalizer.normalize("@433") == "@433")
    }

    @Test func mailDomainsAreNotAccounts() {
        expectDropped(["@gmail.com", "@GMail.Com", "@hotmail.co.uk", "@yahoo.fr", "@yahoo.co.jp", "@web.de", "@me.com",
                       "@outlook.com.", "@icloud.com"], .emailDomain)
        // Handles with dots are kept: Instagram and TikTok handles, Bluesky domain handles, the providers' own accounts.
        for raw in ["@nytimes.com", "@natgeo.travel", "@gmail", "@me.and.you", "@jay.bsky.team", "@gmail.official_1"] {
            #expect(normalizer.normalize(raw) == raw, "\(raw)")
        }
    }

    @Test func atWordsAreNotMentions() {
        expectDropped(["@the", "@The", "@a", "@my", "@this", "@their", "@the!"], .atWord)
        for raw in ["@theatre", "@thenba", "@mya", "@an0n"] {
            #expect(normalizer.normalize(raw) == raw, "\(raw)")
        }
        // Without case folding the rules still see through case, and keep the case of what they keep.
        let cased = InterestNormalizer(NormalizationSettings(caseFold: false))
        expectDropped(["@The", "@MY"], .atWord, by: cased)
        expectDropped(["@GMAIL.COM"], .emailDomain, by: cased)
        #expect(cased.normalize("@Mashable:") == "@Mashable")
    }

    @Test func interestsWithoutASigilAreLeftAlone() {
        for (raw, expected) in [("Deezer", "deezer"), ("New York", "new york"), ("New York.", "new york."), ("1", "1"), ("...", "..."),
                                ("the", "the"), ("gmail.com", "gmail.com"), ("rap/hip hop", "rap/hip hop"), ("r&b", "r&b"),
                                ("2024", "2024"), ("a#", "a#"), ("x@y.com", "x@y.com")] {
            #expect(normalizer.outcome(raw) == .init(name: expected, dropped: nil, reduced: false), "\(raw)")
        }
    }

    @Test func hygieneRunsBeforeTheSigilIsStripped() {
        let strip = InterestNormalizer(NormalizationSettings(stripSigil: true))
        #expect(strip.normalize("#NBA!") == "nba")
        #expect(strip.normalize("@mashable:") == "mashable")
        expectDropped(["@...", "#…"], .sigilOnly, by: strip)
        expectDropped(["#1"], .hashtagWithoutLetter, by: strip)
        expectDropped(["@the"], .atWord, by: strip)
        expectDropped(["@gmail.com"], .emailDomain, by: strip)
    }

    @Test func theOptOutKeepsEveryFormAsItWas() {
        let off = InterestNormalizer(NormalizationSettings(interestHygiene: false))
        for (raw, expected) in [("@mashable:", "@mashable:"), ("@...", "@..."), ("#1", "#1"), ("@the", "@the"), ("@gmail.com", "@gmail.com"),
                                ("#NBA!", "#nba!"), ("#…", "#..."), ("@", "@")] {
            #expect(off.outcome(raw) == .init(name: expected, dropped: nil, reduced: false), "\(raw)")
        }
        #expect(NormalizationSettings().interestHygiene, "on by default")
    }

    /// A record written before hygiene existed has no such key: it was made without hygiene.
    @Test func settingsWithoutTheKeyReadAsMadeWithoutHygiene() throws {
        let old = #"{"trim": true, "unicodeNFKC": true, "caseFold": true, "stripSigil": false}"#
        let settings = try JSONDecoder().decode(NormalizationSettings.self, from: Data(old.utf8))
        #expect(settings == NormalizationSettings(interestHygiene: false))
        for value in [true, false] {
            let s = NormalizationSettings(interestHygiene: value)
            #expect(try JSONDecoder().decode(NormalizationSettings.self, from: JSONEncoder().encode(s)) == s)
        }
    }

    // MARK: Through the loader

    static let debris = """
    {"id": "a", "interests": ["@mashable:", "@mashable", "@...", "#...", "#1", "#2", "@the", "@gmail.com", "Deezer", "New York"]}
    {"id": "b", "interests": ["@Mashable", "#café", "#東京", "#nba!", "#1st", "@433"]}
    {"id": "c", "interests": ["@", "#", "#2024", "#…", "@the"]}
    {"id": "d", "interests": {"#nba": 2, "#nba.": 3, "#7": 1}}
    """

    @Test func theLoadReportCountsWhatHygieneDidByRule() throws {
        let path = TestFiles.write(Self.debris + "\n", name: "debris.jsonl")
        let a = try ProfileLoader.load([path]) { $0.weighting = .raw; $0.normalizeRows = false }
        #expect(a.vocabulary.interests == ["@mashable", "deezer", "new york", "#café", "#東京", "#nba", "#1st", "@433"])
        #expect(a.vocabulary.documentFrequencies == [2, 1, 1, 1, 1, 2, 1, 1])
        // @mashable: and @mashable are one interest; #nba and #nba. add their weights up.
        #expect(a.interests(of: "a") == ["@mashable": 2, "deezer": 1, "new york": 1])
        #expect(a.interests(of: "d") == ["#nba": 5])
        // Occurrences, not distinct interests: @... #... @ # #… ; #1 #2 #2024 #7 ; @gmail.com ; @the twice.
        #expect(a.report.hygieneDropped == ["sigil-only": 5, "hashtag-without-letter": 4, "email-domain": 1, "at-word": 2])
        #expect(a.report.hygieneDroppedTotal == 12)
        #expect(a.report.hygieneReduced == 3)   // @mashable:, #nba!, #nba.
        #expect(a.report.emptyInterestsDropped == 0)
        // A profile left with nothing goes where empty profiles go.
        #expect(a.emptyProfileIds == ["c"])
        #expect(a.report.emptyProfiles == 1 && a.report.profiles == 4 && a.report.rows == 3)
        #expect(a.report.isBalanced)

        let off = try ProfileLoader.load([path]) { $0.normalization.interestHygiene = false; $0.weighting = .raw; $0.normalizeRows = false }
        #expect(off.report.hygieneDropped.isEmpty && off.report.hygieneReduced == 0)
        #expect(off.vocabulary.interests.contains("@mashable:") && off.vocabulary.interests.contains("@...")
                && off.vocabulary.interests.contains("#1") && off.vocabulary.interests.contains("@the"))
        #expect(off.emptyProfileIds.isEmpty)
        #expect(off.report.interestsSeen == 21)   // #… is #... once NFKC-composed
    }

    /// Edge lists, repeated ids rejected (the loader's other path for counting), small blocks and
    /// threads: the same counts.
    @Test func countsDoNotDependOnFormatPathOrBlocks() throws {
        var csv = "follower_id,interest\n"
        var jsonl = ""
        var rng = SeededGenerator(seed: 3)
        let forms = ["@mashable:", "@mashable", "@...", "#1", "#nba!", "#nba", "@the", "@gmail.com", "topic", "#…"]
        var expectedDropped = 0, expectedReduced = 0
        for i in 0..<2000 {
            let picks = (0..<3).map { _ in forms[Int(rng.next() % UInt64(forms.count))] }
            for p in picks {
                csv += "u\(i),\(p)\n"
                if ["@...", "#1", "@the", "@gmail.com", "#…"].contains(p) { expectedDropped += 1 }
                if ["@mashable:", "#nba!"].contains(p) { expectedReduced += 1 }
            }
            let list = picks.map { "\"\($0)\"" }.joined(separator: ", ")
            jsonl += ##"{"id": "u\##(i)", "interests": [\##(list)]}"## + "\n"
        }
        // A repeated id, rejected with --duplicates reject: its interests are not counted.
        jsonl += ##"{"id": "u0", "interests": ["#1", "@mashable:"]}"## + "\n"
        let csvPath = TestFiles.write(csv, name: "e.csv")
        let jsonPath = TestFiles.write(jsonl, name: "e.jsonl")
        let fromCSV = try Parallel.withThreads(1) { try ProfileLoader.load([csvPath]) }
        let fromJSON = try Parallel.withThreads(2) { try ProfileLoader.load([jsonPath]) { $0.blockBytes = 4096; $0.duplicates = .reject } }
        for a in [fromCSV, fromJSON] {
            #expect(a.report.hygieneDroppedTotal == expectedDropped)
            #expect(a.report.hygieneReduced == expectedReduced)
            #expect(a.vocabulary.interests.sorted() == ["#nba", "@mashable", "topic"])
        }
        #expect(fromJSON.report.rejectsByKind["duplicate-id"] == 1)
        #expect(fromCSV.matrix == fromJSON.matrix)
    }

    /// Dropped entries ride along with the kept ones and are removed at the end: with weights, with
    /// profiles out of order (entries then carry their owners), with a profile left empty, across
    /// blocks and threads, nothing of them stays.
    @Test func droppedEntriesLeaveNoTraceInAnyLayout() throws {
        var csv = "lonely,#2024,4\n"
        var expected: [String: [String: Float]] = [:]
        for i in 0..<900 {
            let id = "u\(i % 60)"   // profiles come back: out of order after the first 60 lines
            let w = Float(1 + i % 3)
            csv += "\(id),#1,\(w)\n\(id),#nba!,\(w)\n\(id),@the,2\n\(id),topic\(i % 7),1\n"
            expected[id, default: [:]]["#nba", default: 0] += w
            expected[id, default: [:]]["topic\(i % 7)", default: 0] += 1
        }
        let path = TestFiles.write(csv, name: "w.csv")
        // Grouped: every profile on consecutive lines.
        let groupedPath = TestFiles.write(expected.keys.sorted().map { id in
            expected[id]!.sorted { $0.key < $1.key }.map { "\(id),\($0.key),\($0.value)\n\(id),#7,1\n" }.joined()
        }.joined(), name: "g.csv")
        for threads in [1, 2] {
            for file in [path, groupedPath] {
                let a = try Parallel.withThreads(threads) {
                    try ProfileLoader.load([file]) { $0.blockBytes = 4096; $0.weighting = .raw; $0.normalizeRows = false; $0.header = .absent }
                }
                try a.matrix.validate()
                #expect(a.profileIds.count == 60)
                for (id, interests) in expected { #expect(a.interests(of: id) == interests, "\(id)") }
                #expect(a.report.nonzeros == expected.values.reduce(0) { $0 + $1.count })
                #expect(a.emptyProfileIds == (file == path ? ["lonely"] : []))
                #expect(!a.vocabulary.interests.contains { $0.hasPrefix("@") || $0 == "#1" || $0 == "#7" })
            }
        }
    }

    // MARK: Interests so common they say nothing

    /// Deezer (Hungary): `pop` is liked by 80 % of users, `dance` by 53 %. Kept by default and named
    /// in the report; pruned by --max-df 0.5 and named there instead.
    @Test func widespreadInterestsAreNamedAndPrunedOnlyWhenAsked() throws {
        let path = TestFiles.dataset("deezer/hu_genres.jsonl.gz")
        let kept = try ProfileLoader.load([path])
        #expect(kept.report.widespreadInterests.map(\.interest) == ["pop", "dance"])
        #expect(kept.report.widespreadInterestCount == 2)
        let pop = try #require(kept.report.widespreadInterests.first)
        #expect(pop.profiles == Int(kept.vocabulary.documentFrequencies[kept.vocabulary.interests.firstIndex(of: "pop")!]))
        #expect(abs(pop.share - Double(pop.profiles) / Double(kept.report.profiles)) < 1e-12 && pop.share > 0.79 && pop.share < 0.80)
        #expect(kept.report.prunedTooCommon.isEmpty && kept.report.prunedMaxDocumentFrequency == 0)

        let pruned = try ProfileLoader.load([path]) { $0.maxDocumentFrequency = 0.5 }
        #expect(pruned.report.prunedTooCommon.map(\.interest) == ["pop", "dance"])
        #expect(pruned.report.prunedTooCommon == kept.report.widespreadInterests)
        #expect(pruned.report.prunedMaxDocumentFrequency == 2)
        #expect(pruned.report.widespreadInterests.isEmpty && pruned.report.widespreadInterestCount == 0)
        #expect(!pruned.vocabulary.interests.contains("pop"))
        #expect(pruned.report.interests == kept.report.interests - 2)
    }

    @Test func longListsAreCappedButCounted() throws {
        // Four profiles holding the same 150 interests: every one is widespread.
        let list = (0..<150).map { "\"#t\($0)\"" }.joined(separator: ", ")
        let text = (0..<4).map { ##"{"id": "p\##($0)", "interests": [\##(list)]}"## }.joined(separator: "\n") + "\n"
        let a = try ProfileLoader.load([TestFiles.write(text, name: "w.jsonl")])
        #expect(a.report.widespreadInterestCount == 150)
        #expect(a.report.widespreadInterests.count == LoadReport.listedInterests)
        #expect(a.report.widespreadInterests.first?.interest == "#t0")   // ties: first seen first
        let p = try ProfileLoader.load([TestFiles.write(text, name: "w.jsonl")]) { $0.maxDocumentFrequency = 0.5 }
        #expect(p.report.prunedMaxDocumentFrequency == 150 && p.report.prunedTooCommon.count == LoadReport.listedInterests)
    }

    // MARK: The profile cache

    @Test func aCacheKeepsTheSettingAndCountsAndIsRefusedForTheOtherSetting() throws {
        let path = TestFiles.write(Self.debris + "\n", name: "debris.jsonl")
        for hygiene in [true, false] {
            let a = try ProfileLoader.load([path]) { $0.normalization.interestHygiene = hygiene }
            let cache = TestFiles.folder() + "/a.tcache"
            try ProfileCache.save(a, to: cache)
            let b = try ProfileCache.load(from: cache)
            #expect(b.settings.normalization.interestHygiene == hygiene)
            #expect(b.report == a.report)
            var same = LoaderSettings(), other = LoaderSettings()
            same.normalization.interestHygiene = hygiene
            other.normalization.interestHygiene = !hygiene
            try ProfileCache.checkHygiene(of: b.settings, requested: same, path: cache)
            #expect { try ProfileCache.checkHygiene(of: b.settings, requested: other, path: cache) } throws: { error in
                guard case let .cache(message) = error as? LoadError else { return false }
                return message.contains(cache) && message.contains("rebuild it from the source files")
                    && message.contains(hygiene ? "without --no-interest-hygiene" : "run with --no-interest-hygiene")
            }
        }
    }
}
