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

/// One card of the wall. Ids are stable: derived from the segment's evidence (its label interests, not
/// its number) and the card's own key, so re-importing a refreshed run updates cards instead of duplicating.
public struct WallCard: Codable, Sendable, Equatable {
    public var id: String
    public var kind: CardKind
    public var segment: Int
    public var title: String
    public var body: String
    public var x: Double
    public var y: Double
}

/// One column per segment: its card, then the assets it has, its gaps, its partner candidates.
public struct WallColumn: Sendable, Equatable {
    public var segment: Int
    public var frameID: String
    public var title: String
    public var cards: [WallCard]
}

/// Everything the exporters need, already cleaned of hostile text and laid out.
public struct WallModel: Sendable {
    public var title: String
    public var columns: [WallColumn]
    public var insights: AudienceInsights
    public var gaps: GapReport?

    /// Gap cards per segment on the wall (the strongest first).
    package static let gapCards = 5

    /// Layout: columns 420 px apart, cards 240 px apart, card size 360 × 200.
    package static let columnWidth = 420.0, rowHeight = 240.0, cardWidth = 360.0, cardHeight = 200.0

    public init(title: String, insights: AudienceInsights, gaps: GapReport?) {
        self.title = WallText.clean(title)
        self.insights = insights
        self.gaps = gaps
        var columns: [WallColumn] = []
        // Largest segments first: the order a workshop reads the wall.
        let order = insights.segments.sorted { $0.size != $1.size ? $0.size > $1.size : $0.id < $1.id }
        // A segment's key is its label evidence in the label's order (so ids survive renumbering between
        // runs, and `@a · #b` and `#b · @a` are two keys); where two segments still share the same
        // evidence (labels that ran out of distinct interests), the segment id is added, so no two
        // segments ever share card ids.
        func evidence(_ s: SegmentDescription) -> String { s.labelEvidence.map(\.interest).joined(separator: "|") }
        let shared = Dictionary(grouping: insights.segments.filter { !evidence($0).isEmpty }, by: evidence).filter { $0.value.count > 1 }
        for (position, segment) in order.enumerated() {
            let key = evidence(segment)
            let segmentKey = StableID.of("segment:" + (key.isEmpty ? "id-\(segment.id)" : shared[key] != nil ? key + "#\(segment.id)" : key))
            var cards: [WallCard] = []
            func add(_ kind: CardKind, key: String, title: String, body: String) {
                cards.append(WallCard(id: StableID.of(segmentKey + ":" + kind.rawValue + ":" + key), kind: kind, segment: segment.id,
                                      title: WallText.clean(title), body: WallText.clean(body, maxLength: 400),
                                      x: Double(position) * Self.columnWidth, y: Double(cards.count) * Self.rowHeight))
            }
            let people = segment.size.formatted(.number.grouping(.automatic))
            let share = String(format: "%.1f%%", segment.share * 100)
            if segment.tooSmall {
                add(.small, key: "card", title: "Segment \(segment.id): too small to describe", body: "\(people) people (\(share))")
            } else {
                let top = segment.distinctiveInterests.prefix(5).map { "\($0.interest) (\(Int($0.index.rounded())))" }.joined(separator: ", ")
                let stability = segment.stability.map { " · stability " + String(format: "%.2f", $0) + " (" + Self.stabilityWord($0) + ")" } ?? ""
                // Cautions come first on the card, where a facilitator reads them before acting on it.
                let cautions = segment.cautions.isEmpty ? "" : "⚠ " + segment.cautions.joined(separator: "; ") + " · "
                add(.segment, key: "card", title: segment.label, body: cautions + "Segment \(segment.id) · \(people) people (\(share))\(stability) · top interests (affinity index): \(top)")
                if let g = gaps?.segments.first(where: { $0.segment == segment.id }) {
                    for asset in g.assets {
                        add(.asset, key: "asset:" + asset.id, title: asset.name,
                            body: "\(asset.kind) · serves \(asset.matched.joined(separator: ", ")) · \(Int((asset.demandShare * 100).rounded()))% of demand")
                    }
                    // The wall shows the strongest gaps; segments.json lists them all.
                    for gap in g.gaps.prefix(Self.gapCards) {
                        add(.gap, key: "gap:" + gap.interest, title: "Gap: \(gap.interest)",
                            body: "affinity index \(Int(gap.index.rounded())) · no asset serves it · \(Int((gap.demandShare * 100).rounded()))% of demand")
                    }
                    for partner in g.partners {
                        add(.partner, key: "partner:" + partner.id, title: partner.name,
                            body: "\(partner.kind) · could cover \(partner.covers.joined(separator: ", "))" + (partner.reach > 0 ? " · reach \(WallText.count(partner.reach))" : ""))
                    }
                }
            }
            columns.append(WallColumn(segment: segment.id, frameID: segmentKey, title: WallText.clean(segment.label), cards: cards))
        }
        self.columns = columns
        Self.makeCardIDsUnique(&self.columns)
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

    public var cards: [WallCard] { columns.flatMap(\.cards) }

    /// Hennig's reading of bootstrap Jaccard: ≥ 0.85 highly stable, ≥ 0.75 stable, ≥ 0.6 fragile, below dissolves.
    package static func stabilityWord(_ j: Double) -> String {
        j >= 0.85 ? "highly stable" : j >= 0.75 ? "stable" : j >= 0.6 ? "fragile" : "unstable"
    }
}
