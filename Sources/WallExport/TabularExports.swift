import Foundation
import TabularText

/// Trello, FigJam and the generic card list: CSV files (formula-neutralised, quoted) and text lists.
enum TabularExports {
    /// Trello has no native CSV import; importers read `name,description,list,labels` (one row a card).
    static func trelloCSV(_ wall: WallModel) -> WallFile {
        var text = "name,description,list,labels\n"
        for column in wall.columns {
            for card in column.cards {
                text += CSVWriter.row([card.title, card.body, column.title, card.kind.rawValue], purpose: .spreadsheet)
            }
        }
        return WallFile(path: "trello-cards.csv", text: text)
    }

    /// One text file per list: pasting multi-line text into Trello offers one card per line.
    static func trelloLists(_ wall: WallModel) -> [WallFile] {
        wall.columns.enumerated().map { position, column in
            let name = String(format: "trello/%03d-segment-%d.txt", position, column.segment)
            return WallFile(path: name, text: column.cards.map { WallText.clean($0.title + " — " + $0.body, maxLength: 500) }.joined(separator: "\n") + "\n")
        }
    }

    /// FigJam CSV import (plugins): one sticky per cell; a row per segment, no blank cells.
    static func figjam(_ wall: WallModel) -> WallFile {
        WallFile(path: "figjam.csv", text: wall.columns.map { column in
            CSVWriter.row(column.cards.map { $0.title + " — " + $0.body }, purpose: .spreadsheet)
        }.joined())
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
