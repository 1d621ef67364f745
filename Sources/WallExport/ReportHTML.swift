import Foundation
import SegmentInsights

/// `report.html`: one self-contained page (no network, no scripts) a strategist can hand to a client
/// or print to PDF: segment sizes and stability, cautions, the themes, the cross-segment view (missing
/// assets, the partner ecosystem beside the per-segment picks, assets serving many and none), a lift
/// heatmap with its colour scale, the 2-D segment map with labels that do not collide, the merge tree
/// on a distance axis with the theme cut, and the tag composition — inline SVG throughout.
enum ReportHTML {
    static func render(_ wall: WallModel) -> WallFile {
        let insights = wall.insights
        var html = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml">
        <head>
        <meta charset="utf-8"/>
        <title>\(WallText.htmlTitle(wall.title)) — report</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 14px; margin: 16px 0 6px; }
        svg text { font-size: 11px; font-family: system-ui, sans-serif; }
        svg { max-width: 100%; height: auto; }
        table { border-collapse: collapse; font-size: 12px; margin: 4px 0 8px; } td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .note { font-size: 12px; color: #555; }
        .side { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
        @media print {
          body { margin: 0; max-width: none; font-size: 11px; }
          @page { size: A4 landscape; margin: 12mm; }
          h2, h3 { break-after: avoid; }
          svg, table, .side { break-inside: avoid; }
          tr { break-inside: avoid; }
        }
        </style>
        </head>
        <body>
        <h1>\(WallText.htmlTitle(wall.title))</h1>
        <p>\(insights.profiles.formatted(.number.grouping(.automatic))) profiles in \(insights.segments.count) segments. Affinity index = P(interest | segment) / P(interest) × 100; 100 means as common as in the whole audience.</p>

        """
        html += "<h2 id=\"sizes\">Segment sizes</h2>\n" + sizeBars(insights)
        html += "<p class=\"stability\">Stability: how reliably a segment comes back when the audience is resampled and segmented again (bootstrap Jaccard, 0–1; 1 = always the same members); below \(String(format: "%.1f", insights.settings.unstableStability)) treat the segment as tentative.</p>\n"
        html += cautions(insights)
        html += themes(wall)
        html += ReportCrossSegment.section(wall)
        html += "<h2 id=\"heatmap\">Lift heatmap: top interests × segments</h2>\n" + heatmap(insights)
        html += "<h2 id=\"map\">Segment map</h2>\n<p>First two principal components of the segment centres; circle area ∝ size. Labels that would overlap are shortened to the segment number or left out.</p>\n" + map(insights)
        html += "<h2 id=\"tree\">Merge tree</h2>\n<p>Size-weighted Ward merges of the segment centres: segments that join further right are more different. The dashed line is the cut into the themes above.</p>\n" + tree(wall)
        html += "<h2 id=\"tags\">Tag composition</h2>\n" + tags(insights)
        html += "</body>\n</html>\n"
        return WallFile(path: "report.html", text: html)
    }

    /// Segments a reader should not act on without a second look, with the reason in words.
    static func cautions(_ insights: AudienceInsights) -> String {
        let flagged = insights.segments.filter { !$0.cautions.isEmpty }
        guard !flagged.isEmpty else { return "" }
        var html = "<h2 id=\"cautions\">Cautions</h2>\n<ul class=\"cautions\">\n"
        for s in flagged {
            html += "<li><strong>\(label(s))</strong>: \(s.cautions.map { WallText.html(WallText.clean($0, maxLength: 200)) }.joined(separator: "; "))</li>\n"
        }
        return html + "</ul>\n"
    }

    /// The themes of the wall, with their segments.
    static func themes(_ wall: WallModel) -> String {
        guard !wall.themes.isEmpty else { return "" }
        let byID = Dictionary(uniqueKeysWithValues: wall.insights.segments.map { ($0.id, $0) })
        var html = "<h2 id=\"themes\">Themes</h2>\n<p>\(WallText.html(themeRule(wall.insights.settings)))</p>\n"
        html += "<table class=\"themes\"><tr><th>theme</th><th>people</th><th>share</th><th>segments</th></tr>\n"
        for theme in wall.themes {
            html += "<tr><td><bdi>\(WallText.html(WallText.clean(theme.title, maxLength: 80)))</bdi></td><td class=\"n\">\(WallText.people(theme.size))</td><td class=\"n\">\(WallText.share(theme.share))</td><td>"
            html += theme.segments.compactMap { byID[$0] }.map { "<bdi>\(label($0))</bdi>" }.joined(separator: "; ") + "</td></tr>\n"
        }
        return html + "</table>\n"
    }

    static func themeRule(_ s: InsightSettings) -> String {
        "Themes are a cut of the merge tree into \(s.minThemes)–\(s.maxThemes) groups, where the merge height jumps most; “Other” holds segments under \(WallText.share(s.otherShare)) of the profiles or under \(s.minSegmentSize) members."
    }

    static func label(_ s: SegmentDescription) -> String { WallText.html(WallText.clean("\(s.id): \(s.label)", maxLength: 48)) }

    static func sizeBars(_ insights: AudienceInsights) -> String {
        let segments = insights.segments.sorted { $0.size != $1.size ? $0.size > $1.size : $0.id < $1.id }
        let largest = Double(max(1, segments.first?.size ?? 1))
        let rowHeight = 16.0, labelWidth = 300.0, barWidth = 460.0
        let (w, h) = (Int(labelWidth + barWidth + 220), Int(Double(segments.count) * rowHeight + 10))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sizes\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        for (row, s) in segments.enumerated() {
            let y = Double(row) * rowHeight
            let width = Double(s.size) / largest * barWidth
            svg += "<text x=\"\(Int(labelWidth - 6))\" y=\"\(fmt(y + 12))\" text-anchor=\"end\">\(label(s))</text>"
            svg += "<rect x=\"\(Int(labelWidth))\" y=\"\(fmt(y + 2))\" width=\"\(fmt(width))\" height=\"\(fmt(rowHeight - 4))\" fill=\"\(s.tooSmall ? "#bbb" : "#4c78a8")\"/>"
            let stability = s.stability.map { String(format: " · stability %.2f", $0) } ?? ""
            svg += "<text x=\"\(fmt(labelWidth + width + 4))\" y=\"\(fmt(y + 12))\">\(s.size) (\(String(format: "%.1f%%", s.share * 100)))\(stability)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The heatmap's colour for a shrunk index: log scale, 100 → white, 10,000 and above → full blue.
    static func heatColor(_ index: Double) -> String {
        let strength = min(1, max(0, log10(max(index, 100) / 100) / 2))
        let shade = Int(255 - strength * 200)
        return "rgb(\(shade),\(shade),255)"
    }

    static func heatmap(_ insights: AudienceInsights) -> String {
        let segments = insights.segments.filter { !$0.tooSmall }
        var interests: [String] = []
        for s in segments { for a in s.distinctiveInterests.prefix(2) where !interests.contains(a.interest) { interests.append(a.interest) } }
        interests = Array(interests.prefix(80))
        let cell = 14.0, left = 180.0, top = 40.0
        let (w, h) = (Int(left + Double(segments.count) * cell + 20), Int(top + Double(interests.count) * cell + 10))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        for (column, s) in segments.enumerated() {
            svg += "<text x=\"\(fmt(left + Double(column) * cell + 10))\" y=\"\(fmt(top - 4))\" transform=\"rotate(-60 \(fmt(left + Double(column) * cell + 10)) \(fmt(top - 4)))\">\(s.id)</text>"
        }
        for (row, interest) in interests.enumerated() {
            let y = top + Double(row) * cell
            svg += "<text x=\"\(Int(left - 4))\" y=\"\(fmt(y + 11))\" text-anchor=\"end\">\(WallText.html(WallText.clean(interest, maxLength: 28)))</text>"
            for (column, s) in segments.enumerated() {
                guard let a = s.distinctiveInterests.first(where: { $0.interest == interest }) else { continue }
                svg += "<rect x=\"\(fmt(left + Double(column) * cell))\" y=\"\(fmt(y))\" width=\"\(fmt(cell - 1))\" height=\"\(fmt(cell - 1))\" fill=\"\(heatColor(a.shrunkIndex))\"><title>\(WallText.html(interest)) in segment \(s.id): index \(Int(a.index.rounded())) (shrunk \(Int(a.shrunkIndex.rounded())))</title></rect>"
            }
            svg += "\n"
        }
        return svg + "</svg>\n" + heatLegend() + "<p class=\"note\">Blank cells: the interest is not distinctive there (index ≤ 100 after shrinkage, or below minimum support).</p>\n"
    }

    /// The heatmap's colour scale: swatches at 100, 200, 500, … 10,000 on the log scale the cells use.
    static func heatLegend() -> String {
        let stops: [Double] = [100, 200, 500, 1_000, 2_000, 5_000, 10_000]
        let swatch = 56.0
        let width = Int(Double(stops.count) * swatch + 240)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heat-legend\" width=\"\(width)\" height=\"40\" viewBox=\"0 0 \(width) 40\">\n"
        svg += "<text x=\"0\" y=\"24\">shrunk affinity index</text>"
        for (n, stop) in stops.enumerated() {
            let x = 140 + Double(n) * swatch
            svg += "<rect x=\"\(fmt(x))\" y=\"6\" width=\"\(fmt(swatch - 2))\" height=\"14\" fill=\"\(heatColor(stop))\" stroke=\"#999\" stroke-width=\"0.5\"/>"
            svg += "<text x=\"\(fmt(x + (swatch - 2) / 2))\" y=\"34\" text-anchor=\"middle\">\(stop >= 10_000 ? "≥ 10,000" : Int(stop).formatted(.number.grouping(.automatic)))</text>"
        }
        return svg + "\n</svg>\n"
    }

    static func map(_ insights: AudienceInsights) -> String {
        let points = insights.map
        guard !points.isEmpty, points.count == insights.segments.count else { return "" }
        let xs = points.map { $0[0] }, ys = points.map { $0[1] }
        let (minX, maxX, minY, maxY) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        let width = 960.0, height = 620.0, pad = 60.0
        func sx(_ x: Double) -> Double { pad + (maxX > minX ? (x - minX) / (maxX - minX) : 0.5) * (width - 2 * pad) }
        func sy(_ y: Double) -> Double { height - pad - (maxY > minY ? (y - minY) / (maxY - minY) : 0.5) * (height - 2 * pad) }
        let largest = Double(max(1, insights.segments.map(\.size).max() ?? 1))
        // Largest segments are labelled first.
        let order = insights.segments.indices.sorted {
            let (a, b) = (insights.segments[$0], insights.segments[$1])
            return a.size != b.size ? a.size > b.size : a.id < b.id
        }
        let circles = order.map { i -> LabelPlacement.Point in
            let s = insights.segments[i]
            return LabelPlacement.Point(x: sx(points[i][0]), y: sy(points[i][1]), radius: 3 + 14 * (Double(s.size) / largest).squareRoot(),
                                        label: WallText.clean("\(s.id): \(s.label)", maxLength: 40), shortLabel: "\(s.id)")
        }
        let placed = LabelPlacement.place(circles, bounds: .init(x: 2, y: 2, width: width - 4, height: height - 4))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for (n, c) in circles.enumerated() {
            svg += "<circle cx=\"\(fmt(c.x))\" cy=\"\(fmt(c.y))\" r=\"\(fmt(c.radius))\" fill=\"#f58518\" fill-opacity=\"0.6\"><title>\(label(insights.segments[order[n]]))</title></circle>\n"
        }
        for p in placed {
            // The label's box is exactly the one placed: its width is fixed with textLength.
            svg += "<text class=\"label\" x=\"\(fmt(p.box.x))\" y=\"\(fmt(p.box.y + LabelPlacement.lineHeight - 2.5))\" textLength=\"\(fmt(p.box.width))\" lengthAdjust=\"spacingAndGlyphs\">\(WallText.html(p.text))</text>\n"
        }
        svg += "</svg>\n"
        let full = Set(placed.filter { $0.text == circles[$0.point].label }.map(\.point))
        let short = order.indices.filter { !full.contains($0) }.map { insights.segments[order[$0]] }
        if !short.isEmpty {
            svg += "<p class=\"note\">Shown by number or unlabelled for lack of room: " + short.map { "<bdi>\(label($0))</bdi>" }.joined(separator: "; ") + ".</p>\n"
        }
        return svg
    }

    static func tree(_ wall: WallModel) -> String {
        let insights = wall.insights
        let k = insights.segments.count, steps = insights.mergeTree
        guard k > 1, !steps.isEmpty, steps.count == k - 1 else { return "" }
        // Leaf order: a depth-first walk from the root, so branches do not cross.
        var children: [Int: (Int, Int)] = [:]
        for (t, step) in steps.enumerated() { children[k + t] = (step.left, step.right) }
        var order: [Int] = []
        var stack = [k + steps.count - 1]
        while let node = stack.popLast() {
            if let (l, r) = children[node] { stack.append(r); stack.append(l) } else { order.append(node) }
        }
        var themeOf: [Int: String] = [:]
        for theme in wall.themes { for s in theme.segments { themeOf[s] = theme.kind == .other ? "other" : theme.letter } }
        let leafGap = 16.0, left = 330.0, width = 520.0, axis = 44.0
        let maxHeight = (steps.map(\.distance).max() ?? 1).squareRoot()
        let ticks = niceTicks(upTo: maxHeight)
        let scale = max(maxHeight, ticks.last ?? maxHeight)
        func x(_ height: Double) -> Double { left + (scale > 0 ? height / scale : 0) * width }
        var position: [Int: (x: Double, y: Double)] = [:]
        for (row, leaf) in order.enumerated() { position[leaf] = (left, Double(row) * leafGap + 10) }
        let plotBottom = Double(k) * leafGap + 4
        let (w, h) = (Int(left + width + 40), Int(plotBottom + axis))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tree\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        for leaf in order where leaf < insights.segments.count {
            let theme = themeOf[insights.segments[leaf].id].map { " [\($0)]" } ?? ""
            svg += "<text x=\"\(Int(left - 6))\" y=\"\(fmt(position[leaf]!.y + 4))\" text-anchor=\"end\">\(label(insights.segments[leaf]))\(WallText.html(theme))</text>\n"
        }
        for (t, step) in steps.enumerated() {
            guard let a = position[step.left], let b = position[step.right] else { continue }
            let mx = x(step.distance.squareRoot())
            svg += "<path d=\"M\(fmt(a.x)) \(fmt(a.y)) H\(fmt(mx)) V\(fmt(b.y)) H\(fmt(b.x))\" fill=\"none\" stroke=\"#555\"/>\n"
            position[k + t] = (mx, (a.y + b.y) / 2)
        }
        // The distance axis.
        svg += "<g class=\"axis\"><line x1=\"\(fmt(left))\" y1=\"\(fmt(plotBottom))\" x2=\"\(fmt(left + width))\" y2=\"\(fmt(plotBottom))\" stroke=\"#333\"/>"
        for tick in ticks {
            svg += "<line x1=\"\(fmt(x(tick)))\" y1=\"\(fmt(plotBottom))\" x2=\"\(fmt(x(tick)))\" y2=\"\(fmt(plotBottom + 4))\" stroke=\"#333\"/>"
            svg += "<text x=\"\(fmt(x(tick)))\" y=\"\(fmt(plotBottom + 15))\" text-anchor=\"middle\">\(tickText(tick))</text>"
        }
        svg += "<text x=\"\(fmt(left + width / 2))\" y=\"\(fmt(plotBottom + 32))\" text-anchor=\"middle\">merge distance: √(Ward cost of the unit-length profiles)</text></g>\n"
        if let cut = SegmentThemes.cutHeight(insights) {
            svg += "<line class=\"cut\" x1=\"\(fmt(x(cut)))\" y1=\"0\" x2=\"\(fmt(x(cut)))\" y2=\"\(fmt(plotBottom))\" stroke=\"#c2185b\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(fmt(x(cut) + 4))\" y=\"10\" fill=\"#c2185b\">themes</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// 4–8 round tick values from 0 to at least `top` (steps of 1, 2 or 5 × 10ⁿ).
    static func niceTicks(upTo top: Double) -> [Double] {
        guard top > 0, top.isFinite else { return [0] }
        let raw = top / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let count = Int((top / step).rounded(.up))
        return (0...count).map { Double($0) * step }
    }

    static func tickText(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e12 ? Int(x).formatted(.number.grouping(.automatic)) : String(format: "%.2g", x)
    }

    static func tags(_ insights: AudienceInsights) -> String {
        guard let names = insights.segments.first?.tags.map(\.tag), !names.isEmpty else { return "<p>No tags in the input.</p>\n" }
        let palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]
        let rowHeight = 16.0, left = 300.0, width = 500.0
        let (w, h) = (Int(left + width + 20), Int(Double(insights.segments.count) * rowHeight + 30))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tags\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        for (t, name) in names.enumerated() {
            svg += "<rect x=\"\(Int(left) + t * 110)\" y=\"0\" width=\"10\" height=\"10\" fill=\"\(palette[t % palette.count])\"/><text x=\"\(Int(left) + t * 110 + 14)\" y=\"9\">\(WallText.html(WallText.clean(name, maxLength: 14)))</text>"
        }
        svg += "\n"
        for (row, s) in insights.segments.enumerated() {
            let y = 20 + Double(row) * rowHeight
            svg += "<text x=\"\(Int(left - 6))\" y=\"\(fmt(y + 11))\" text-anchor=\"end\">\(label(s))</text>"
            var x = left
            for (t, tag) in s.tags.enumerated() {
                let w = tag.share * width
                svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y + 2))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 4))\" fill=\"\(palette[t % palette.count])\"><title>\(WallText.html(tag.tag)): \(tag.count) (index \(Int(tag.index.rounded())))</title></rect>"
                x += w
            }
            svg += "\n"
        }
        return svg + "</svg>\n"
    }

    static func fmt(_ x: Double) -> String { String(format: "%.1f", x) }
}
