import Foundation
import SegmentInsights

/// `report.html`: one self-contained page (no network, no scripts) with inline SVG charts: segment
/// sizes, a lift heatmap of top interests × segments, the 2-D segment map, the merge tree and the tag
/// composition.
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
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        svg text { font-size: 11px; font-family: system-ui, sans-serif; }
        table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
        </style>
        </head>
        <body>
        <h1>\(WallText.htmlTitle(wall.title))</h1>
        <p>\(insights.profiles.formatted(.number.grouping(.automatic))) profiles in \(insights.segments.count) segments. Affinity index = P(interest | segment) / P(interest) × 100; 100 means as common as in the whole audience.</p>

        """
        html += "<h2 id=\"sizes\">Segment sizes</h2>\n" + sizeBars(insights)
        html += "<p>Stability is the mean best-match Jaccard of each segment's members under bootstrap re-fits: 1 means every re-fit found the same segment; below 0.6 a segment dissolves under resampling and should be treated as tentative.</p>\n"
        html += cautions(insights)
        html += "<h2 id=\"heatmap\">Lift heatmap: top interests × segments</h2>\n" + heatmap(insights)
        html += "<h2 id=\"map\">Segment map</h2>\n<p>First two principal components of the segment centres; circle area ∝ size.</p>\n" + map(insights)
        html += "<h2 id=\"tree\">Merge tree</h2>\n<p>Size-weighted Ward merges of the segment centres: cut lower to keep more segments.</p>\n" + tree(insights)
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

    static func label(_ s: SegmentDescription) -> String { WallText.html(WallText.clean("\(s.id): \(s.label)", maxLength: 48)) }

    static func sizeBars(_ insights: AudienceInsights) -> String {
        let segments = insights.segments.sorted { $0.size != $1.size ? $0.size > $1.size : $0.id < $1.id }
        let largest = Double(max(1, segments.first?.size ?? 1))
        let rowHeight = 16.0, labelWidth = 300.0, barWidth = 460.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sizes\" width=\"\(Int(labelWidth + barWidth + 220))\" height=\"\(Int(Double(segments.count) * rowHeight + 10))\">\n"
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

    static func heatmap(_ insights: AudienceInsights) -> String {
        let segments = insights.segments.filter { !$0.tooSmall }
        var interests: [String] = []
        for s in segments { for a in s.distinctiveInterests.prefix(2) where !interests.contains(a.interest) { interests.append(a.interest) } }
        interests = Array(interests.prefix(80))
        let cell = 14.0, left = 180.0, top = 40.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"\(Int(left + Double(segments.count) * cell + 20))\" height=\"\(Int(top + Double(interests.count) * cell + 10))\">\n"
        for (column, s) in segments.enumerated() {
            svg += "<text x=\"\(fmt(left + Double(column) * cell + 10))\" y=\"\(fmt(top - 4))\" transform=\"rotate(-60 \(fmt(left + Double(column) * cell + 10)) \(fmt(top - 4)))\">\(s.id)</text>"
        }
        for (row, interest) in interests.enumerated() {
            let y = top + Double(row) * cell
            svg += "<text x=\"\(Int(left - 4))\" y=\"\(fmt(y + 11))\" text-anchor=\"end\">\(WallText.html(WallText.clean(interest, maxLength: 28)))</text>"
            for (column, s) in segments.enumerated() {
                guard let a = s.distinctiveInterests.first(where: { $0.interest == interest }) else { continue }
                // Colour by log index: 100 → white, 10,000 → full.
                let strength = min(1, max(0, log10(max(a.shrunkIndex, 100) / 100) / 2))
                let shade = Int(255 - strength * 200)
                svg += "<rect x=\"\(fmt(left + Double(column) * cell))\" y=\"\(fmt(y))\" width=\"\(fmt(cell - 1))\" height=\"\(fmt(cell - 1))\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(WallText.html(interest)) in segment \(s.id): index \(Int(a.index.rounded()))</title></rect>"
            }
            svg += "\n"
        }
        return svg + "</svg>\n<p>Blank cells: the interest is not distinctive there (index ≤ 100 after shrinkage, or below minimum support).</p>\n"
    }

    static func map(_ insights: AudienceInsights) -> String {
        let points = insights.map
        guard !points.isEmpty else { return "" }
        let xs = points.map { $0[0] }, ys = points.map { $0[1] }
        let (minX, maxX, minY, maxY) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        let size = 520.0, pad = 40.0
        func sx(_ x: Double) -> Double { pad + (maxX > minX ? (x - minX) / (maxX - minX) : 0.5) * (size - 2 * pad) }
        func sy(_ y: Double) -> Double { size - pad - (maxY > minY ? (y - minY) / (maxY - minY) : 0.5) * (size - 2 * pad) }
        let largest = Double(max(1, insights.segments.map(\.size).max() ?? 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"\(Int(size + 200))\" height=\"\(Int(size))\">\n"
        for (s, point) in zip(insights.segments, points) {
            let r = 3 + 14 * (Double(s.size) / largest).squareRoot()
            svg += "<circle cx=\"\(fmt(sx(point[0])))\" cy=\"\(fmt(sy(point[1])))\" r=\"\(fmt(r))\" fill=\"#f58518\" fill-opacity=\"0.6\"><title>\(label(s))</title></circle>"
            svg += "<text x=\"\(fmt(sx(point[0]) + r + 2))\" y=\"\(fmt(sy(point[1]) + 4))\">\(label(s))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func tree(_ insights: AudienceInsights) -> String {
        let k = insights.segments.count, steps = insights.mergeTree
        guard k > 1, !steps.isEmpty else { return "" }
        // Leaf order: a depth-first walk from the root, so branches do not cross.
        var children: [Int: (Int, Int)] = [:]
        for (t, step) in steps.enumerated() { children[k + t] = (step.left, step.right) }
        var order: [Int] = []
        var stack = [k + steps.count - 1]
        while let node = stack.popLast() {
            if let (l, r) = children[node] { stack.append(r); stack.append(l) } else { order.append(node) }
        }
        let leafGap = 16.0, left = 300.0, width = 500.0
        let maxHeight = (steps.map(\.distance).max() ?? 1).squareRoot()
        var position: [Int: (x: Double, y: Double)] = [:]
        for (row, leaf) in order.enumerated() { position[leaf] = (left, Double(row) * leafGap + 10) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tree\" width=\"\(Int(left + width + 20))\" height=\"\(Int(Double(k) * leafGap + 20))\">\n"
        for leaf in order {
            svg += "<text x=\"\(Int(left - 6))\" y=\"\(fmt(position[leaf]!.y + 4))\" text-anchor=\"end\">\(label(insights.segments[leaf]))</text>\n"
        }
        for (t, step) in steps.enumerated() {
            let a = position[step.left]!, b = position[step.right]!
            let x = left + (maxHeight > 0 ? step.distance.squareRoot() / maxHeight : 0) * width
            svg += "<path d=\"M\(fmt(a.x)) \(fmt(a.y)) H\(fmt(x)) V\(fmt(b.y)) H\(fmt(b.x))\" fill=\"none\" stroke=\"#555\"/>\n"
            position[k + t] = (x, (a.y + b.y) / 2)
        }
        return svg + "</svg>\n"
    }

    static func tags(_ insights: AudienceInsights) -> String {
        guard let names = insights.segments.first?.tags.map(\.tag), !names.isEmpty else { return "<p>No tags in the input.</p>\n" }
        let palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]
        let rowHeight = 16.0, left = 300.0, width = 500.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tags\" width=\"\(Int(left + width + 20))\" height=\"\(Int(Double(insights.segments.count) * rowHeight + 30))\">\n"
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
