import LinearAlgebra

/// The interests that are the matrix columns, with how many profiles follow each.
public struct Vocabulary: Sendable, Equatable {
    /// Normalised interest text, by column.
    public var interests: [String]
    /// Number of loaded profiles with each interest (after pruning, before weighting).
    public var documentFrequencies: [Int32]

    public init(interests: [String], documentFrequencies: [Int32]) {
        self.interests = interests
        self.documentFrequencies = documentFrequencies
    }

    public var count: Int { interests.count }

    /// Column of an interest given in its normalised form.
    public func index() -> [String: Int] {
        Dictionary(uniqueKeysWithValues: interests.enumerated().map { ($1, $0) })
    }
}

/// Relationship tags (prospect, customer, lapsed, …) per profile: the loader's name for `RowTags`,
/// which SegmentInsights reads without depending on loading.
public typealias ProfileTags = RowTags

/// Other fields of JSON profiles (strings decoded, other values as JSON text), in CSR form.
public struct ProfileAttributes: Sendable, Equatable {
    public var keys: [String]
    public var rowStart: [Int]
    public var keyIndex: [Int32]
    public var values: [String]

    public init(keys: [String], rowStart: [Int], keyIndex: [Int32], values: [String]) {
        self.keys = keys
        self.rowStart = rowStart
        self.keyIndex = keyIndex
        self.values = values
    }

    public func attributes(ofRow i: Int) -> [String: String] {
        var result: [String: String] = [:]
        for p in rowStart[i]..<rowStart[i + 1] { result[keys[Int(keyIndex[p])]] = values[p] }
        return result
    }

    /// Whether the arrays hold together for `rowCount` rows (row starts from 0, never decreasing,
    /// ending at the number of values; every key index names a key): checked on attributes read
    /// from a file before any row is looked up.
    func isConsistent(rowCount: Int) -> Bool {
        guard rowStart.count == rowCount + 1, rowStart.first == 0, rowStart.last == keyIndex.count,
              keyIndex.count == values.count else { return false }
        for i in 0..<rowCount where rowStart[i] > rowStart[i + 1] { return false }
        return keyIndex.allSatisfy { $0 >= 0 && Int($0) < keys.count }
    }
}

/// The result of a load: the weighted profile matrix and everything needed to explain it.
public struct LoadedAudience: Sendable {
    /// Rows: profiles with at least one interest; columns: the vocabulary; values: weighted.
    public var matrix: CSRMatrix
    public var vocabulary: Vocabulary
    /// Profile id of each row.
    public var profileIds: [String]
    public var tags: ProfileTags
    public var attributes: ProfileAttributes
    /// Ids of profiles left with no interest (kept out of the matrix).
    public var emptyProfileIds: [String]
    public var rejects: [Reject]
    public var report: LoadReport
    public var settings: LoaderSettings
}
