import Testing
import ProfileLoading

/// Known counts of the bundled datasets (see datasets/README.md).
@Suite struct RealDatasetTests {
    @Test func deezerHungary() throws {
        let a = try ProfileLoader.load([TestFiles.dataset("deezer/hu_genres.jsonl.gz")])
        #expect(a.report.profiles == 47_538)
        #expect(a.report.interests == 84)
        #expect(a.report.nonzeros == 284_901)
        #expect(a.report.linesRejected == 0)
        #expect(a.report.isBalanced)
        #expect(a.report.files[0].gzip)
        try a.matrix.validate()
    }

    @Test func lastFmEdgeListWithWeightsRaw() throws {
        // The raw artist names: no case folding, NFKC or interest hygiene.
        let a = try ProfileLoader.load([TestFiles.dataset("lastfm-2k/user_artist_plays.csv.gz")]) {
            $0.normalization = NormalizationSettings(trim: true, unicodeNFKC: false, caseFold: false, interestHygiene: false)
            $0.weighting = .raw
            $0.normalizeRows = false
        }
        #expect(a.report.profiles == 1_892)
        #expect(a.report.interests == 17_632)
        #expect(a.report.nonzeros == 92_834)
        #expect(a.report.headerLines == 1)
        #expect(a.report.linesLoaded == 92_834)
        #expect(a.report.isBalanced)
        // User 2 listened to Duran Duran 13,883 times (second line of the file).
        #expect(a.interests(of: "2")["Duran Duran"] == 13_883)
        // A quoted name with a comma survives CSV parsing.
        #expect(a.vocabulary.interests.contains("Earth, Wind & Fire"))
        #expect(a.vocabulary.interests.contains("\"Weird Al\" Yankovic"))
    }

    @Test func lastFmCaseFoldingMergesArtistNames() throws {
        // Default normalisation folds case: 14 artist names differ only by case (e.g. two spellings of
        // one band) and merge; 4 users listened to both spellings, whose plays add up.
        let a = try ProfileLoader.load([TestFiles.dataset("lastfm-2k/user_artist_plays.csv.gz")]) { $0.normalization.interestHygiene = false }
        #expect(a.report.profiles == 1_892)
        #expect(a.report.interests == 17_618)
        #expect(a.report.nonzeros == 92_830)
        // Interest hygiene (on by default) sees one artist name as debris: the band `#####` (8
        // listeners) is a sigil and nothing else. `#2 Orchestra` has letters and stays; no user is emptied.
        let clean = try ProfileLoader.load([TestFiles.dataset("lastfm-2k/user_artist_plays.csv.gz")])
        #expect(clean.report.hygieneDropped == ["sigil-only": 8])
        #expect(clean.report.hygieneReduced == 0)
        #expect(clean.report.interests == 17_617)
        #expect(clean.report.nonzeros == 92_822)
        #expect(clean.report.profiles == 1_892 && clean.report.emptyProfiles == 0)
        #expect(clean.vocabulary.interests.contains("#2 orchestra") && !clean.vocabulary.interests.contains("#####"))
    }

    @Test func twentyNewsgroupsWeightedJSON() throws {
        let a = try ProfileLoader.load([TestFiles.dataset("20newsgroups/docs.jsonl.gz")])
        #expect(a.report.profiles == 18_846)
        #expect(a.report.interests == 121_237)
        #expect(a.report.nonzeros == 2_693_087)
        // 16 posts have an empty body: counted, listed, kept out of the matrix.
        #expect(a.report.emptyProfiles == 16)
        #expect(a.emptyProfileIds.count == 16)
        #expect(a.matrix.rowCount == 18_846 - 16)
        #expect(a.report.isBalanced)
    }
}
