import Foundation
import SegmentInsights

/// The kinds of card on the wall, each with its colour.
public enum CardKind: String, Codable, Sendable, CaseIterable {
    case segment, asset, gap, partner
    case small = "too-small"

    /// Miro's named sticky colours (also used for the HTML wall's palette).
    package var miroColor: String {
        switch self {
        case .segment: return "light_yellow"
        case .asset: return "light_green"
        case .gap: return "light_pink"
        case .partner: return "light_blue"
        case .small: return "gray"
        }
    }

    package var hexColor: String {
        switch self {
        case .segment: return "#fff9b1"
        case .asset: return "#d5f692"
        case .gap: return "#ffcee0"
        case .partner: return "#a6ccf5"
        case .small: return "#e6e6e6"
        }
    }
}

/// One of a segment card's top interests: the assets that serve it, or none (a gap).
public struct WallInterest: Codable, Sendable, Equatable {
    public var interest: String
    /// Affinity index (100 = as common as in the whole audience).
    public var index: Double
    /// Names of the assets that serve it; empty for a gap (or when no catalogue was linked).
    public var servedBy: [String]
    /// Whether a catalogue was linked (without one, an interest is neither served nor a gap).
    public var linked: Bool

    /// "served by Fernhill Trail Runner shoe", "gap", or "" without a catalogue.
    public var status: String {
        guard linked else { return "" }
        return servedBy.isEmpty ? "gap" : "served by " + servedBy.joined(separator: ", ")
    }
}

/// One card of the wall. Ids are stable: derived from the segment's evidence (its label interests, not
/// its number) and the card's own key, so re-importing a refreshed run updates cards instead of duplicating.
public struct WallCard: Codable, Sendable, Equatable {
    public var id: String
    public var kind: CardKind
    /// The segment the card belongs to; −1 for the cards of the cross-segment section.
    public var segment: Int
    public var title: String
    /// The card's whole text on one line (what a board sticky shows below its title).
    public var body: String
    /// Top-left corner on the board, in board units (see `WallModel.columnWidth`).
    public var x: Double
    public var y: Double
    /// Segment cards: short warnings shown as a badge ("UNSTABLE 0.42", "OVERLAPS S28", "GENERAL AUDIENCE").
    public var flags: [String] = []
    /// Segment cards: size, share, coverage and stability on one line.
    public var facts: String = ""
    /// Segment cards: the top interests, each served by an asset or a gap.
    public var interests: [WallInterest] = []
}

/// One column per segment: its card, then its gaps with real demand, its partner candidates and the
/// assets it has.
public struct WallColumn: Sendable, Equatable {
    /// The segment; −1 for a column of the cross-segment section.
    public var segment: Int
    public var frameID: String
    public var title: String
    public var cards: [WallCard]
}

/// A group of columns on the board, left to right: the themes (a cut of the merge tree), the "other"
/// group of small segments, and the cross-segment section.
public struct WallGroup: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case theme, other
        case crossSegment = "cross-segment"
    }
    /// Stable across runs: from the theme's naming interests (not its letter or segment numbers).
    public var key: String
    public var title: String
    public var kind: Kind
    /// Member segment ids, largest first (empty for the cross-segment section).
    public var segments: [Int]
    /// Members' size and share of the profiles (0 for the cross-segment section).
    public var size: Int
    public var share: Double
    /// The group's sub-columns, left to right, each a list of indices into `WallModel.columns` (or,
    /// for the cross-segment section, into `WallModel.crossSegmentColumns`), top to bottom.
    public var lanes: [[Int]]
    /// The group's frame on the board (board units; title band on top, cards below).
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
}

/// Everything the exporters need, already cleaned of hostile text and laid out.
public struct WallModel: Sendable {
    public var title: String
    /// One column per segment, group by group (themes left to right, then "other").
    public var columns: [WallColumn]
    /// The groups of the board, left to right: themes, "other" (when some segment is small), then the
    /// cross-segment section (when a catalogue was linked).
    public var groups: [WallGroup]
    /// The cross-segment section's columns: missing assets, the partner ecosystem, assets serving many
    /// and assets serving nobody (empty without a catalogue).
    public var crossSegmentColumns: [WallColumn]
    public var insights: AudienceInsights
    public var gaps: GapReport?
    public var themes: [SegmentTheme]

