import Foundation

/// `wall.html`: a printable customer-innovation wall — one column per segment with its card, the assets
/// it has, its gaps and its partner candidates, coloured by card kind. Self-contained, no scripts.
enum WallHTML {
    static func render(_ wall: WallModel) -> WallFile {
        var html = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml">
        <head>
        <meta charset="utf-8"/>
        <title>\(WallText.htmlTitle(wall.title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
        h1 { font-size: 20px; margin: 0 0 4px; }
        .legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border-radius: 3px; font-size: 12px; }
        .wall { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; align-items: flex-start; }
        .column { width: 220px; break-inside: avoid; page-break-inside: avoid; }
        .card { border-radius: 4px; padding: 8px; margin-bottom: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.2); font-size: 12px; overflow-wrap: anywhere; }
        .card h2 { font-size: 13px; margin: 0 0 4px; }
        .card p { margin: 0; }
        @media print { body { margin: 0; } @page { size: A3 landscape; margin: 10mm; } .card { box-shadow: none; border: 1px solid #999; } }

        """
        for kind in CardKind.allCases { html += ".\(kind.rawValue) { background: \(kind.hexColor); }\n" }
        html += "</style>\n</head>\n<body>\n<h1>\(WallText.htmlTitle(wall.title))</h1>\n<div class=\"legend\">"
        for kind in CardKind.allCases { html += "<span class=\"\(kind.rawValue)\">\(kind.rawValue)</span>" }
        html += "</div>\n<div class=\"wall\">\n"
        for column in wall.columns {
            html += "<section class=\"column\" data-segment=\"\(column.segment)\">\n"
            for card in column.cards {
                html += "<div class=\"card \(card.kind.rawValue)\" id=\"card-\(card.id)\"><h2><bdi>\(WallText.html(card.title))</bdi></h2><p><bdi>\(WallText.html(card.body))</bdi></p></div>\n"
            }
            html += "</section>\n"
        }
        html += "</div>\n</body>\n</html>\n"
        return WallFile(path: "wall.html", text: html)
    }
}
