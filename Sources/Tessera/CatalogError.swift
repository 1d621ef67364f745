import TabularText

/// A problem in a catalogue file, with its place.
public struct CatalogError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

extension CatalogError {
    /// A catalogue file the CSV reader could not read or parse: same file, line and message, so the
    /// user sees one kind of catalogue error whatever went wrong.
    init(_ error: CSVReadError) {
        self.init(file: error.file, line: error.line, message: error.message)
    }
}
