import Foundation

/// The ids of profiles left with no interest (`--empty-ids`): a one-column CSV with the header `id`, one
/// id per row, values kept exactly (a data file: people join it back to their CRM), quoted per RFC 4180
/// where an id holds a comma, quote or line break.
public enum EmptyIdsFile {
    public static func write(_ ids: [String], to path: String) throws {
        try AtomicFile.write(to: path) { out in
            var text = "id\n"
            for id in ids {
                text += CSVWriter.row([id], purpose: .data)
                if text.utf8.count > 1 << 20 {
                    try out.write(text)
                    text = ""
                }
            }
            try out.write(text)
        }
    }
}
