import LinearAlgebra

/// A gap interest across the whole audience: an asset the firm does not have.
public struct MissingAsset: Codable, Sendable, Equatable {
    public var interest: String
    /// People who follow it in a segment where it is a gap with real demand, each counted once.
    public var people: Int
    /// `people` over all profiles.
    public var share: Double
    /// Those segments, most followers first, and the followers in each.
    public var segments: [Int]
    public var segmentPeople: [Int]
    /// The highest affinity index it reaches in them.
    public var maxIndex: Double
    /// Partners (ids) whose interests include it.
    public var partners: [String]

    public init(interest: String, people: Int, share: Double, segments: [Int], segmentPeople: [Int], maxIndex: Double, partners: [String]) {
        self.interest = interest
        self.people = people
        self.share = share
        self.segments = segments
        self.segmentPeople = segmentPeople
        self.maxIndex = maxIndex
        self.partners = partners
    }

    enum CodingKeys: String, CodingKey {
        case interest, people, share, segments, partners
        case segmentPeople = "segment_people"
        case maxIndex = "max_index"
    }
}

/// One pick of the global partner cover, in the order the greedy cover chose it.
public struct PartnerPick: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    public var reach: Double
    /// People with a gap of real demand it reaches that no earlier pick reaches (its greedy gain).
    public var people: Int
    /// People it reaches on its own, and all picks so far together.
    public var peopleAlone: Int
    public var cumulativePeople: Int
    /// The gap interests it covers (most people first), and of those the ones no earlier pick covers.
    public var covers: [String]
    public var gapsClosed: [String]
    /// Segments where at least one of the gaps it covers is a gap with real demand.
    public var segments: [Int]
    /// Segments whose own partner candidates (the per-segment cover) include it.
    public var pickedFor: [Int]

    public init(id: String, name: String, kind: String, reach: Double, people: Int, peopleAlone: Int, cumulativePeople: Int, covers: [String], gapsClosed: [String], segments: [Int], pickedFor: [Int]) {
        self.id = id
        self.name = name
        self.kind = kind
        self.reach = reach
        self.people = people
        self.peopleAlone = peopleAlone
        self.cumulativePeople = cumulativePeople
        self.covers = covers
        self.gapsClosed = gapsClosed
        self.segments = segments
        self.pickedFor = pickedFor
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, reach, people, covers, segments
        case peopleAlone = "people_alone"
        case cumulativePeople = "cumulative_people"
        case gapsClosed = "gaps_closed"
        case pickedFor = "picked_for"
    }
}

/// The global greedy cover of the audience's unmet demand by partners.
public struct PartnerCover: Codable, Sendable, Equatable {
    /// People with at least one gap of real demand, and how many of them the picks reach.
    public var demandPeople: Int
    public var coveredPeople: Int
    /// Distinct gap interests with real demand, and how many of them the picks cover.
    public var gaps: Int
    public var closedGaps: Int
    public var picks: [PartnerPick]

    public init(demandPeople: Int, coveredPeople: Int, gaps: Int, closedGaps: Int, picks: [PartnerPick]) {
        self.demandPeople = demandPeople
        self.coveredPeople = coveredPeople
        self.gaps = gaps
        self.closedGaps = closedGaps
        self.picks = picks
    }

    enum CodingKeys: String, CodingKey {
        case gaps, picks
        case demandPeople = "demand_people"
        case coveredPeople = "covered_people"
        case closedGaps = "closed_gaps"
    }
}

/// An asset and the segments it serves, with the people it reaches there.
public struct AssetReach: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    /// Segments with a distinctive interest it serves (largest first).
    public var segments: [Int]
    /// Members of those segments who follow an interest it serves there, each counted once.
    public var people: Int
    /// The interests it serves, over all those segments.
    public var matched: [String]

    public init(id: String, name: String, kind: String, segments: [Int], people: Int, matched: [String]) {
        self.id = id
        self.name = name
        self.kind = kind
        self.segments = segments
        self.people = people
        self.matched = matched
    }
}

/// The cross-segment view: what is missing, which partners would close it, which assets work hardest
/// and which serve nobody.
public struct CrossSegmentView: Codable, Sendable, Equatable {
    public var missingAssets: [MissingAsset]
    public var partnerCover: PartnerCover
    public var assetsServingNobody: [AssetReach]
    public var assetsServingMany: [AssetReach]

    public init(missingAssets: [MissingAsset], partnerCover: PartnerCover, assetsServingNobody: [AssetReach], assetsServingMany: [AssetReach]) {
        self.missingAssets = missingAssets
        self.partnerCover = partnerCover
        self.assetsServingNobody = assetsServingNobody
        self.assetsServingMany = assetsServingMany
    }

    enum CodingKeys: String, CodingKey {
        case missingAssets = "missing_assets"
        case partnerCover = "partner_cover"
        case assetsServingNobody = "assets_serving_nobody"
        case assetsServingMany = "assets_serving_many"
    }
}

