import Foundation
import SegmentInsights

/// report.html's cross-segment section: what is missing across the audience, the partners that would
/// close it (the global cover beside each segment's own picks), and the assets serving many and none.
enum ReportCrossSegment {
    /// Rows shown per table (segments.json lists them all).
    static let rows = 20

    static func section(_ wall: WallModel) -> String {
        guard let gaps = wall.gaps else {
            return "<h2 id=\"cross-segment\">Assets, gaps and partners</h2>\n<p>No asset or partner catalogue was linked to this run (`--assets`, `--partners`).</p>\n"
        }
        let s = wall.insights.settings
        let byID = Dictionary(uniqueKeysWithValues: wall.insights.segments.map { ($0.id, $0) })
        func segment(_ id: Int) -> String { byID[id].map { "<bdi>\(ReportHTML.label($0))</bdi>" } ?? "S\(id)" }
        func segments(_ ids: [Int], people: [Int]? = nil) -> String {
            ids.enumerated().map { n, id in segment(id) + (people.map { " (\(WallText.people($0[n])))" } ?? "") }.joined(separator: "; ")
        }
        func text(_ t: String, _ max: Int = 60) -> String { "<bdi>\(WallText.html(WallText.clean(t, maxLength: max)))</bdi>" }
        var html = "<h2 id=\"cross-segment\">Assets, gaps and partners across segments</h2>\n"
        html += "<p>A segment’s <em>demand</em> is its distinctive interests weighted by score; <em>coverage</em> is the share of that demand an asset serves. "
        html += "A <em>gap with real demand</em> is a distinctive interest no asset serves, followed by at least \(WallText.percent(s.gapMinPrevalence)) of the segment with an affinity index of at least \(Int(s.gapMinIndex)). "
        html += "People are counted once: a person who follows three gaps counts once.</p>\n"
        if let view = gaps.crossSegment {
            let cover = view.partnerCover
            let profiles = max(1, wall.insights.profiles)
            html += "<p class=\"summary\"><strong>\(WallText.people(cover.demandPeople)) people (\(WallText.share(Double(cover.demandPeople) / Double(profiles))) of the profiles) follow at least one of \(cover.gaps) gaps with real demand; "
            html += "the \(cover.picks.count) partner\(cover.picks.count == 1 ? "" : "s") below reach \(WallText.people(cover.coveredPeople)) of them (\(WallText.percent(cover.demandPeople > 0 ? Double(cover.coveredPeople) / Double(cover.demandPeople) : 0))) and cover \(cover.closedGaps) of the gaps.</strong></p>\n"
            html += "<h3 id=\"missing-assets\">Missing assets: gaps ranked by the people they reach</h3>\n"
            if view.missingAssets.isEmpty {
                html += "<p>No gap with real demand: every strong interest of every segment is served.</p>\n"
            } else {
                html += "<table class=\"missing\"><tr><th>#</th><th>interest</th><th>people</th><th>share of profiles</th><th>highest index</th><th>segments where it is a gap (people)</th><th>partners who could cover it</th></tr>\n"
                for (n, m) in view.missingAssets.prefix(rows).enumerated() {
                    html += "<tr><td class=\"n\">\(n + 1)</td><td>\(text(m.interest))</td><td class=\"n\">\(WallText.people(m.people))</td><td class=\"n\">\(WallText.share(m.share))</td>"
                    html += "<td class=\"n\">\(Int(m.maxIndex.rounded()))</td><td>\(segments(m.segments, people: m.segmentPeople))</td><td>\(m.partners.isEmpty ? "none" : text(m.partners.joined(separator: ", "), 200))</td></tr>\n"
                }
                html += "</table>\n"
                if view.missingAssets.count > rows { html += "<p class=\"note\">\(view.missingAssets.count - rows) more in segments.json (cross_segment.missing_assets).</p>\n" }
            }
            html += "<h3 id=\"partners\">Partner ecosystem: one cover of the whole audience, beside each segment’s own picks</h3>\n<div class=\"side\">\n"
            if cover.picks.isEmpty {
                html += "<p>No partner serves a gap with real demand.</p>\n"
            } else {
                html += "<table class=\"partner-cover\"><tr><th>#</th><th>partner</th><th>new people</th><th>reached so far</th><th>gaps it closes</th><th>segments touched</th><th>also picked for</th></tr>\n"
                for (n, p) in cover.picks.enumerated() {
                    let soFar = cover.demandPeople > 0 ? Double(p.cumulativePeople) / Double(cover.demandPeople) : 0
                    html += "<tr><td class=\"n\">\(n + 1)</td><td>\(text(p.name)) <span class=\"note\">(\(text(p.kind, 30))\(p.reach > 0 ? ", reach \(WallText.count(p.reach))" : ""))</span></td>"
                    html += "<td class=\"n\">\(WallText.people(p.people))</td><td class=\"n\">\(WallText.people(p.cumulativePeople)) (\(WallText.percent(soFar)))</td>"
                    html += "<td>\(p.gapsClosed.isEmpty ? "–" : text(p.gapsClosed.joined(separator: ", "), 200))</td><td>\(p.segments.map { "S\($0)" }.joined(separator: ", "))</td>"
                    html += "<td>\(p.pickedFor.isEmpty ? "–" : p.pickedFor.map { "S\($0)" }.joined(separator: ", "))</td></tr>\n"
                }
                html += "</table>\n"
            }
            html += perSegmentPicks(wall, gaps: gaps, segment: segment) + "</div>\n"
            html += "<h3 id=\"assets-many\">Assets that serve many segments</h3>\n"
            if view.assetsServingMany.isEmpty {
                html += "<p>No asset serves more than one segment.</p>\n"
            } else {
                html += "<table class=\"assets-many\"><tr><th>asset</th><th>segments</th><th>people</th><th>serves</th></tr>\n"
                for a in view.assetsServingMany.prefix(rows) {
                    html += "<tr><td>\(text(a.name)) <span class=\"note\">(\(text(a.kind, 30)))</span></td><td>\(segments(a.segments))</td><td class=\"n\">\(WallText.people(a.people))</td><td>\(text(a.matched.joined(separator: ", "), 200))</td></tr>\n"
                }
                html += "</table>\n"
            }
            html += "<h3 id=\"assets-nobody\">Assets that serve no segment</h3>\n"
            html += view.assetsServingNobody.isEmpty ? "<p>Every asset serves at least one segment.</p>\n"
                : "<ul class=\"assets-nobody\">" + view.assetsServingNobody.map { "<li>\(text($0.name)) <span class=\"note\">(\(text($0.kind, 30)))</span></li>" }.joined() + "</ul>\n"
        } else {
            html += "<h3>Per-segment partner picks</h3>\n" + perSegmentPicks(wall, gaps: gaps, segment: segment)
        }
        return html
    }

    /// Each segment's coverage, strongest gaps and own partner candidates (greedy cover of its gaps).
    static func perSegmentPicks(_ wall: WallModel, gaps: GapReport, segment: (Int) -> String) -> String {
        var html = "<table class=\"per-segment\"><tr><th>segment</th><th>coverage</th><th>top gaps</th><th>its own partner picks</th></tr>\n"
        for column in wall.columns {
            guard let g = gaps.segments.first(where: { $0.segment == column.segment }),
                  let s = wall.insights.segments.first(where: { $0.id == column.segment }), !s.tooSmall else { continue }
            html += "<tr><td>\(segment(s.id))</td><td class=\"n\">\(WallText.percent(g.coverage))</td>"
            html += "<td><bdi>\(WallText.html(WallText.clean(g.gaps.prefix(3).map(\.interest).joined(separator: ", "), maxLength: 120)))</bdi></td>"
            html += "<td><bdi>\(WallText.html(WallText.clean(g.partners.map(\.name).joined(separator: ", "), maxLength: 160)))</bdi></td></tr>\n"
        }
        return html + "</table>\n"
    }
}
