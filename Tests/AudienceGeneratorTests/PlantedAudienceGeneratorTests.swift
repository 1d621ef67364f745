import Foundation
import Testing
import AudienceGenerator
import LinearAlgebra
import ProfileLoading

@Suite(.serialized) struct PlantedAudienceGeneratorTests {
    func generator(profiles: Int = 5000, seed: UInt64 = 3, segments: Int = 8) throws -> PlantedAudienceGenerator {
        var s = GeneratorSettings()
        s.profiles = profiles
        s.seed = seed
        s.segments = segments
        s.interests = 3000
        return try PlantedAudienceGenerator(settings: s)
    }

    @Test func catalogueFollowsItsRules() {
        let categories = InterestCatalog.categories
        #expect(categories.count >= 24)
        #expect(categories.reduce(0) { $0 + $1.terms.count } >= 2000)
        #expect(categories.reduce(0) { $0 + $1.handles.count } >= 1400)
        for c in categories {
            #expect(Set(c.terms).count == c.terms.count, "repeated term in \(c.name)")
            #expect(Set(c.handles).count == c.handles.count, "repeated handle in \(c.name)")
            #expect(c.terms.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } })
        }
    }

    @Test func vocabularyHasExactlyTheRequestedDistinctInterests() {
        let v = InterestVocabulary(size: 20_000)
        #expect(v.names.count == 20_000)
        #expect(Set(v.names).count == 20_000)
        #expect(v.names.allSatisfy { $0.hasPrefix("#") || $0.hasPrefix("@") })
        #expect(v.baseCount > 2000 && v.baseCount < 20_000)
        #expect(InterestVocabulary(size: 500).names == Array(v.names.prefix(500)))
    }

    @Test func smallVocabulariesPlantSegmentsOrSayWhyNot() throws {
        for interests in [100, 150, 300] {
            var s = GeneratorSettings()
            s.profiles = 200
            s.segments = 2
            s.interests = interests
            s.interestsPerSegment = 50
            do {
                let g = try PlantedAudienceGenerator(settings: s)
                #expect(g.profiles(inChunk: 0).count == 200)
            } catch let error as GeneratorError {
                #expect(error.description.contains("too small"), "\(error)")
            }
        }
    }

    @Test func sameSeedSameBytesDifferentSeedDifferentBytes() throws {
        let a = try generator(), b = try generator(), c = try generator(seed: 4)
        #expect(a.jsonLines(inChunk: 1) == b.jsonLines(inChunk: 1))
        #expect(a.jsonLines(inChunk: 1) != c.jsonLines(inChunk: 1))
        #expect(a.segments == b.segments)
    }

    @Test func profilesCarryTheirPlantedStructure() throws {
        let g = try generator()
        let profiles = (0..<g.chunkCount).flatMap { g.profiles(inChunk: $0) }
        #expect(profiles.count == 5000)
        #expect(Set(profiles.map(\.id)).count == 5000)
        let mean = Double(profiles.reduce(0) { $0 + $1.interests.count }) / Double(profiles.count)
        #expect(mean > 40 && mean < 60)
        // Every segment is used, sizes vary, and mixed membership happens at about the set rate.
        let sizes = Dictionary(grouping: profiles, by: \.segment).mapValues(\.count)
        #expect(sizes.count == 8)
        #expect(sizes.values.max()! > sizes.values.min()!)
        let mixed = Double(profiles.filter { $0.secondary >= 0 }.count) / 5000
        #expect(abs(mixed - 0.15) < 0.03)
        // Tags are one of the three relationships.
        #expect(Set(profiles.map(\.tag)).isSubset(of: ["prospect", "customer", "lapsed"]))
        // Members of a segment share its top interest far more than the audience does.
        let top = g.segments[0].topInterests[0]
        let topIndex = Int32(g.vocabulary.names.firstIndex(of: top)!)
        let inside = profiles.filter { $0.segment == 0 }
        let rateInside = Double(inside.filter { $0.interests.contains(topIndex) }.count) / Double(inside.count)
        let rateAll = Double(profiles.filter { $0.interests.contains(topIndex) }.count) / Double(profiles.count)
        #expect(rateInside > 3 * rateAll)
    }

