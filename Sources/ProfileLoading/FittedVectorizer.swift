import LinearAlgebra

/// How a training audience turned interests into matrix values — vocabulary, normalisation, weighting
/// with its fitted idf and average row length, row normalisation — so that new profiles can be placed
/// into the same space (`tessera assign`).
public struct FittedVectorizer: Codable, Sendable, Equatable {
    public var interests: [String]
    public var normalization: NormalizationSettings
    public var weighting: Weighting
    /// Per-interest factor of the weighting (idf), `nil` for binary/raw/log1p.
    public var columnFactors: [Float]?
    /// BM25's average raw row weight in the training audience.
    public var averageRowWeight: Double
    public var normalizeRows: Bool

    enum CodingKeys: String, CodingKey {
        case interests, normalization, weighting
        case columnFactors = "column_factors"
        case averageRowWeight = "average_row_weight"
        case normalizeRows = "normalize_rows"
    }

    /// The vectorizer that produced `audience.matrix`.
    public init(audience: LoadedAudience) {
        interests = audience.vocabulary.interests
        normalization = audience.settings.normalization
        weighting = audience.settings.weighting
        columnFactors = weighting.columnFactors(documentFrequencies: audience.vocabulary.documentFrequencies,
                                                profileCount: audience.report.rows)
        averageRowWeight = audience.report.averageRowWeight ?? 1
        normalizeRows = audience.settings.normalizeRows
    }

    /// Loader settings that read new profiles with the training normalisation, keeping every interest
    /// and the raw weights, ready for `project`.
    public func rawLoaderSettings(from base: LoaderSettings) -> LoaderSettings {
        var settings = base
        settings.normalization = normalization
        settings.minDocumentFrequency = 1
        settings.maxDocumentFrequency = 1
        settings.maxVocabularySize = nil
        settings.weighting = .raw
        settings.normalizeRows = false
        return settings
    }

    /// What `project` did with a raw audience.
    public struct Projection: Sendable {
        /// One row per row of the raw audience, in the training vocabulary's columns.
        public var matrix: CSRMatrix
        /// Interests of the new profiles that the training vocabulary does not know (dropped).
        public var unknownInterests: Int
        /// Rows left without any known interest (they cannot be placed).
        public var rowsWithoutKnownInterests: [Int]
    }

    /// Maps a raw audience (read with `rawLoaderSettings`) onto the training vocabulary and applies the
    /// training weighting and row normalisation.
    public func project(_ raw: LoadedAudience) -> Projection {
        var index: [String: Int32] = [:]
        index.reserveCapacity(interests.count)
        for (c, interest) in interests.enumerated() { index[interest] = Int32(c) }
        let map = raw.vocabulary.interests.map { index[$0] ?? -1 }
        let unknown = map.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        let m = raw.matrix
        var rowStart = [Int](repeating: 0, count: m.rowCount + 1)
        var columns: [Int32] = [], values: [Float] = []
        columns.reserveCapacity(m.nonzeroCount)
        values.reserveCapacity(m.nonzeroCount)
        var withoutKnown: [Int] = []
        var pairs: [(Int32, Float)] = []
        for i in 0..<m.rowCount {
            pairs.removeAll(keepingCapacity: true)
            for p in m.range(ofRow: i) {
                let c = map[Int(m.columns[p])]
                if c >= 0 { pairs.append((c, m.values[p])) }
            }
            pairs.sort { $0.0 < $1.0 }
            for (c, v) in pairs { columns.append(c); values.append(v) }
            if pairs.isEmpty { withoutKnown.append(i) }
            rowStart[i + 1] = columns.count
        }
        var matrix = CSRMatrix(unchecked: m.rowCount, columnCount: interests.count, rowStart: rowStart, columns: columns, values: values)
        weighting.apply(to: &matrix, columnFactors: columnFactors, averageLength: averageRowWeight)
        if normalizeRows { matrix.normalizeRows() }
        return Projection(matrix: matrix, unknownInterests: unknown, rowsWithoutKnownInterests: withoutKnown)
    }
}
