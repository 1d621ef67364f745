/// The one rule that keeps a spreadsheet from running a cell as a formula (CSV and TSV alike): a
/// cell whose first Unicode scalar is `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and
/// Google Sheets, and a leading tab or carriage return is stripped before they look, so those count
/// too. Such a cell gets a leading `'`, which the spreadsheet shows as text.
public enum FormulaNeutraliser {
    /// First scalars that make a cell a formula (or are dropped in front of one).
    public static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Whether a spreadsheet could read `text` as a formula.
    public static func needsNeutralising(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return formulaStarts.contains(first)
    }

    /// `text`, prefixed with `'` when a spreadsheet could read it as a formula.
    public static func neutralised(_ text: String) -> String {
        needsNeutralising(text) ? "'" + text : text
    }
}
