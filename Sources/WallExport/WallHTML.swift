import Foundation
import SegmentInsights

/// `wall.html`: the workshop wall on one board — themes left to right (each a group of sub-columns of
/// segment stacks: the segment card, its gaps with real demand, partner candidates and assets), the
/// "other" group of small segments, then the cross-segment section (missing assets, the partner
/// ecosystem, assets serving many and none). It follows the `WallModel` layout (the same groups, lanes
/// and order the board exports use) and prints as one poster page: A1 landscape when the board fits
/// it at full size, otherwise A0 landscape, scaled down (CSS `zoom`) when it is larger still.
/// Self-contained, no scripts.
enum WallHTML {
    /// CSS pixels (96 per inch): a lane (sub-column) and the gaps around it.
    static let laneWidth = 270.0, laneGap = 10.0, groupPadding = 10.0, groupGap = 24.0, bodyMargin = 16.0
    /// Printable area of the poster pages (10 mm margins), in CSS pixels.
    static let a1 = (width: 821.0 / 25.4 * 96, height: 574.0 / 25.4 * 96)
    static let a0 = (width: 1169.0 / 25.4 * 96, height: 821.0 / 25.4 * 96)

    static func render(_ wall: WallModel) -> WallFile {
        let size = boardSize(wall)
        let fitsA1 = size.width <= a1.width && size.height <= a1.height
        let page = fitsA1 ? "A1" : "A0"
        // Browsers know the A3–A5 keywords, not A0/A1: the sizes are spelled out.
        let pageSize = fitsA1 ? "841mm 594mm" : "1189mm 841mm"
        let scale = fitsA1 ? 1 : min(1, a0.width / size.width, a0.height / size.height)
        var html = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml">
        <head>
        <meta charset="utf-8"/>
        <title>\(WallText.htmlTitle(wall.title))</title>
        <style>
        * { box-sizing: border-box; }
        body { font-family: system-ui, sans-serif; margin: \(Int(bodyMargin))px; color: #222; }
        .board { width: \(Int(size.width.rounded(.up)))px; }
        h1 { font-size: 26px; margin: 0 0 6px; }
        .explain { font-size: 13px; margin: 0 0 6px; max-width: 1400px; }
        .legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border-radius: 3px; font-size: 13px; border: 1px solid #999; }
        .groups { display: flex; gap: \(Int(groupGap))px; align-items: flex-start; margin-top: 10px; }
        .group { border: 2px solid #888; border-radius: 6px; padding: \(Int(groupPadding))px; background: #fafafa; }
        .group.other { border-style: dashed; }
        .group.cross-segment { border-color: #c2185b; background: #fff5f8; }
        .group > h2 { font-size: 17px; margin: 0 0 8px; max-width: 100%; overflow-wrap: anywhere; }
        .group > h2 small { font-weight: normal; font-size: 13px; color: #555; }
        .lanes { display: flex; gap: \(Int(laneGap))px; align-items: flex-start; }
        .lane { width: \(Int(laneWidth))px; display: flex; flex-direction: column; gap: 10px; }
        .column { display: flex; flex-direction: column; gap: 4px; }
        .column > h3 { font-size: 14px; margin: 0; }
        .card { border-radius: 4px; padding: 6px 7px; box-shadow: 0 1px 2px rgba(0,0,0,.25); font-size: 12px; line-height: 1.25; overflow-wrap: anywhere; }
        .card h4 { font-size: 13px; margin: 0 0 3px; line-height: 1.2; }
        .card p { margin: 0; }
        .card.flagged { border: 3px solid #c62828; }
        .flags { margin: 0 0 4px; }
        .flag { display: inline-block; background: #c62828; color: #fff; font-weight: 700; font-size: 12px; padding: 1px 5px; border-radius: 3px; margin: 0 4px 2px 0; }
        .facts { font-weight: 600; margin-bottom: 3px; }
        .interests { list-style: none; margin: 0; padding: 0; }
        .interests li { margin: 1px 0; }
        .interests .idx { color: #555; }
        .interests .status { font-weight: 600; }
        .interests li.unmet { background: #ffe3ee; }
        .interests li.unmet .status { color: #ad1457; }
        .interests li.served .status { color: #2e7d32; }
        @page { size: \(pageSize); margin: 10mm; } /* \(page) landscape */
        @media print {
          body { margin: 0; }
          .board { zoom: \(String(format: "%.3f", scale * 0.98)); }
          .card { box-shadow: none; border: 1px solid #999; }
          .card.flagged { border: 3px solid #c62828; }
          .group, .card { break-inside: avoid; }
        }

        """
        for kind in CardKind.allCases { html += ".\(kind.rawValue) { background: \(kind.hexColor); }\n" }
        html += "</style>\n</head>\n<body>\n<div class=\"board\" data-page=\"\(page)\" data-zoom=\"\(String(format: "%.3f", scale * 0.98))\">\n<h1>\(WallText.htmlTitle(wall.title))</h1>\n"
        html += "<p class=\"explain\">\(WallText.html(explanation(wall)))</p>\n<div class=\"legend\">"
        let legend: [(CardKind, String)] = [(.segment, "segment"), (.gap, "missing asset (gap with real demand)"), (.partner, "partner candidate"),
                                            (.asset, "asset we have"), (.small, "small segment / no use")]
        for (kind, text) in legend { html += "<span class=\"\(kind.rawValue)\">\(text)</span>" }
        html += "<span class=\"flag\">⚠ FLAG</span> unstable or overlapping: treat as tentative</div>\n<div class=\"groups\">\n"
        for group in wall.groups {
            html += "<section class=\"group \(group.kind.rawValue)\" data-key=\"\(group.key)\">\n<h2><bdi>\(WallText.html(group.title))</bdi>"
            if group.kind != .crossSegment {
                html += " <small>\(group.segments.count) segment\(group.segments.count == 1 ? "" : "s") · \(WallText.people(group.size)) people · \(WallText.share(group.share))</small>"
            }
            html += "</h2>\n<div class=\"lanes\">\n"
            for lane in group.lanes {
                html += "<div class=\"lane\">\n"
                for c in lane {
                    let column = group.kind == .crossSegment ? wall.crossSegmentColumns[c] : wall.columns[c]
                    if group.kind == .crossSegment {
                        html += "<section class=\"cross\"><div class=\"column\"><h3>\(WallText.html(column.title))</h3>\n"
                        for card in column.cards { html += render(card) }
                        html += "</div></section>\n"
                    } else {
                        html += "<section class=\"column\" data-segment=\"\(column.segment)\">\n"
                        for card in column.cards { html += render(card) }
                        html += "</section>\n"
                    }
                }
                html += "</div>\n"
            }
            html += "</div>\n</section>\n"
        }
        html += "</div>\n</div>\n</body>\n</html>\n"
        return WallFile(path: "wall.html", text: html)
    }

    static func render(_ card: WallCard) -> String {
        let flagged = card.flags.isEmpty ? "" : " flagged"
        var html = "<div class=\"card \(card.kind.rawValue)\(flagged)\" id=\"card-\(card.id)\">"
        guard card.kind == .segment, !card.facts.isEmpty else {
            return html + "<h4><bdi>\(WallText.html(card.title))</bdi></h4><p><bdi>\(WallText.html(card.body))</bdi></p></div>\n"
        }
        if !card.flags.isEmpty {
            html += "<p class=\"flags\">" + card.flags.map { "<span class=\"flag\">⚠ \(WallText.html($0))</span>" }.joined() + "</p>"
        }
        html += "<h4><bdi>\(WallText.html(card.title))</bdi></h4><p class=\"facts\">\(WallText.html(card.facts))</p><ul class=\"interests\">"
        for item in card.interests {
            let status = item.linked ? (item.servedBy.isEmpty ? "unmet" : "served") : "unlinked"
            html += "<li class=\"\(status)\"><bdi>\(WallText.html(item.interest))</bdi> <span class=\"idx\">\(Int(item.index.rounded()))</span>"
            if item.linked { html += " <span class=\"status\"><bdi>\(WallText.html(item.status))</bdi></span>" }
            html += "</li>"
        }
        return html + "</ul></div>\n"
    }

    /// One paragraph: what the groups, coverage, gap cards and flags mean, with the thresholds in force.
    static func explanation(_ wall: WallModel) -> String {
        let s = wall.insights.settings
        var text = "Themes group the segments that stay apart longest in the merge tree (\(s.minThemes)–\(s.maxThemes) themes); "
        text += "“Other” holds segments under \(WallText.share(s.otherShare)) of the profiles or under \(s.minSegmentSize) members. "
        text += "Each segment card shows its size, share and coverage (the share of its demand — its distinctive interests weighted by score — that an asset serves) "
        text += "and marks its top interests served by an asset or a gap (index in grey: 100 = as common as in the whole audience). "
        text += "Pink cards are gaps with real demand only: followed by at least \(WallText.percent(s.gapMinPrevalence)) of the segment with an index of at least \(Int(s.gapMinIndex)). "
        text += "⚠ flags: stability below \(String(format: "%.2f", s.unstableStability)) (the segment does not come back when the audience is resampled) or profile similarity of \(String(format: "%.2f", s.overlapSimilarity)) or more to another segment."
        return text
    }

    /// Width and (estimated, on the generous side) height of the board in CSS pixels.
    static func boardSize(_ wall: WallModel) -> (width: Double, height: Double) {
        var width = 0.0, height = 0.0
        for group in wall.groups {
            let lanes = Double(max(1, group.lanes.count))
            width += lanes * laneWidth + (lanes - 1) * laneGap + 2 * groupPadding + 4
            var tallest = 0.0
            for lane in group.lanes {
                var h = 0.0
                for c in lane {
                    let column = group.kind == .crossSegment ? wall.crossSegmentColumns[c] : wall.columns[c]
                    if group.kind == .crossSegment { h += 20 }
                    h += column.cards.reduce(0) { $0 + cardHeight($1) + 4 } + 10
                }
                tallest = max(tallest, h)
            }
            height = max(height, tallest + textHeight(group.title, font: 17, width: lanes * laneWidth) + 10 + 2 * groupPadding + 4)
        }
        width += Double(max(0, wall.groups.count - 1)) * groupGap
        let header = 40 + textHeight(explanation(wall), font: 13, width: min(1400, max(width, 600))) + 60
        return (max(width, 600), height + header)
    }

    /// A card's height: 2 × 6 px padding plus its lines, at a generous 0.6 em per character.
    static func cardHeight(_ card: WallCard) -> Double {
        let inner = laneWidth - 16
        var h = 14.0 + textHeight(card.title, font: 13, width: inner) + 3
        if card.kind == .segment && !card.facts.isEmpty {
            if !card.flags.isEmpty { h += 24 * Double(lines(card.flags.joined(separator: "    "), font: 12, width: inner)) }
            h += textHeight(card.facts, font: 12, width: inner) + 3
            for item in card.interests { h += textHeight("\(item.interest) \(Int(item.index)) \(item.status)", font: 12, width: inner) + 2 }
        } else {
            h += textHeight(card.body, font: 12, width: inner)
        }
        return h
    }

    static func lines(_ text: String, font: Double, width: Double) -> Int {
        let perLine = max(1, Int(width / (font * 0.6)))
        return max(1, (text.count + perLine - 1) / perLine)
    }

    static func textHeight(_ text: String, font: Double, width: Double) -> Double {
        Double(lines(text, font: font, width: width)) * font * 1.3
    }
}
