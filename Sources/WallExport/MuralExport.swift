import Foundation

/// Mural: the REST calls that build the wall on a mural: one area per group (`createarea`), then the
/// sticky notes (`createstickynote`, at most 1,000 a call), each inside its area (`parentId` is the id
/// Mural returned for the area). A sticky's visible `text` starts with the card's name; `title` (shown
/// only in the outline) repeats it.
enum MuralExport {
    static let folder = "mural-stickies"
    /// Sticky notes per call: "Create one or more sticky note widgets on a mural. Limit 1000."
    static let batchLimit = 1000

    /// Area geometry (px, whole numbers): stickies are `cardWidth` × `cardHeight` with 40 px between them.
    enum Layout {
        static let cardWidth = 360, cardHeight = 200, gap = 40, padding = 40, titleSpace = 100, areaGap = 200
        static func areaSize(columns: Int, rows: Int) -> (width: Int, height: Int) {
            (2 * padding + columns * cardWidth + (columns - 1) * gap,
             titleSpace + max(rows, 1) * cardHeight + (max(rows, 1) - 1) * gap + padding)
        }
        /// A sticky's top-left corner relative to its area's top-left corner.
        static func sticky(column: Int, row: Int) -> (x: Int, y: Int) {
            (padding + column * (cardWidth + gap), titleSpace + row * (cardHeight + gap))
        }
    }

    struct Area: Encodable {
        var x: Int, y: Int, width: Int, height: Int
        var title: String
        var showTitle = true
        var layout = "free"
        var style = ["backgroundColor": "#F5F6F8FF"]
    }
    struct Sticky: Encodable {
        var shape = "rectangle"
        var x: Int, y: Int
        var width: Int, height: Int
        var title: String
        var text: String
        var parentId: String
        var style: [String: String]
    }

    static func areaKey(_ group: BoardGroup) -> String { "area:" + group.key }
    static func cardKey(_ card: WallCard) -> String { "card:" + card.id }

    /// The text on the sticky: its name, a line break, then the details.
    static func text(_ card: WallCard) -> String { card.title + "\n" + card.body }

    /// `mural-stickies/`: `calls.json` (the calls in order), `area-NNN.json` (one area a call) and
    /// `NNN.json` (sticky batches).
    static func plan(_ wall: WallModel) throws -> [WallFile] {
        let groups = wall.boardGroups
        var calls: [BoardCall] = [], bodies: [(name: String, data: Data)] = []
        var stickies: [(key: String, sticky: Sticky)] = []
        var left = 0
        for (number, group) in groups.enumerated() {
            let size = Layout.areaSize(columns: group.columns.count, rows: group.columns.map(\.cards.count).max() ?? 1)
            let name = String(format: "area-%03d.json", number)
            bodies.append((name, try JSONFiles.encode(Area(x: left, y: 0, width: size.width, height: size.height, title: group.title))))
            left += size.width + Layout.areaGap
            calls.append(BoardCall(purpose: "area \(number + 1) of \(groups.count): \(group.title)", method: "POST",
                                   path: "/api/public/v1/murals/{board_id}/widgets/area", body: name, creates: [areaKey(group)], ids: "value.id",
                                   update: BoardUpdate(method: "PATCH", path: "/api/public/v1/murals/{board_id}/widgets/area/{id}")))
            for (c, column) in group.columns.enumerated() {
                for (row, card) in column.cards.enumerated() {
                    let at = Layout.sticky(column: c, row: row)
                    stickies.append((cardKey(card), Sticky(x: at.x, y: at.y, width: Layout.cardWidth, height: Layout.cardHeight,
                                                           title: card.title, text: text(card), parentId: BoardPlan.reference(to: areaKey(group)),
                                                           style: ["backgroundColor": card.kind.hexColor.uppercased() + "FF"])))
                }
            }
        }
        let batches = stride(from: 0, to: stickies.count, by: batchLimit).map { Array(stickies[$0..<min(stickies.count, $0 + batchLimit)]) }
        for (number, batch) in batches.enumerated() {
            let name = String(format: "%03d.json", number)
            bodies.append((name, try JSONFiles.encode(batch.map(\.sticky))))
            calls.append(BoardCall(purpose: "sticky notes, batch \(number + 1) of \(batches.count)", method: "POST",
                                   path: "/api/public/v1/murals/{board_id}/widgets/sticky-note", body: name, creates: batch.map(\.key),
                                   ids: "value[].id",
                                   update: BoardUpdate(method: "PATCH", path: "/api/public/v1/murals/{board_id}/widgets/sticky-note/{id}", omit: ["shape"])))
        }
        let plan = BoardPlan(tool: "mural", api: "https://app.mural.co", reference: "https://developers.mural.co/public/reference", calls: calls)
        return try BoardPlanFiles.files(plan, folder: folder, bodies: bodies)
    }
}