    @Test func outputLoadsCleanlyAndDoesNotDependOnThreads() throws {
        let g = try generator(profiles: 6000)
        var texts: [[UInt8]] = []
        for threads in [1, 2] {
            texts.append(Parallel.withThreads(threads) {
                var all: [UInt8] = []
                for c in 0..<g.chunkCount { all += g.jsonLines(inChunk: c) }
                return all
            })
        }
        #expect(texts[0] == texts[1])
        let path = NSTemporaryDirectory() + "planted-\(UUID().uuidString).jsonl"
        FileManager.default.createFile(atPath: path, contents: Data(texts[0]))
        let audience = try ProfileLoader(settings: LoaderSettings()).load([path])
        #expect(audience.report.profiles == 6000)
        #expect(audience.report.linesRejected == 0)
        #expect(audience.tags.names.sorted() == ["customer", "lapsed", "prospect"])
    }

    @Test func weightedOutputCarriesWeights() throws {
        var s = GeneratorSettings()
        s.profiles = 50
        s.interests = 500
        s.segments = 3
        s.weighted = true
        let g = try PlantedAudienceGenerator(settings: s)
        let text = String(decoding: g.jsonLines(inChunk: 0), as: UTF8.self)
        let first = try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n")[0].utf8)) as! [String: Any]
        let interests = try #require(first["interests"] as? [String: Int])
        #expect(!interests.isEmpty && interests.values.allSatisfy { $0 >= 1 })
    }

    @Test func invalidSettingsAreRejected() {
        var s = GeneratorSettings()
        s.profiles = 0
        #expect(throws: GeneratorError.self) { try PlantedAudienceGenerator(settings: s) }
        for ratio in [0.5, 0, -3, .nan, .infinity] {
            var r = GeneratorSettings()
            r.sizeRatio = ratio
            #expect(throws: GeneratorError.self, "size ratio \(ratio)") { try PlantedAudienceGenerator(settings: r) }
        }
    }

    /// FNV-1a (64-bit) of a byte string: enough to pin generated files without a crypto dependency.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// Without a size ratio the generator writes exactly what it wrote before the setting existed: the
    /// hashes are those of `tessera generate --profiles 5000 --segments 8 --seed 3 --interests 3000`
    /// (profiles file, and labels file without its header line) from the version before it.
    @Test func withoutASizeRatioTheBytesAreUnchanged() throws {
        let g = try generator()
        #expect(g.settings.sizeRatio == nil)
        let profiles = (0..<g.chunkCount).flatMap { g.jsonLines(inChunk: $0) }
        let labels = (0..<g.chunkCount).flatMap { g.labelRows(inChunk: $0) }
        #expect(profiles.count == 4_042_242)
        #expect(Self.fnv1a(profiles) == 0x4476_31a8_2606_d300)
        #expect(Self.fnv1a(labels) == 0x4910_8fcb_ece8_7c93)
    }

    /// Segment sizes read back from the labels rows follow 1 … R geometrically, within sampling error,
    /// and the segments themselves (names, pools) are those of the run without a ratio.
    @Test func sizeRatioSpreadsSegmentSizesGeometrically() throws {
        let profiles = 40_000, k = 10
        for ratio in [20.0, 1.0] {
            var s = GeneratorSettings()
            s.profiles = profiles
            s.seed = 5
            s.segments = k
            s.interests = 3000
            s.sizeRatio = ratio
            let g = try PlantedAudienceGenerator(settings: s)
            var counts = [Int](repeating: 0, count: k)
            for chunk in 0..<g.chunkCount {
                let text = String(decoding: g.labelRows(inChunk: chunk), as: UTF8.self)
                for line in text.split(separator: "\n") {
                    let fields = line.split(separator: ",", maxSplits: 3)
                    counts[try #require(Int(fields[1]))] += 1
                }
            }
            #expect(counts.reduce(0, +) == profiles)
            let weights = (0..<k).map { pow(ratio, Double($0) / Double(k - 1)) }
            let total = weights.reduce(0, +)
            for (segment, count) in counts.enumerated() {
                let p = weights[segment] / total
                let expected = Double(profiles) * p
                let sd = (Double(profiles) * p * (1 - p)).squareRoot()
                #expect(abs(Double(count) - expected) < 4 * sd, "segment \(segment): \(count) profiles, expected \(expected)")
                #expect(abs(g.segments[segment].share - p) < 1e-12)
            }
            let measured = Double(counts.max()!) / Double(counts.min()!)
            #expect(abs(measured / ratio - 1) < 0.15, "largest / smallest = \(measured) for a ratio of \(ratio)")
            var plain = s
            plain.sizeRatio = nil
            let natural = try PlantedAudienceGenerator(settings: plain)
            #expect(natural.segments.map(\.name) == g.segments.map(\.name))
            #expect(natural.segments.map(\.topInterests) == g.segments.map(\.topInterests))
        }
    }
}