    /// Cards per segment on the wall (segments.json lists them all): the strongest gaps with real demand
    /// (see `InsightSettings.gapMinPrevalence`, `gapMinIndex`), partner candidates and serving assets.
    package static let gapCards = 3, partnerCards = 2, assetCards = 3
    /// Top interests on a segment card, and cards per column of the cross-segment section.
    package static let cardInterests = 5, crossSegmentCards = 8

    /// Layout on the board: sub-columns 420 apart, cards 240 apart, card size 360 × 200, a 120-high
    /// title band on each group, 240 between groups, 120 between the stacks of a sub-column.
    package static let columnWidth = 420.0, rowHeight = 240.0, cardWidth = 360.0, cardHeight = 200.0
    package static let groupTitleHeight = 120.0, groupGap = 240.0, stackGap = 120.0

    public init(title: String, insights: AudienceInsights, gaps: GapReport?) {
        self.title = WallText.clean(title)
        self.insights = insights
        self.gaps = gaps
        let themes = SegmentThemes.group(insights)
        self.themes = themes
        let byID = Dictionary(uniqueKeysWithValues: insights.segments.map { ($0.id, $0) })
        var columns: [WallColumn] = []
        // A segment's key is its label evidence in the label's order (so ids survive renumbering between
        // runs, and `@a · #b` and `#b · @a` are two keys); where two segments still share the same
        // evidence (labels that ran out of distinct interests), the segment id is added, so no two
        // segments ever share card ids.
        func evidence(_ s: SegmentDescription) -> String { s.labelEvidence.map(\.interest).joined(separator: "|") }
        let shared = Dictionary(grouping: insights.segments.filter { !evidence($0).isEmpty }, by: evidence).filter { $0.value.count > 1 }
        // Segments in wall order: theme by theme, largest first within each.
        for segment in themes.flatMap(\.segments).compactMap({ byID[$0] }) {
            let key = evidence(segment)
            let segmentKey = StableID.of("segment:" + (key.isEmpty ? "id-\(segment.id)" : shared[key] != nil ? key + "#\(segment.id)" : key))
            columns.append(WallColumn(segment: segment.id, frameID: segmentKey, title: WallText.clean(segment.label),
                                      cards: Self.cards(segment, key: segmentKey, gaps: gaps?.segments.first { $0.segment == segment.id },
                                                        linked: gaps != nil, cross: gaps?.crossSegment, settings: insights.settings)))
        }
        self.columns = columns
        Self.makeCardIDsUnique(&self.columns)
        crossSegmentColumns = gaps?.crossSegment.map(Self.crossSegmentColumns) ?? []
        groups = Self.layout(themes: themes, columns: &self.columns, cross: &crossSegmentColumns)
    }

    /// A card key repeated inside a segment (a catalogue listing the same asset id twice) would give two
    /// cards one id; the later ones get the occurrence added, so every id is unique and still stable.
    static func makeCardIDsUnique(_ columns: inout [WallColumn]) {
        var seen = Set<String>()
        for c in columns.indices {
            for i in columns[c].cards.indices {
                var id = columns[c].cards[i].id, occurrence = 1
                while seen.contains(id) {
                    occurrence += 1
                    id = StableID.of(columns[c].cards[i].id + "#\(occurrence)")
                }
                seen.insert(id)
                columns[c].cards[i].id = id
            }
        }
    }

    /// Every card of the segments' columns (the cross-segment section's are in `crossSegmentCards`).
    public var cards: [WallCard] { columns.flatMap(\.cards) }
    public var crossSegmentCards: [WallCard] { crossSegmentColumns.flatMap(\.cards) }

    /// Hennig's reading of bootstrap Jaccard: ≥ 0.85 highly stable, ≥ 0.75 stable, ≥ 0.6 fragile, below dissolves.
    package static func stabilityWord(_ j: Double) -> String {
        j >= 0.85 ? "highly stable" : j >= 0.75 ? "stable" : j >= 0.6 ? "fragile" : "unstable"
    }

