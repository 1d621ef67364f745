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
    /// The groups the board exports use: for now one per segment (its column), keyed by the segment's
    /// stable key and titled like its Trello list (`S27 · label`). A grouping of segments into themes
    /// replaces this list; every board export reads only `key`, `title` and `columns`.
    public var boardGroups: [BoardGroup] {
        columns.map { BoardGroup(key: "segment-" + $0.frameID, title: WallText.segmentName($0), columns: [$0]) }
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
