import Foundation
import SegmentInsights

/// `sweep.html`: one small SVG line chart per measure against k, the recommended k marked. No scripts.
public enum SweepHTML {
    public static func render(_ points: [SweepPoint], recommended: Int?, reasons: [String], title: String) -> WallFile {
        var html = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml">
        <head>
        <meta charset="utf-8"/>
        <title>\(WallText.htmlTitle(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        svg text { font-size: 11px; font-family: system-ui, sans-serif; }
        </style>
        </head>
        <body>
        <h1>\(WallText.html(title))</h1>

        """
        if !reasons.isEmpty {
            html += "<p><strong>" + (recommended.map { "Recommended k = \($0)" } ?? "No k stands out") + "</strong></p>\n<ul>\n"
                + reasons.map { "<li>\(WallText.html($0))</li>\n" }.joined() + "</ul>\n"
        }
        html += "<div class=\"charts\">\n"
        let measures: [(String, (SweepPoint) -> Double, String)] = [
            ("objective", { $0.objective }, "lower is tighter"), ("silhouette", { $0.silhouette }, "higher is better"),
            ("Calinski–Harabasz", { $0.calinskiHarabasz }, "higher is better"), ("Davies–Bouldin", { $0.daviesBouldin }, "lower is better"),
            ("seed agreement (ARI)", { $0.stability }, "higher is more reproducible"),
        ]
        for (name, value, hint) in measures { html += chart(points, name: name, hint: hint, value: value, recommended: recommended) }
        html += "</div>\n</body>\n</html>\n"
        return WallFile(path: "sweep.html", text: html)
    }

    static func chart(_ points: [SweepPoint], name: String, hint: String, value: (SweepPoint) -> Double, recommended: Int?) -> String {
        let width = 320.0, height = 200.0, left = 50.0, bottom = 30.0, top = 30.0
        let values = points.map(value).filter(\.isFinite)
        guard let lo = values.min(), let hi = values.max(), let kMin = points.map(\.k).min(), let kMax = points.map(\.k).max() else { return "" }
        func x(_ k: Int) -> Double { left + (kMax > kMin ? Double(k - kMin) / Double(kMax - kMin) : 0.5) * (width - left - 10) }
        func y(_ v: Double) -> Double { top + (hi > lo ? (hi - v) / (hi - lo) : 0.5) * (height - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sweep-chart\" width=\"\(Int(width))\" height=\"\(Int(height))\">"
        svg += "<text x=\"\(Int(left))\" y=\"14\">\(WallText.html(name)) (\(WallText.html(hint)))</text>"
        let path = points.filter { value($0).isFinite }.map { "\(f(x($0.k))),\(f(y(value($0))))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#4c78a8\" stroke-width=\"2\"/>"
        for p in points where value(p).isFinite {
            svg += "<circle cx=\"\(f(x(p.k)))\" cy=\"\(f(y(value(p))))\" r=\"\(p.k == recommended ? 5 : 3)\" fill=\"\(p.k == recommended ? "#e45756" : "#4c78a8")\"><title>k = \(p.k): \(String(format: "%.4g", value(p)))</title></circle>"
            svg += "<text x=\"\(f(x(p.k)))\" y=\"\(Int(height - 10))\" text-anchor=\"middle\">\(p.k)</text>"
        }
        svg += "<text x=\"4\" y=\"\(f(y(hi) + 4))\">\(String(format: "%.3g", hi))</text><text x=\"4\" y=\"\(f(y(lo) + 4))\">\(String(format: "%.3g", lo))</text>"
        return svg + "</svg>\n"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