/// Builds the cross-segment view from the rows themselves, so that people are counted once.
///
/// A **gap with real demand** is a distinctive interest of a segment that no asset serves, followed by
/// at least `InsightSettings.gapMinPrevalence` of the segment (default 2%) with an affinity index of at
/// least `gapMinIndex` (default 150). A person is **demand** for a gap interest when they follow it
/// and belong to a segment where it is such a gap.
/// - **Missing assets**: every gap interest with the people it reaches over all its segments (rows
///   belong to one segment, so a person is counted once per interest), most people first.
/// - **Partner cover**: greedy maximum coverage over people — repeatedly the partner that reaches the
///   most people not yet reached through any gap interest it serves (a person following three of its
///   gaps counts once; ties: larger reach, then id), at most `maxPartners` picks, until no partner adds anyone.
/// - **Assets serving many**: assets serving a distinctive interest in at least `manySegments`
///   segments (default 2), most segments first; **serving nobody**: assets serving none.
///
/// - Complexity: O(nnz) for the pass over the rows, then O(picks · partners · people / 64) for the cover.
public enum CrossSegmentAnalysis {
    public static func analyse(matrix: CSRMatrix, labels: [Int32], interests: [String], insights: AudienceInsights,
                               assets: [InterestServer], partners: [InterestServer], perSegment: GapReport? = nil,
                               maxPartners: Int = 10, manySegments: Int = 2) -> CrossSegmentView {
        let settings = insights.settings
        let position = Dictionary(uniqueKeysWithValues: insights.segments.enumerated().map { ($0.element.id, $0.offset) })
        let column = Dictionary(interests.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })

        // Per segment: which of its distinctive interests each asset serves, and its real-demand gaps.
        var gapNames: [String] = []                      // gap interest id → name
        var gapID: [String: Int] = [:]
        var gapSegments: [Set<Int>] = []                 // gap id → segment positions where it is a gap
        var gapIndex: [[Int: Double]] = []               // gap id → segment position → index
        var served: [[Int: [String]]] = Array(repeating: [:], count: assets.count)   // asset → segment position → matched
        var serveLookup: [Int: [Int: [Int]]] = [:]       // column → segment position → assets
        for (p, segment) in insights.segments.enumerated() {
            var isServed = Set<String>()
            for (a, asset) in assets.enumerated() {
                let matched = segment.distinctiveInterests.map(\.interest).filter { asset.interests.contains($0) }
                guard !matched.isEmpty else { continue }
                served[a][p] = matched
                isServed.formUnion(matched)
                for name in matched { if let j = column[name] { serveLookup[j, default: [:]][p, default: []].append(a) } }
            }
            for a in segment.distinctiveInterests where !isServed.contains(a.interest) && settings.hasRealDemand(a) {
                let g = gapID[a.interest] ?? {
                    gapID[a.interest] = gapNames.count
                    gapNames.append(a.interest)
                    gapSegments.append([])
                    gapIndex.append([:])
                    return gapNames.count - 1
                }()
                gapSegments[g].insert(p)
                gapIndex[g][p] = a.index
            }
        }
        var gapOfColumn: [Int: Int] = [:]
        for (g, name) in gapNames.enumerated() { if let j = column[name] { gapOfColumn[j] = g } }

        // One pass over the rows: each demand person's gap interests, followers per (gap, segment), and
        // the people each asset reaches.
        var personStart = [0], personGaps: [Int32] = []
        var gapPeople = [[Int: Int]](repeating: [:], count: gapNames.count)
        var assetPeople = [Int](repeating: 0, count: assets.count)
        var assetLastRow = [Int](repeating: -1, count: assets.count)
        for i in 0..<min(matrix.rowCount, labels.count) {
            guard let p = position[Int(labels[i])] else { continue }
            let before = personGaps.count
            for q in matrix.range(ofRow: i) where matrix.values[q] != 0 {
                let j = Int(matrix.columns[q])
                if let g = gapOfColumn[j], gapSegments[g].contains(p), !personGaps[before...].contains(Int32(g)) {
                    personGaps.append(Int32(g))
                    gapPeople[g][p, default: 0] += 1
                }
                if let list = serveLookup[j]?[p] {
                    for a in list where assetLastRow[a] != i { assetLastRow[a] = i; assetPeople[a] += 1 }
                }
            }
            if personGaps.count > before { personStart.append(personGaps.count) }
        }
        let persons = personStart.count - 1
        let profiles = max(1, insights.profiles)
        func id(_ p: Int) -> Int { insights.segments[p].id }
        func bySize(_ a: Int, _ b: Int) -> Bool {
            let x = insights.segments[a], y = insights.segments[b]
            return x.size != y.size ? x.size > y.size : x.id < y.id
        }

