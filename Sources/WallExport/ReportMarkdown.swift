import Foundation
import SegmentInsights

/// `report.md`: the wall and the key numbers as text, for people who read in text (or diff runs):
/// the segments table, the themes, the cross-segment view, then each segment's cards.
enum ReportMarkdown {
    static func render(_ wall: WallModel) -> WallFile {
        var md = "# \(WallText.markdown(wall.title))\n\n"
        md += "\(wall.insights.profiles) profiles, \(wall.insights.segments.count) segments. Affinity index = P(interest | segment) / P(interest) × 100.\n\n"
        md += "| segment | label | size | share | stability | coverage | top gap |\n|---:|---|---:|---:|---:|---:|---|\n"
        for column in wall.columns {
            guard let s = wall.insights.segments.first(where: { $0.id == column.segment }) else { continue }
            let g = wall.gaps?.segments.first { $0.segment == s.id }
            let caution = s.cautions.isEmpty ? "" : " ⚠ " + WallText.markdown(s.cautions.joined(separator: "; "))
            md += "| \(s.id) | \(WallText.markdown(s.label))\(caution) | \(s.size) | \(String(format: "%.1f%%", s.share * 100)) | "
            md += (s.stability.map { String(format: "%.2f", $0) } ?? "–") + " | "
            md += (g.map { String(format: "%.0f%%", $0.coverage * 100) } ?? "–") + " | " + WallText.markdown(g?.gaps.first?.interest ?? "–") + " |\n"
        }
        md += "\nStability: how reliably a segment comes back when the audience is resampled and segmented again (bootstrap Jaccard, 0–1); "
        md += String(format: "below %.1f treat it as tentative.\n", wall.insights.settings.unstableStability)
        md += themes(wall)
        md += crossSegment(wall)
        for group in wall.groups where group.kind != .crossSegment {
            md += "\n## \(WallText.markdown(group.title))\n"
            for lane in group.lanes {
                for c in lane {
                    let column = wall.columns[c]
                    md += "\n### \(WallText.markdown(column.title))\n\n"
                    for card in column.cards {
                        md += "- **\(card.kind.rawValue)** — \(WallText.markdown(card.title)): \(WallText.markdown(card.body))\n"
                    }
                }
            }
        }
        if let unused = wall.gaps?.unusedAssets, !unused.isEmpty {
            md += "\n## Assets that serve no segment\n\n" + unused.map { "- \(WallText.markdown($0))\n" }.joined()
        }
        return WallFile(path: "report.md", text: md)
    }

    static func themes(_ wall: WallModel) -> String {
        guard !wall.themes.isEmpty else { return "" }
        var md = "\n## Themes\n\n" + WallText.markdown(ReportHTML.themeRule(wall.insights.settings)) + "\n\n| theme | people | share | segments |\n|---|---:|---:|---|\n"
        for theme in wall.themes {
            md += "| \(WallText.markdown(theme.title)) | \(theme.size) | \(WallText.share(theme.share)) | \(theme.segments.map { "S\($0)" }.joined(separator: ", ")) |\n"
        }
        return md
    }

    static func crossSegment(_ wall: WallModel) -> String {
        guard let view = wall.gaps?.crossSegment else { return "" }
        let s = wall.insights.settings
        let cover = view.partnerCover
        var md = "\n## Across segments: missing assets, partners, assets\n\n"
        md += "Gaps with real demand: a distinctive interest no asset serves, followed by at least \(WallText.percent(s.gapMinPrevalence)) of the segment with an affinity index of at least \(Int(s.gapMinIndex)). People are counted once.\n\n"
        md += "\(cover.demandPeople) people follow at least one of \(cover.gaps) such gaps; the partner picks below reach \(cover.coveredPeople) of them and cover \(cover.closedGaps) gaps.\n"
        md += "\n### Missing assets\n\n| # | interest | people | share | highest index | segments (people) | partners |\n|---:|---|---:|---:|---:|---|---|\n"
        for (n, m) in view.missingAssets.prefix(ReportCrossSegment.rows).enumerated() {
            let segments = zip(m.segments, m.segmentPeople).map { "S\($0) (\($1))" }.joined(separator: ", ")
            md += "| \(n + 1) | \(WallText.markdown(m.interest)) | \(m.people) | \(WallText.share(m.share)) | \(Int(m.maxIndex.rounded())) | \(segments) | \(m.partners.isEmpty ? "–" : WallText.markdown(m.partners.joined(separator: ", "))) |\n"
        }
        md += "\n### Partner ecosystem (one cover of the whole audience)\n\n| # | partner | new people | reached so far | gaps it closes | segments touched | also picked for |\n|---:|---|---:|---:|---|---|---|\n"
        for (n, p) in cover.picks.enumerated() {
            md += "| \(n + 1) | \(WallText.markdown(p.name)) | \(p.people) | \(p.cumulativePeople) | \(p.gapsClosed.isEmpty ? "–" : WallText.markdown(p.gapsClosed.joined(separator: ", "))) | "
            md += "\(p.segments.map { "S\($0)" }.joined(separator: ", ")) | \(p.pickedFor.isEmpty ? "–" : p.pickedFor.map { "S\($0)" }.joined(separator: ", ")) |\n"
        }
        md += "\n### Assets that serve many segments\n\n"
        md += view.assetsServingMany.isEmpty ? "None serves more than one segment.\n"
            : "| asset | segments | people | serves |\n|---|---|---:|---|\n" + view.assetsServingMany.map {
                "| \(WallText.markdown($0.name)) | \($0.segments.map { "S\($0)" }.joined(separator: ", ")) | \($0.people) | \(WallText.markdown($0.matched.joined(separator: ", "))) |\n"
            }.joined()
        md += "\n### Assets that serve no segment\n\n"
        md += view.assetsServingNobody.isEmpty ? "Every asset serves at least one segment.\n" : view.assetsServingNobody.map { "- \(WallText.markdown($0.name))\n" }.joined()
        return md
    }
}
