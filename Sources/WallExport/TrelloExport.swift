import Foundation

/// Trello: the REST calls that build the wall on a board: one list per segment (`POST /1/lists`, named
/// `S27 · label`, unique), then one card per wall card (`POST /1/cards` into its list). Trello takes
/// these fields as query parameters; their text is the raw card text (no spreadsheet guard), which
/// `tessera push` percent-encodes.
enum TrelloExport {
    static let folder = "trello"

    static func listKey(_ column: WallColumn) -> String { "list:" + column.frameID }
    static func cardKey(_ card: WallCard) -> String { "card:" + card.id }

    /// The card's description: its details, then what kind of card it is.
    static func description(_ card: WallCard) -> String { card.body + "\n\n" + card.kind.rawValue + " card" }

    /// `trello/calls.json`: the lists, then the cards, in board order (the query holds every field).
    static func plan(_ wall: WallModel) throws -> [WallFile] {
        var calls: [BoardCall] = []
        for (number, column) in wall.columns.enumerated() {
            let name = WallText.segmentName(column)
            calls.append(BoardCall(purpose: "list \(number + 1) of \(wall.columns.count): \(name)", method: "POST", path: "/1/lists",
                                   query: ["name": name, "idBoard": "{board_id}", "pos": String(number + 1)],
                                   creates: [listKey(column)], ids: "id",
                                   update: BoardUpdate(method: "PUT", path: "/1/lists/{id}", omit: ["idBoard"])))
        }
        for column in wall.columns {
            for (row, card) in column.cards.enumerated() {
                calls.append(BoardCall(purpose: "card \(row + 1) of list S\(column.segment)", method: "POST", path: "/1/cards",
                                       query: ["idList": BoardPlan.reference(to: listKey(column)), "name": card.title,
                                               "desc": description(card), "pos": String(row + 1)],
                                       creates: [cardKey(card)], ids: "id",
                                       update: BoardUpdate(method: "PUT", path: "/1/cards/{id}")))
            }
        }
        let plan = BoardPlan(tool: "trello", api: "https://api.trello.com", reference: "https://developer.atlassian.com/cloud/trello/rest/",
                             calls: calls)
        return try BoardPlanFiles.files(plan, folder: folder, bodies: [])
    }
}
