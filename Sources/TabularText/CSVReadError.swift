/// A CSV file that cannot be read or parsed, with its place (line 0: the file as a whole). Callers
/// that own the file's meaning (the catalogue, say) map it to their own error type.
public struct CSVReadError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
