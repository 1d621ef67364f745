import Foundation

/// Miro: a grid for "paste as sticky notes" and batches for the REST bulk endpoint.
enum MiroExport {
    /// One row per segment (its card, assets, gaps, partners); one card per cell, rows end at the last
    /// card so no blank cell (which Miro would turn into an empty sticky) is ever emitted.
    static func pasteGrid(_ wall: WallModel) -> WallFile {
        let lines = wall.columns.map { column in
            column.cards.map { WallText.tsvCell($0.title + " — " + $0.body, maxLength: 500) }.joined(separator: "\t")
        }
        return WallFile(path: "miro-paste.tsv", text: lines.joined(separator: "\n") + "\n")
    }

    struct Item: Encodable {
        var type: String
        var data: [String: String]
        var style: [String: String]?
        var position: Position
        var geometry: [String: Double]
        var parent: Parent?
    }
    struct Position: Encodable { var x: Double; var y: Double; var origin = "center" }
    struct Parent: Encodable { var id: String }

    /// Items for `POST /v2/boards/{board_id}/items/bulk` (≤ 20 per call, all-or-nothing): the frames
    /// (one per segment) come first, then the sticky notes. A sticky's `parent.id` is its frame's
    /// stable key (`frame-…`): the importer replaces it with the id Miro returned for that frame.
    static func bulkBatches(_ wall: WallModel) throws -> [WallFile] {
        let rows = Double(max(1, wall.columns.map(\.cards.count).max() ?? 1))
        let frameHeight = rows * WallModel.rowHeight + 80, frameWidth = WallModel.columnWidth - 20
        var frames: [Item] = [], stickies: [Item] = []
        for (position, column) in wall.columns.enumerated() {
            let frameKey = "frame-" + column.frameID
            frames.append(Item(type: "frame", data: ["title": column.title, "format": "custom", "type": "freeform"], style: nil,
                               position: Position(x: Double(position) * WallModel.columnWidth, y: frameHeight / 2),
                               geometry: ["width": frameWidth, "height": frameHeight], parent: nil))
            for (row, card) in column.cards.enumerated() {
                let content = "<p><strong>\(WallText.html(card.title))</strong></p><p>\(WallText.html(card.body))</p>"
                // Positions inside a frame are relative to its top-left corner.
                stickies.append(Item(type: "sticky_note", data: ["content": content, "shape": "rectangle"],
                                     style: ["fillColor": card.kind.miroColor],
                                     position: Position(x: frameWidth / 2, y: 60 + WallModel.cardHeight / 2 + Double(row) * WallModel.rowHeight),
                                     geometry: ["width": WallModel.cardWidth], parent: Parent(id: frameKey)))
            }
        }
        // Frames and stickies are never mixed in one batch, and frame batches come first in number order.
        let frameBatches = try JSONFiles.batches(frames, size: 20, folder: "miro-bulk")
        let stickyBatches = try JSONFiles.batches(stickies, size: 20, folder: "miro-bulk")
        return (frameBatches + stickyBatches).enumerated().map {
            WallFile(path: String(format: "miro-bulk/%03d.json", $0.offset), data: $0.element.data)
        }
    }
}

/// Mural: sticky notes for its REST API, up to 1,000 per call.
enum MuralExport {
    struct Sticky: Encodable {
        var shape = "rectangle"
        var x: Double, y: Double
        var width: Double, height: Double
        var title: String
        var text: String
        var style: [String: String]
    }

    static func batches(_ wall: WallModel) throws -> [WallFile] {
        let stickies = wall.cards.map {
            Sticky(x: $0.x, y: $0.y, width: WallModel.cardWidth, height: WallModel.cardHeight,
                   title: $0.title, text: $0.body, style: ["backgroundColor": $0.kind.hexColor + "FF"])
        }
        return try JSONFiles.batches(stickies, size: 1000, folder: "mural-stickies")
    }
}
