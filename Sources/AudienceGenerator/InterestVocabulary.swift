/// The readable interests the generator draws from: the catalogue's handles (`@espn`) and
/// hashtags (`#yoga`), plus hashtag and handle variants (`#yogalife`, `@yogadaily`, …) until the
/// requested size is reached. Deterministic: the same size always gives the same list.
public struct InterestVocabulary: Sendable {
    /// Interest text, e.g. `#sourdough` or `@bonappetit`.
    public let names: [String]
    /// Category index (into `InterestCatalog.categories`) of each interest.
    public let categories: [Int]
    /// The first `baseCount` interests are plain handles and hashtags; variants follow.
    public let baseCount: Int

    static let hashtagSuffixes = ["life", "lovers", "daily", "tips", "community", "goals", "inspo", "vibes",
                                  "gram", "addict", "talk", "news", "club", "fans", "time", "love", "world", "hacks"]
    static let handlePatterns: [(String, String)] = [("", "hq"), ("the", "club"), ("", "daily"), ("", "world"),
                                                     ("", "weekly"), ("", "insider"), ("", "collective"), ("", "lab")]

    /// A vocabulary of exactly `size` distinct interests (fewer only if the catalogue cannot make
    /// that many, which happens above ~60,000).
    package init(size: Int) {
        let catalog = InterestCatalog.categories
        var names: [String] = []
        var categories: [Int] = []
        var seen = Set<String>()
        func add(_ name: String, _ category: Int) -> Bool {
            guard names.count < size, seen.insert(name).inserted else { return names.count < size }
            names.append(name)
            categories.append(category)
            return names.count < size
        }
        // Round-robin across categories so any prefix is balanced.
        var tier = 0
        var baseCount: Int? = nil
        let maxTier = 2 + Self.hashtagSuffixes.count + Self.handlePatterns.count
        outer: while tier < maxTier {
            if tier == 2 { baseCount = names.count }
            let longest = catalog.map { max($0.terms.count, $0.handles.count) }.max() ?? 0
            for position in 0..<longest {
                for (c, category) in catalog.enumerated() {
                    let name: String?
                    switch tier {
                    case 0: name = position < category.handles.count ? "@" + category.handles[position] : nil
                    case 1: name = position < category.terms.count ? "#" + category.terms[position] : nil
                    case 2..<(2 + Self.hashtagSuffixes.count):
                        name = position < category.terms.count ? "#" + category.terms[position] + Self.hashtagSuffixes[tier - 2] : nil
                    default:
                        let (prefix, suffix) = Self.handlePatterns[tier - 2 - Self.hashtagSuffixes.count]
                        name = position < category.terms.count ? "@" + prefix + category.terms[position] + suffix : nil
                    }
                    if let name, !add(name, c) { break outer }
                }
            }
            tier += 1
        }
        self.names = names
        self.categories = categories
        self.baseCount = baseCount ?? names.count
    }
}
