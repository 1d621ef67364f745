/// One group of segments on the wall: a theme (a branch of the merge tree) or the "other" group of
/// segments too small to stand on their own.
public struct SegmentTheme: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case theme
        case other
    }
    public var kind: Kind
    /// "A", "B", … for themes (largest first), "other" for the other group.
    public var letter: String
    /// The interests that name the theme: distinctive in segments holding at least half its members
    /// (empty for a "mixed" theme, whose segments share none).
    public var interests: [String]
    /// Member segment ids, largest segment first.
    public var segments: [Int]
    /// Members and their share of the profiles.
    public var size: Int
    public var share: Double

    public init(kind: Kind, letter: String, interests: [String], segments: [Int], size: Int, share: Double) {
        self.kind = kind
        self.letter = letter
        self.interests = interests
        self.segments = segments
        self.size = size
        self.share = share
    }

    /// "Theme A: #craftbeer · #ipa", or "Other: small segments".
    public var title: String {
        switch kind {
        case .theme: return "Theme \(letter): " + (interests.isEmpty ? "mixed, \(segments.count) segments with no interest in common" : interests.joined(separator: " · "))
        case .other: return "Other: small segments"
        }
    }
}

/// Groups segments into a handful of themes for a workshop: a cut of the Ward merge tree of the unit-length segment profiles.
///
/// Segments that are too small to describe or hold less than `InsightSettings.otherShare` of the
/// profiles (default 0.5%) go to one "other" group. The rest are cut into between
/// `InsightSettings.minThemes` and `maxThemes` themes (default 6–8; every segment is its own theme
/// when there are no more than `maxThemes`): of the cuts in that range, the one before the largest
/// relative jump in merge height (√ of the Ward cost), so the themes are the branches that stay
/// apart longest. The merge tree of all segments is restricted to the grouped ones (a merge with one
/// side outside them is skipped), which keeps SciPy's order and heights. Themes are listed largest
/// first; members of a theme largest first.
public enum SegmentThemes {
    public static func group(_ insights: AudienceInsights) -> [SegmentTheme] {
        let segments = insights.segments
        let total = max(1, insights.profiles)
        let indexOf = Dictionary(uniqueKeysWithValues: segments.enumerated().map { ($0.element.id, $0.offset) })
        func size(_ ids: [Int]) -> Int { ids.reduce(0) { $0 + segments[indexOf[$1]!].size } }
        func bySize(_ a: Int, _ b: Int) -> Bool {
            let x = segments[indexOf[a]!], y = segments[indexOf[b]!]
            return x.size != y.size ? x.size > y.size : x.id < y.id
        }
        let plan = cut(insights)
        let clusters = plan.clusters.map { $0.sorted(by: bySize) }
            .sorted { size($0) != size($1) ? size($0) > size($1) : $0[0] < $1[0] }
        var themes: [SegmentTheme] = []
        for (n, ids) in clusters.enumerated() {
            themes.append(SegmentTheme(kind: .theme, letter: letter(n), interests: naming(ids.map { segments[indexOf[$0]!] }, count: insights.settings.labelInterests),
                                       segments: ids, size: size(ids), share: Double(size(ids)) / Double(total)))
        }
        let others = plan.others.sorted(by: bySize)
        if !others.isEmpty {
            themes.append(SegmentTheme(kind: .other, letter: "other", interests: [], segments: others, size: size(others),
                                       share: Double(size(others)) / Double(total)))
        }
        return themes
    }

    /// The merge height (√ Ward cost) at which the tree is cut into the themes: halfway between the
    /// last merge applied and the first left out; nil when no two grouped segments ever merge.
    public static func cutHeight(_ insights: AudienceInsights) -> Double? { cut(insights).height }

    /// Whether a segment goes to the "other" group.
    public static func isOther(_ s: SegmentDescription, settings: InsightSettings) -> Bool {
        s.tooSmall || s.share < settings.otherShare
    }

    static func cut(_ insights: AudienceInsights) -> (clusters: [[Int]], others: [Int], height: Double?) {
        let settings = insights.settings
        let segments = insights.segments
        let k = segments.count
        let grouped = segments.filter { !isOther($0, settings: settings) }.map(\.id)
        let others = segments.filter { isOther($0, settings: settings) }.map(\.id)
        // The induced tree on the grouped segments: each node of the full tree maps to the grouped
        // cluster it holds (none when it holds no grouped segment); a merge counts only when both
        // sides hold some. Ward's merge heights never decrease, so the induced heights do not either.
        var node: [Int: Int] = [:]   // full-tree node → induced cluster (a grouped segment id, or k + induced merge)
        for id in grouped { node[id] = id }
        var induced: [(left: Int, right: Int, height: Double)] = []
        for (t, step) in insights.mergeTree.enumerated() {
            switch (node[step.left], node[step.right]) {
            case let (x?, y?):
                induced.append((x, y, step.distance.squareRoot()))
                node[k + t] = k + induced.count - 1
            case let (x?, nil): node[k + t] = x
            case let (nil, y?): node[k + t] = y
            default: break
            }
        }
        let m = grouped.count
        guard induced.count == m - 1, m > 1 else { return (grouped.map { [$0] }, others, nil) }
        guard m > settings.maxThemes else { return (grouped.map { [$0] }, others, induced[0].height / 2) }
        // Cutting into T themes applies the first m − T merges; the jump is the ratio of the first
        // merge left out to the last one applied.
        var themes = settings.maxThemes, bestJump = -Double.infinity
        for t in min(settings.minThemes, settings.maxThemes)...settings.maxThemes {
            let applied = m - t
            let below = induced[applied - 1].height, above = induced[applied].height
            let jump = below > 0 ? above / below : .infinity
            if jump > bestJump + 1e-12 { bestJump = jump; themes = t }
        }
        var members: [Int: [Int]] = Dictionary(uniqueKeysWithValues: grouped.map { ($0, [$0]) })
        for (t, merge) in induced.prefix(m - themes).enumerated() {
            members[k + t] = (members.removeValue(forKey: merge.left) ?? []) + (members.removeValue(forKey: merge.right) ?? [])
        }
        let height = (induced[m - themes - 1].height + induced[m - themes].height) / 2
        return (Array(members.values), others, height)
    }

    /// "A" … "Z", then "AA", "AB", …
    static func letter(_ n: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return n < 26 ? String(alphabet[n]) : letter(n / 26 - 1) + String(alphabet[n % 26])
    }

    /// The interests that name a theme: distinctive in segments holding at least half of its members,
    /// most members first (ties: larger Σ size × score, then by name). A theme whose segments share no
    /// such interest gets none and is called "mixed" — the segments are about equally far apart, and
    /// a name from one of them would mislead.
    static func naming(_ members: [SegmentDescription], count: Int) -> [String] {
        let total = members.reduce(0) { $0 + $1.size }
        var people: [String: Int] = [:], weight: [String: Double] = [:]
        for s in members {
            for a in s.distinctiveInterests {
                people[a.interest, default: 0] += s.size
                weight[a.interest, default: 0] += Double(s.size) * max(0, a.score)
            }
        }
        return people.filter { total > 0 && 2 * $0.value >= total }.keys.sorted {
            people[$0]! != people[$1]! ? people[$0]! > people[$1]! : weight[$0]! != weight[$1]! ? weight[$0]! > weight[$1]! : $0 < $1
        }.prefix(count).map { $0 }
    }
}