    /// Badges for a segment card, from its cautions (see `SegmentInsights.addCautions`).
    package static func flags(_ segment: SegmentDescription, settings: InsightSettings) -> [String] {
        var flags: [String] = []
        if let stability = segment.stability, stability < settings.unstableStability { flags.append(String(format: "UNSTABLE %.2f", stability)) }
        if segment.nearestSegment >= 0, segment.nearestSimilarity >= settings.overlapSimilarity { flags.append("OVERLAPS S\(segment.nearestSegment)") }
        if segment.cautions.contains(where: { $0.hasPrefix("general audience") }) { flags.append("GENERAL AUDIENCE") }
        return flags
    }

    // MARK: Cards

    static func cards(_ segment: SegmentDescription, key segmentKey: String, gaps g: SegmentGaps?, linked: Bool,
                      cross: CrossSegmentView?, settings: InsightSettings) -> [WallCard] {
        var cards: [WallCard] = []
        func add(_ kind: CardKind, key: String, title: String, body: String) {
            cards.append(WallCard(id: StableID.of(segmentKey + ":" + kind.rawValue + ":" + key), kind: kind, segment: segment.id,
                                  title: WallText.clean(title), body: WallText.clean(body, maxLength: 400), x: 0, y: 0))
        }
        let people = WallText.people(segment.size)
        let share = WallText.share(segment.share)
        if segment.tooSmall {
            add(.small, key: "card", title: "S\(segment.id): too small to describe", body: "\(people) people (\(share))")
            return cards
        }
        let served: [String: [String]] = Dictionary(grouping: (g?.assets ?? []).flatMap { a in a.matched.map { ($0, a.name) } }, by: \.0)
            .mapValues { $0.map(\.1) }
        let interests = segment.distinctiveInterests.prefix(cardInterests).map {
            WallInterest(interest: WallText.clean($0.interest, maxLength: 60), index: $0.index,
                         servedBy: (served[$0.interest] ?? []).map { WallText.clean($0, maxLength: 60) }, linked: linked)
        }
        let flags = Self.flags(segment, settings: settings)
        var facts = "S\(segment.id) · \(people) people · \(share) of profiles"
        if let g { facts += " · coverage " + WallText.percent(g.coverage) }
        if let s = segment.stability { facts += String(format: " · stability %.2f (%@)", s, stabilityWord(s)) }
        let list = interests.map { "\($0.interest) \(Int($0.index.rounded()))" + ($0.linked ? " " + $0.status : "") }.joined(separator: "; ")
        let flagText = flags.isEmpty ? "" : "⚠ " + flags.joined(separator: " · ") + " — "
        add(.segment, key: "card", title: segment.label, body: flagText + facts + " · top interests (affinity index): " + list)
        cards[0].flags = flags
        cards[0].facts = WallText.clean(facts, maxLength: 200)
        cards[0].interests = interests
        guard let g else { return cards }
        // Gaps with real demand only; each says what the segment card does not: how many people, where
        // else the same interest is unmet, and who could cover it.
        let affinity = Dictionary(segment.distinctiveInterests.map { ($0.interest, $0) }, uniquingKeysWith: { a, _ in a })
        let spans = Dictionary((cross?.missingAssets ?? []).map { ($0.interest, $0) }, uniquingKeysWith: { a, _ in a })
        for gap in g.gaps.filter({ affinity[$0.interest].map(settings.hasRealDemand) ?? false }).prefix(gapCards) {
            let a = affinity[gap.interest]!
            var body = "\(WallText.people(a.count)) people here (\(WallText.percent(a.prevalence)) of the segment) · index \(Int(a.index.rounded()))"
            if let m = spans[gap.interest], m.segments.count > 1 {
                let others = m.segments.filter { $0 != segment.id }
                body += " · also unmet in " + others.prefix(4).map { "S\($0)" }.joined(separator: ", ") + (others.count > 4 ? " and \(others.count - 4) more" : "")
                    + " (\(WallText.people(m.people)) people in all)"
            }
            let partners = g.partners.filter { $0.covers.contains(gap.interest) }.map(\.name)
            body += partners.isEmpty ? " · no partner covers it" : " · partner: " + partners.prefix(2).joined(separator: ", ")
            add(.gap, key: "gap:" + gap.interest, title: "Missing: \(gap.interest)", body: body)
        }
        for partner in g.partners.prefix(partnerCards) {
            add(.partner, key: "partner:" + partner.id, title: partner.name,
                body: "\(partner.kind) · could cover \(partner.covers.joined(separator: ", ")) · \(WallText.percent(partner.demandShare)) of unmet demand"
                    + (partner.reach > 0 ? " · reach \(WallText.count(partner.reach))" : ""))
        }
        for asset in g.assets.prefix(assetCards) {
            add(.asset, key: "asset:" + asset.id, title: asset.name,
                body: "\(asset.kind) · serves \(asset.matched.joined(separator: ", ")) · \(WallText.percent(asset.demandShare)) of demand")
        }
        return cards
    }

