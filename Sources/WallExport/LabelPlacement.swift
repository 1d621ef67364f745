/// Places the labels of a scatter plot so that no two overlap: each label, most important first, takes
/// the first of eight spots around its point (right, left, above, below, then the corners) where it
/// meets no label already placed, no other point and stays inside the plot; failing that, the same spots
/// for a short label (the segment number, which may cover another point but never a label); failing
/// that, the point stays unlabelled (thinned).
///
/// Widths are estimated per character (`estimatedWidth`) and the SVG draws each label at exactly that
/// width (`textLength`), so the boxes placed here are the boxes a browser renders.
enum LabelPlacement {
    struct Box: Equatable {
        var x: Double, y: Double, width: Double, height: Double
        func intersects(_ o: Box) -> Bool {
            x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height
        }
        /// The box grown by `d` on every side.
        func inflated(_ d: Double) -> Box { Box(x: x - d, y: y - d, width: width + 2 * d, height: height + 2 * d) }
    }
    struct Point { var x: Double; var y: Double; var radius: Double; var label: String; var shortLabel: String }
    struct Placed { var point: Int; var text: String; var box: Box }

    /// Label font size and line box height, CSS pixels.
    static let fontSize = 11.0, lineHeight = 13.0
    /// Room kept between two labels (a rendered line box can overhang the placed one by a pixel).
    static let padding = 2.0

    /// `points` in priority order (the first is placed first); returns one entry per labelled point.
    static func place(_ points: [Point], bounds: Box) -> [Placed] {
        var placed: [Placed] = []
        let discs = points.map { Box(x: $0.x - $0.radius, y: $0.y - $0.radius, width: 2 * $0.radius, height: 2 * $0.radius) }
        for (n, point) in points.enumerated() {
            for text in [point.label, point.shortLabel] {
                let w = estimatedWidth(text), h = lineHeight, r = point.radius, gap = 2.0
                let candidates = [
                    Box(x: point.x + r + gap, y: point.y - h / 2, width: w, height: h),
                    Box(x: point.x - r - gap - w, y: point.y - h / 2, width: w, height: h),
                    Box(x: point.x - w / 2, y: point.y - r - gap - h, width: w, height: h),
                    Box(x: point.x - w / 2, y: point.y + r + gap, width: w, height: h),
                    Box(x: point.x + r * 0.7, y: point.y - r * 0.7 - h, width: w, height: h),
                    Box(x: point.x + r * 0.7, y: point.y + r * 0.7, width: w, height: h),
                    Box(x: point.x - r * 0.7 - w, y: point.y - r * 0.7 - h, width: w, height: h),
                    Box(x: point.x - r * 0.7 - w, y: point.y + r * 0.7, width: w, height: h),
                ]
                let spot = candidates.first { box in
                    box.x >= bounds.x && box.y >= bounds.y && box.x + box.width <= bounds.x + bounds.width && box.y + box.height <= bounds.y + bounds.height
                        && !placed.contains { $0.box.inflated(padding).intersects(box) }
                        && (text == point.shortLabel || !discs.enumerated().contains { $0.offset != n && $0.element.intersects(box) })
                }
                if let spot {
                    placed.append(Placed(point: n, text: text, box: spot))
                    break
                }
            }
        }
        return placed
    }

    /// A generous width for `text` at `fontSize` in a sans-serif face: narrow letters 0.3 em, capitals
    /// and wide signs 0.8 em, wide scripts and emoji 1.1 em, everything else 0.6 em.
    static func estimatedWidth(_ text: String) -> Double {
        var em = 0.0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark || v == 0x200D || (0xFE00...0xFE0F).contains(v) { continue }
            if "iljtf.,:;'|!() ".unicodeScalars.contains(scalar) { em += 0.3 } else if "mwMW@#%&".unicodeScalars.contains(scalar) || (65...90).contains(v) { em += 0.85 } else if v >= 0x1100 && (scalar.properties.isEmojiPresentation || (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || v >= 0x1F000) { em += 1.1 } else { em += 0.6 }
        }
        return (em * fontSize).rounded(.up)
    }
}
