import Foundation
import LinearAlgebra

/// A planted segment: its ground-truth definition.
public struct PlantedSegment: Sendable, Codable, Equatable {
    public var index: Int
    /// A readable name, e.g. `food · #sourdough`.
    public var name: String
    public var category: String
    public var secondaryCategory: String
    /// Expected share of profiles whose primary segment this is.
    public var share: Double
    /// The segment's most likely interests, most likely first.
    public var topInterests: [String]
    /// Probability that a member is tagged customer / lapsed (else prospect).
    public var customerRate: Double
    public var lapsedRate: Double
}

/// Generates deterministic follower profiles with planted segments: each profile belongs to a
/// primary segment (some also to a secondary one), draws most interests from its segments'
/// Zipfian pools and the rest from popular background interests, and carries a relationship tag.
///
/// Profiles are generated in fixed chunks, each from its own seeded stream, so the output is
/// byte-identical on any number of threads.
public struct PlantedAudienceGenerator: Sendable {
    public let settings: GeneratorSettings
    public let vocabulary: InterestVocabulary
    public let segments: [PlantedSegment]
    private let segmentChoice: AliasTable
    private let segmentPools: [[Int32]]
    private let segmentTables: [AliasTable]
    private let background: AliasTable
    private let backgroundOrder: [Int32]

    /// Profiles per generation chunk (each chunk has its own random stream).
    package static let chunkSize = 2048

    public init(settings: GeneratorSettings) throws {
        try settings.validate()
        self.settings = settings
        let vocabulary = InterestVocabulary(size: settings.interests)
        self.vocabulary = vocabulary
        var rng = SeededGenerator(seed: settings.seed, stream: 0xA0D1E)
        let catalog = InterestCatalog.categories
        var byCategory = [[Int32]](repeating: [], count: catalog.count)
        for (i, c) in vocabulary.categories.enumerated() { byCategory[c].append(Int32(i)) }
        // Categories with enough interests to plant segments in (small vocabularies have fewer per category).
        var usable = (0..<catalog.count).filter { byCategory[$0].count >= 10 }
        if usable.count < 2 { usable = (0..<catalog.count).filter { byCategory[$0].count >= 2 } }
        guard usable.count >= 2 else {
            throw GeneratorError.invalidSetting("a vocabulary of \(settings.interests) interests is too small to plant segments; use --interests 500 or more")
        }

        // Background popularity: a seeded Zipf ranking in which plain handles and hashtags come
        // before their variants (#yoga is more followed than #yogatips).
        let base = vocabulary.baseCount
        var order = (0..<base).map { Int32($0) }.shuffled(using: &rng)
        order += (base..<vocabulary.names.count).map { Int32($0) }.shuffled(using: &rng)
        backgroundOrder = order
        background = AliasTable(weights: AliasTable.zipfWeights(count: order.count, exponent: 1.05))

        // Segment sizes vary about five-fold (log-normal), or geometrically from 1 to `sizeRatio`;
        // categories are dealt out so neighbours differ.
        var sizes: [Double] = []
        var pools: [[Int32]] = []
        var tables: [AliasTable] = []
        var planted: [PlantedSegment] = []
        let primaryOrder = usable.shuffled(using: &rng)
        for s in 0..<settings.segments {
            // The log-normal draw is made either way, so the segments themselves (pools, names, tag
            // rates) are the same with or without a size ratio; only how many profiles each draws changes.
            let natural = exp(0.55 * Self.gaussian(&rng))
            sizes.append(settings.sizeRatio.map { Self.geometricSize(segment: s, of: settings.segments, ratio: $0) } ?? natural)
            let primary = primaryOrder[s % primaryOrder.count]
            var secondary = usable[Int(rng.next() % UInt64(usable.count))]
            if secondary == primary { secondary = usable[(usable.firstIndex(of: primary)! + 1) % usable.count] }
            let want = settings.interestsPerSegment
            var pool: [Int32] = []
            var chosen = Set<Int32>()
            let fromPrimary = Int(Double(want) * 0.7)
            let candidatesPrimary = byCategory[primary].shuffled(using: &rng)
            let candidatesSecondary = byCategory[secondary].shuffled(using: &rng)
            for i in candidatesPrimary where pool.count < fromPrimary && chosen.insert(i).inserted { pool.append(i) }
            for i in candidatesSecondary where pool.count < want && chosen.insert(i).inserted { pool.append(i) }
            while pool.count < want {   // small vocabularies: fill from anywhere
                let i = Int32(rng.next() % UInt64(vocabulary.names.count))
                if chosen.insert(i).inserted { pool.append(i) }
            }
            // Within a pool, plain names rank before variants; ties keep the random order.
            pool = pool.enumerated().sorted { (a, b) in
                let ta = Int(a.element) < base ? 0 : 1, tb = Int(b.element) < base ? 0 : 1
                return ta != tb ? ta < tb : a.offset < b.offset
            }.map(\.element)
            pools.append(pool)
            tables.append(AliasTable(weights: AliasTable.zipfWeights(count: pool.count, exponent: 0.8)))
            let customer = 0.1 + 0.3 * rng.nextUnitInterval()
            let lapsed = 0.05 + 0.3 * rng.nextUnitInterval() * (s % 5 == 0 ? 2 : 1)
            planted.append(PlantedSegment(
                index: s, name: "\(catalog[primary].name) · \(vocabulary.names[Int(pool[0])])",
                category: catalog[primary].name, secondaryCategory: catalog[secondary].name, share: 0,
                topInterests: pool.prefix(10).map { vocabulary.names[Int($0)] },
                customerRate: customer, lapsedRate: min(0.6, lapsed)))
        }
        let total = sizes.reduce(0, +)
        for s in planted.indices { planted[s].share = sizes[s] / total }
        segmentChoice = AliasTable(weights: sizes)
        segmentPools = pools
        segmentTables = tables
        segments = planted
    }