    static func crossSegmentColumns(_ view: CrossSegmentView) -> [WallColumn] {
        func card(_ kind: CardKind, _ key: String, _ title: String, _ body: String) -> WallCard {
            WallCard(id: StableID.of("cross-segment:" + key), kind: kind, segment: -1, title: WallText.clean(title),
                     body: WallText.clean(body, maxLength: 400), x: 0, y: 0)
        }
        func segments(_ ids: [Int]) -> String {
            ids.prefix(6).map { "S\($0)" }.joined(separator: ", ") + (ids.count > 6 ? " and \(ids.count - 6) more" : "")
        }
        var columns: [WallColumn] = []
        let missing = view.missingAssets.prefix(crossSegmentCards).map { m in
            card(.gap, "missing:" + m.interest, "Missing: \(m.interest)",
                 "\(WallText.people(m.people)) people (\(WallText.share(m.share)) of profiles) in \(m.segments.count == 1 ? "segment" : "\(m.segments.count) segments"): \(segments(m.segments))"
                 + (m.partners.isEmpty ? " · no partner covers it" : " · \(m.partners.count) partner\(m.partners.count == 1 ? "" : "s") could"))
        }
        if !missing.isEmpty { columns.append(WallColumn(segment: -1, frameID: StableID.of("cross-segment:missing"), title: "Missing assets", cards: missing)) }
        let cover = view.partnerCover
        let picks = cover.picks.prefix(crossSegmentCards).enumerated().map { n, p in
            card(.partner, "partner:" + p.id, "\(n + 1). \(p.name)",
                 "\(p.kind) · reaches \(WallText.people(p.people)) more people (\(WallText.people(p.cumulativePeople)) of \(WallText.people(cover.demandPeople)) so far) · closes \(p.gapsClosed.isEmpty ? "no new gap" : p.gapsClosed.prefix(4).joined(separator: ", ") + (p.gapsClosed.count > 4 ? " and \(p.gapsClosed.count - 4) more" : "")) · in \(segments(p.segments))"
                 + (p.pickedFor.isEmpty ? "" : " · also a per-segment pick for \(segments(p.pickedFor))"))
        }
        if !picks.isEmpty { columns.append(WallColumn(segment: -1, frameID: StableID.of("cross-segment:partners"), title: "Partner ecosystem", cards: picks)) }
        var assets = view.assetsServingMany.prefix(crossSegmentCards).map { a in
            card(.asset, "asset-many:" + a.id, a.name, "\(a.kind) · serves \(a.segments.count) segments (\(segments(a.segments))) · \(WallText.people(a.people)) people follow what it serves there")
        }
        if !view.assetsServingNobody.isEmpty {
            let names = view.assetsServingNobody.map(\.name)
            assets.append(card(.small, "assets-nobody", "Assets serving no segment (\(names.count))",
                               names.prefix(12).joined(separator: " · ") + (names.count > 12 ? " and \(names.count - 12) more" : "")))
        }
        if !assets.isEmpty { columns.append(WallColumn(segment: -1, frameID: StableID.of("cross-segment:assets"), title: "Assets serving many, and none", cards: assets)) }
        return columns
    }

