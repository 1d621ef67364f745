import Foundation

/// `report.md`: the wall and the key numbers as text, for people who read in text (or diff runs).
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
        for column in wall.columns {
            md += "\n## \(WallText.markdown(column.title))\n\n"
            for card in column.cards {
                md += "- **\(card.kind.rawValue)** — \(WallText.markdown(card.title)): \(WallText.markdown(card.body))\n"
            }
        }
        if let unused = wall.gaps?.unusedAssets, !unused.isEmpty {
            md += "\n## Assets that serve no segment\n\n" + unused.map { "- \(WallText.markdown($0))\n" }.joined()
        }
        return WallFile(path: "report.md", text: md)
    }
}