    /// One generated profile.
    public struct Profile: Sendable, Equatable {
        public var id: String
        public var interests: [Int32]
        public var weights: [Int]
        public var tag: String
        public var segment: Int
        /// Secondary segment, or -1.
        public var secondary: Int
    }

    /// The profiles of chunk `chunk` (profiles `chunk * 2048 ..< …`).
    public func profiles(inChunk chunk: Int) -> [Profile] {
        var rng = SeededGenerator(seed: settings.seed, stream: UInt64(chunk) &+ 1)
        let lower = chunk * Self.chunkSize
        let upper = min(settings.profiles, lower + Self.chunkSize)
        var result: [Profile] = []
        result.reserveCapacity(upper - lower)
        var seen = Set<Int32>()
        let width = max(7, String(settings.profiles).count)
        for n in lower..<upper {
            let s = segmentChoice.sample(&rng)
            var t = -1
            var mix = 0.0
            if settings.segments > 1, rng.nextUnitInterval() < settings.mixedFraction {
                t = segmentChoice.sample(&rng)
                if t == s { t = (s + 1) % settings.segments }
                mix = 0.2 + 0.25 * rng.nextUnitInterval()
            }
            let count = max(3, Int((settings.meanInterestsPerProfile * exp(0.35 * Self.gaussian(&rng) - 0.06)).rounded()))
            seen.removeAll(keepingCapacity: true)
            var interests: [Int32] = []
            interests.reserveCapacity(count)
            var attempts = 0
            while interests.count < count && attempts < count * 4 {
                attempts += 1
                let i: Int32
                if rng.nextUnitInterval() < settings.segmentShare {
                    let g = (t >= 0 && rng.nextUnitInterval() < mix) ? t : s
                    i = segmentPools[g][segmentTables[g].sample(&rng)]
                } else {
                    i = backgroundOrder[background.sample(&rng)]
                }
                if seen.insert(i).inserted { interests.append(i) }
            }
            var weights: [Int] = []
            if settings.weighted {
                weights = interests.map { _ in 1 + Int(-log(1 - rng.nextUnitInterval()) * 2.5) }
            }
            let u = rng.nextUnitInterval()
            let segment = segments[s]
            let tag = u < segment.customerRate ? "customer" : (u < segment.customerRate + segment.lapsedRate ? "lapsed" : "prospect")
            var id = String(n + 1)
            id = "f" + String(repeating: "0", count: max(0, width - id.count)) + id
            result.append(Profile(id: id, interests: interests, weights: weights, tag: tag, segment: s, secondary: t))
        }
        return result
    }

    /// Number of generation chunks.
    public var chunkCount: Int { (settings.profiles + Self.chunkSize - 1) / Self.chunkSize }

    /// The JSON Lines text of a chunk.
    public func jsonLines(inChunk chunk: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.chunkSize * Int(settings.meanInterestsPerProfile) * 16)
        for profile in profiles(inChunk: chunk) {
            out.append(contentsOf: #"{"id": ""#.utf8)
            out.append(contentsOf: profile.id.utf8)
            out.append(contentsOf: settings.weighted ? #"", "interests": {"#.utf8 : #"", "interests": ["#.utf8)
            for (k, i) in profile.interests.enumerated() {
                if k > 0 { out.append(contentsOf: ", ".utf8) }
                Self.appendJSONString(vocabulary.names[Int(i)], to: &out)
                if settings.weighted {
                    out.append(contentsOf: ": ".utf8)
                    out.append(contentsOf: String(profile.weights[k]).utf8)
                }
            }
            out.append(contentsOf: settings.weighted ? #"}, "tags": [""#.utf8 : #"], "tags": [""#.utf8)
            out.append(contentsOf: profile.tag.utf8)
            out.append(contentsOf: "\"]}\n".utf8)
        }
        return out
    }

    /// The ground-truth CSV rows of a chunk: `id,segment,secondary,segment_name`.
    public func labelRows(inChunk chunk: Int) -> [UInt8] {
        var out: [UInt8] = []
        for profile in profiles(inChunk: chunk) {
            let name = segments[profile.segment].name.replacingOccurrences(of: "\"", with: "\"\"")
            out.append(contentsOf: "\(profile.id),\(profile.segment),\(profile.secondary),\"\(name)\"\n".utf8)
        }
        return out
    }

    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0..<0x20: out.append(contentsOf: String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Expected relative size of segment `s` of `k` when sizes run geometrically from 1 (segment 0)
    /// to `ratio` (segment k − 1): ratio^(s / (k − 1)).
    static func geometricSize(segment s: Int, of k: Int, ratio: Double) -> Double {
        k > 1 ? pow(ratio, Double(s) / Double(k - 1)) : 1
    }

    /// A standard normal draw (Box–Muller).
    static func gaussian(_ rng: inout some RandomNumberGenerator) -> Double {
        let u1 = max(rng.nextUnitInterval(), 1e-300)
        let u2 = rng.nextUnitInterval()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