        // Missing assets.
        let partnerInterests = partners.map { Set($0.interests) }
        var missing: [MissingAsset] = []
        for (g, name) in gapNames.enumerated() {
            let counts = gapPeople[g].filter { $0.value > 0 }
            guard !counts.isEmpty else { continue }
            let order = counts.keys.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : id($0) < id($1) }
            let people = counts.values.reduce(0, +)
            missing.append(MissingAsset(interest: name, people: people, share: Double(people) / Double(profiles),
                                        segments: order.map(id), segmentPeople: order.map { counts[$0]! },
                                        maxIndex: order.map { gapIndex[g][$0] ?? 0 }.max() ?? 0,
                                        partners: partners.indices.filter { partnerInterests[$0].contains(name) }.map { partners[$0].id }))
        }
        missing.sort { $0.people != $1.people ? $0.people > $1.people : $0.interest < $1.interest }
        let peopleOfGap = Dictionary(uniqueKeysWithValues: missing.map { ($0.interest, $0.people) })

        // Partner cover over people: one bit set per partner.
        let words = (persons + 63) / 64
        var reaches: [[UInt64]] = []
        var coversOf: [[Int]] = []
        for partner in partners {
            let gaps = Set(partner.interests.compactMap { gapID[$0] })
            var bits = [UInt64](repeating: 0, count: words)
            if !gaps.isEmpty {
                for person in 0..<persons where personGaps[personStart[person]..<personStart[person + 1]].contains(where: { gaps.contains(Int($0)) }) {
                    bits[person >> 6] |= 1 << UInt64(person & 63)
                }
            }
            reaches.append(bits)
            coversOf.append(gaps.filter { (peopleOfGap[gapNames[$0]] ?? 0) > 0 }.sorted {
                let (x, y) = (peopleOfGap[gapNames[$0]]!, peopleOfGap[gapNames[$1]]!)
                return x != y ? x > y : gapNames[$0] < gapNames[$1]
            })
        }
        func count(_ bits: [UInt64]) -> Int { bits.reduce(0) { $0 + $1.nonzeroBitCount } }
        var covered = [UInt64](repeating: 0, count: words)
        var closed = Set<Int>()
        var picks: [PartnerPick] = []
        var remaining = Array(partners.indices)
        while picks.count < maxPartners {
            var best = -1, bestGain = 0
            for t in remaining {
                var gain = 0
                for w in 0..<words { gain += (reaches[t][w] & ~covered[w]).nonzeroBitCount }
                guard gain > 0 else { continue }
                if best < 0 || gain > bestGain || (gain == bestGain && (partners[t].reach, partners[best].id) > (partners[best].reach, partners[t].id)) {
                    best = t
                    bestGain = gain
                }
            }
            guard best >= 0 else { break }
            remaining.removeAll { $0 == best }
            for w in 0..<words { covered[w] |= reaches[best][w] }
            let covers = coversOf[best]
            let newlyClosed = covers.filter { !closed.contains($0) }
            closed.formUnion(covers)
            let segments = Set(covers.flatMap { g in gapSegments[g].filter { (gapPeople[g][$0] ?? 0) > 0 } }).sorted(by: bySize).map(id)
            let partner = partners[best]
            let pickedFor = perSegment?.segments.filter { $0.partners.contains { $0.id == partner.id } }.map(\.segment) ?? []
            picks.append(PartnerPick(id: partner.id, name: partner.name, kind: partner.kind, reach: partner.reach, people: bestGain,
                                     peopleAlone: count(reaches[best]), cumulativePeople: count(covered),
                                     covers: covers.map { gapNames[$0] }, gapsClosed: newlyClosed.map { gapNames[$0] },
                                     segments: segments, pickedFor: pickedFor))
        }
        let cover = PartnerCover(demandPeople: persons, coveredPeople: count(covered), gaps: missing.count,
                                 closedGaps: closed.filter { (peopleOfGap[gapNames[$0]] ?? 0) > 0 }.count, picks: picks)

        // Assets that serve many segments, and those that serve none.
        var many: [AssetReach] = [], nobody: [AssetReach] = []
        for (a, asset) in assets.enumerated() {
            let segments = served[a].keys.sorted(by: bySize)
            var matched: [String] = []
            for p in segments { for name in served[a][p]! where !matched.contains(name) { matched.append(name) } }
            let reach = AssetReach(id: asset.id, name: asset.name, kind: asset.kind, segments: segments.map(id), people: assetPeople[a], matched: matched)
            if segments.isEmpty { nobody.append(reach) } else if segments.count >= manySegments { many.append(reach) }
        }
        many.sort { $0.segments.count != $1.segments.count ? $0.segments.count > $1.segments.count : $0.people != $1.people ? $0.people > $1.people : $0.id < $1.id }
        return CrossSegmentView(missingAssets: missing, partnerCover: cover, assetsServingNobody: nobody, assetsServingMany: many)
    }
}
