import TabularText

/// The rejects file: one CSV row per rejected line, `file,line,kind,reason,excerpt`.
package enum RejectsFile {
    package static let header = ["file", "line", "kind", "reason", "excerpt"]

    /// Writes `rejects` atomically to `path` (a header row even when there are none).
    package static func write(_ rejects: [Reject], to path: String) throws {
        try AtomicFile.write(to: path) { out in
            try out.write(CSVWriter.row(header, purpose: .spreadsheet))
            for r in rejects {
                try out.write(CSVWriter.row([r.file, String(r.line), r.kind.rawValue, r.reason, r.excerpt], purpose: .spreadsheet))
            }
        }
    }
}
