import Foundation

/// Miro: a grid for "paste as sticky notes", and the REST calls that build the wall on a board:
/// one frame per group through the frames endpoint (`create-frame-item`), then the sticky notes in
/// bulk (`create-items`, at most 20 a call) with `parent.id` set to the id Miro returned for their frame.
enum MiroExport {
    /// One row per segment (its card, assets, gaps, partners); one card per cell, rows end at the last
    /// card so no blank cell (which Miro would turn into an empty sticky) is ever emitted.
    static func pasteGrid(_ wall: WallModel) -> WallFile {
        let lines = wall.columns.map { column in
            column.cards.map { WallText.tsvCell($0.title + " — " + $0.body, maxLength: 500) }.joined(separator: "\t")
        }
        return WallFile(path: "miro-paste.tsv", text: lines.joined(separator: "\n") + "\n")
    }

    static let folder = "miro-bulk"
    /// Items per bulk call: the `create-items` request schema's `maxItems`.
    static let bulkLimit = 20

    /// Board geometry. A rectangle sticky note keeps Miro's aspect ratio: at 360 px wide it is drawn
    /// about 235 px high, so rows 300 px apart leave a gap of at least 45 px even at a 0.7 ratio, and
    /// columns 420 px apart leave 60 px.
    enum Layout {
        static let stickyWidth = 360.0
        /// Upper bound of a rectangle sticky's height over its width.
        static let heightRatio = 0.7
        static let rowPitch = 300.0, columnPitch = 420.0
        static let padding = 60.0, titleSpace = 120.0, frameGap = 240.0
        static var stickyHeight: Double { stickyWidth * heightRatio }

        /// Frame size for `columns` segment columns of at most `rows` cards.
        static func frameSize(columns: Int, rows: Int) -> (width: Double, height: Double) {
            (2 * padding + Double(columns) * columnPitch - (columnPitch - stickyWidth),
             titleSpace + Double(max(rows, 1)) * rowPitch - (rowPitch - stickyHeight) + padding)
        }

        /// A sticky's centre relative to its frame's top-left corner (how Miro places a child of a frame).
        static func sticky(column: Int, row: Int) -> (x: Double, y: Double) {
            (padding + Double(column) * columnPitch + stickyWidth / 2, titleSpace + Double(row) * rowPitch + stickyHeight / 2)
        }
    }

    /// `FrameCreateRequest`: only fields the schema defines.
    struct Frame: Encodable {
        struct Data: Encodable { var title: String; var format = "custom"; var type = "freeform" }
        var data: Data
        var style = ["fillColor": "#f5f6f8"]
        var position: Position
        var geometry: [String: Double]
    }
    /// `ItemCreate` for a sticky note: `position` is `PositionChange` (x, y only; Miro places the
    /// item's centre there, relative to the parent frame's top-left corner).
    struct Sticky: Encodable {
        var type = "sticky_note"
        var data: [String: String]
        var style: [String: String]
        var position: Position
        var geometry: [String: Double]
        var parent: [String: String]
    }
    struct Position: Encodable { var x: Double; var y: Double }

    static func frameKey(_ group: BoardGroup) -> String { "frame:" + group.key }
    static func cardKey(_ card: WallCard) -> String { "card:" + card.id }

    /// Sticky text: the card's title in bold, then its body (HTML-escaped; Miro renders the tags).
    static func content(_ card: WallCard) -> String {
        "<p><strong>\(WallText.html(card.title))</strong></p><p>\(WallText.html(card.body))</p>"
    }

    /// `miro-bulk/`: `calls.json` (the calls in order), `frame-NNN.json` (one frame a call), `NNN.json`
    /// (sticky batches for the bulk endpoint).
    static func plan(_ wall: WallModel) throws -> [WallFile] {
        let groups = wall.boardGroups
        var calls: [BoardCall] = [], bodies: [(name: String, data: Data)] = []
        var stickies: [(key: String, sticky: Sticky)] = []
        var left = 0.0
        for (number, group) in groups.enumerated() {
            let rows = group.columns.map(\.cards.count).max() ?? 1
            let size = Layout.frameSize(columns: group.columns.count, rows: rows)
            let frame = Frame(data: .init(title: group.title), position: Position(x: left + size.width / 2, y: size.height / 2),
                              geometry: ["width": size.width, "height": size.height])
            left += size.width + Layout.frameGap
            let name = String(format: "frame-%03d.json", number)
            bodies.append((name, try JSONFiles.encode(frame)))
            calls.append(BoardCall(purpose: "frame \(number + 1) of \(groups.count): \(group.title)", method: "POST",
                                   path: "/v2/boards/{board_id}/frames", body: name, creates: [frameKey(group)], ids: "id",
                                   update: BoardUpdate(method: "PATCH", path: "/v2/boards/{board_id}/frames/{id}")))
            for (c, column) in group.columns.enumerated() {
                for (row, card) in column.cards.enumerated() {
                    let at = Layout.sticky(column: c, row: row)
                    stickies.append((cardKey(card), Sticky(data: ["content": content(card), "shape": "rectangle"],
                                                           style: ["fillColor": card.kind.miroColor, "textAlign": "left"],
                                                           position: Position(x: at.x, y: at.y),
                                                           geometry: ["width": Layout.stickyWidth],
                                                           parent: ["id": BoardPlan.reference(to: frameKey(group))])))
                }
            }
        }
        let batches = stride(from: 0, to: stickies.count, by: bulkLimit).map { Array(stickies[$0..<min(stickies.count, $0 + bulkLimit)]) }
        for (number, batch) in batches.enumerated() {
            let name = String(format: "%03d.json", number)
            bodies.append((name, try JSONFiles.encode(batch.map(\.sticky))))
            calls.append(BoardCall(purpose: "sticky notes, batch \(number + 1) of \(batches.count)", method: "POST",
                                   path: "/v2/boards/{board_id}/items/bulk", body: name, creates: batch.map(\.key), ids: "data[].id",
                                   update: BoardUpdate(method: "PATCH", path: "/v2/boards/{board_id}/sticky_notes/{id}", omit: ["type"])))
        }
        let plan = BoardPlan(tool: "miro", api: "https://api.miro.com", reference: "https://developers.miro.com/reference/api-reference",
                             calls: calls)
        return try BoardPlanFiles.files(plan, folder: folder, bodies: bodies)
    }
}