    // MARK: Layout

    /// Places the groups left to right and fills in every card's position. The board aims at a square
    /// in board units (the HTML wall's cards are flatter, so there it comes out near the √2 : 1 of a
    /// landscape poster): with C cards in the segments' stacks, the sub-columns are about
    /// √(C · columnWidth / rowHeight) cards high, each group gets as many sub-columns as that needs,
    /// and each segment's stack (largest first) goes to the group's shortest sub-column.
    static func layout(themes: [SegmentTheme], columns: inout [WallColumn], cross: inout [WallColumn]) -> [WallGroup] {
        let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element.segment, $0.offset) })
        let cardCount = columns.reduce(0) { $0 + $1.cards.count }
        let targetRows = max(Double(columns.map(\.cards.count).max() ?? 1),
                             (Double(cardCount) * columnWidth / rowHeight).squareRoot())
        var groups: [WallGroup] = []
        var x = 0.0
        var usedKeys = Set<String>()
        func place(_ lanes: [[Int]], in list: inout [WallColumn]) -> Double {
            var bottom = 0.0
            for (lane, members) in lanes.enumerated() {
                var y = groupTitleHeight
                for c in members {
                    for r in list[c].cards.indices {
                        list[c].cards[r].x = x + Double(lane) * columnWidth
                        list[c].cards[r].y = y
                        y += rowHeight
                    }
                    y += stackGap
                }
                bottom = max(bottom, y - stackGap - (rowHeight - cardHeight))
            }
            return bottom
        }
        for theme in themes {
            let members = theme.segments.compactMap { position[$0] }
            guard !members.isEmpty else { continue }
            let cards = members.reduce(0) { $0 + columns[$1].cards.count }
            let laneCount = min(members.count, max(1, Int((Double(cards) / targetRows).rounded(.up))))
            var lanes = [[Int]](repeating: [], count: laneCount)
            var heights = [Double](repeating: 0, count: laneCount)
            for c in members {
                let shortest = heights.indices.min { heights[$0] != heights[$1] ? heights[$0] < heights[$1] : $0 < $1 }!
                lanes[shortest].append(c)
                heights[shortest] += Double(columns[c].cards.count) + stackGap / rowHeight
            }
            let bottom = place(lanes, in: &columns)
            // A mixed theme (no shared interest) is keyed by its largest segment.
            let basis = theme.kind == .other ? "other" : theme.interests.isEmpty ? "mixed:" + columns[members[0]].frameID : theme.interests.joined(separator: "|")
            var key = StableID.of("theme:" + basis)
            while !usedKeys.insert(key).inserted { key = StableID.of(key + "#") }
            groups.append(WallGroup(key: key, title: WallText.clean(theme.title), kind: theme.kind == .other ? .other : .theme,
                                    segments: theme.segments, size: theme.size, share: theme.share, lanes: lanes,
                                    x: x, y: 0, width: Double(laneCount) * columnWidth - (columnWidth - cardWidth), height: bottom))
            x += Double(laneCount) * columnWidth - (columnWidth - cardWidth) + groupGap
        }
        // Columns ordered as placed: group by group, lane by lane.
        let order = groups.flatMap { $0.lanes.joined() }
        var renumber: [Int: Int] = [:]
        for (n, old) in order.enumerated() { renumber[old] = n }
        columns = order.map { columns[$0] }
        for g in groups.indices { groups[g].lanes = groups[g].lanes.map { $0.map { renumber[$0]! } } }
        if !cross.isEmpty {
            let lanes = cross.indices.map { [$0] }
            let bottom = place(lanes, in: &cross)
            groups.append(WallGroup(key: StableID.of("cross-segment"), title: "Across segments: missing assets, partners, assets",
                                    kind: .crossSegment, segments: [], size: 0, share: 0, lanes: lanes,
                                    x: x, y: 0, width: Double(lanes.count) * columnWidth - (columnWidth - cardWidth), height: bottom))
        }
        return groups
    }
}
