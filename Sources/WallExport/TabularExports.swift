import Foundation
import TabularText

/// Trello, FigJam and the generic card list: CSV files and text lists.
enum TabularExports {
    /// For a Trello CSV importer (Trello itself has no CSV import): `name,description,list,labels`, one
    /// row a card, lists named `S27 · label` (unique). Read by an importer, not a spreadsheet, so the
    /// text is kept exactly (RFC 4180 quoting, no `'` guard in front of `@handles`).
    static func trelloCSV(_ wall: WallModel) -> WallFile {
        var text = "name,description,list,labels\n"
        for column in wall.columns {
            let list = WallText.segmentName(column)
            for card in column.cards {
                text += CSVWriter.row([card.title, card.body, list, card.kind.rawValue], purpose: .data)
            }
        }
        return WallFile(path: "trello-cards.csv", text: text)
    }

    /// One text file per list: pasting multi-line text into Trello's "Add a card" offers one card per line.
    static func trelloLists(_ wall: WallModel) -> [WallFile] {
        wall.columns.enumerated().map { position, column in
            let name = String(format: "trello/%03d-segment-%d.txt", position, column.segment)
            return WallFile(path: name, text: column.cards.map { WallText.clean($0.title + " — " + $0.body, maxLength: 500) }.joined(separator: "\n") + "\n")
        }
    }

    /// The columns of `figjam.csv`.
    static let figjamHeader = ["Segment", "Card", "Details", "Kind"]

    /// For FigJam's table paste: open the file in a spreadsheet, copy the cells and paste them onto the
    /// board, which makes a FigJam table (one card a row: its segment, name, details and kind). Every row
    /// has the four cells of the header; it goes through a spreadsheet, so formula-like cells are neutralised.
    static func figjam(_ wall: WallModel) -> WallFile {
        var text = CSVWriter.row(figjamHeader, purpose: .spreadsheet)
        for column in wall.columns {
            let segment = WallText.segmentName(column)
            for card in column.cards {
                text += CSVWriter.row([segment, card.title, card.body, card.kind.rawValue], purpose: .spreadsheet)
            }
        }
        return WallFile(path: "figjam.csv", text: text)
    }

    /// Every card with its stable id, for any tool or script: `id,kind,segment,title,body,color,x,y`.
    static func cards(_ wall: WallModel) -> WallFile {
        var text = "id,kind,segment,title,body,color,x,y\n"
        for card in wall.cards {
            text += CSVWriter.row([card.id, card.kind.rawValue, String(card.segment), card.title, card.body,
                                   card.kind.miroColor, String(Int(card.x)), String(Int(card.y))], purpose: .spreadsheet)
        }
        return WallFile(path: "cards.csv", text: text)
    }
}
