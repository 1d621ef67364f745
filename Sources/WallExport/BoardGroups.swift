import Foundation

/// Segments a board shows together: a Miro frame, a Mural area. Board exports lay groups out left to
/// right and place each member segment as one column of cards inside its group.
public struct BoardGroup: Sendable, Equatable {
    /// Stable across runs (from the member segments' keys), so a re-push updates the same frame or area.
    public var key: String
    public var title: String
    /// The member segments, in wall order.
    public var columns: [WallColumn]

    public init(key: String, title: String, columns: [WallColumn]) {
        self.key = key
        self.title = title
        self.columns = columns
    }
}

extension WallModel {
    /// The groups the board exports use: the wall's groups left to right (themes, "other", then the
    /// cross-segment section when a catalogue was linked), each keyed by the group's stable key, with
    /// its segments' columns in wall order. Every board export reads only `key`, `title` and `columns`.
    public var boardGroups: [BoardGroup] {
        groups.compactMap { group in
            let source = group.kind == .crossSegment ? crossSegmentColumns : columns
            let members = group.lanes.flatMap { $0 }.filter { source.indices.contains($0) }.map { source[$0] }
            guard !members.isEmpty else { return nil }
            return BoardGroup(key: group.kind.rawValue + "-" + group.key, title: group.title, columns: members)
        }
    }
}

extension WallText {
    /// A segment's name on a board (`S27 · @hazyipahunters · #ipa`): the segment number first, so names
    /// are unique even when a long label is shortened; only the label part is ever cut.
    package static func segmentName(_ column: WallColumn, maxLength: Int = maxLength) -> String {
        let prefix = "S\(column.segment) · "
        return prefix + clean(column.title, maxLength: max(8, maxLength - prefix.count))
    }
}
