/// Relationship tags per row (prospect, customer, lapsed, or any tag in the input), in CSR form: a
/// sparse row → tag-id structure, a `CSRMatrix` without values.
///
/// It lives here, below both modules that use it, because the loader fills it and the segment
/// insights count it, and SegmentInsights must not depend on ProfileLoading.
///
/// Invariants (asserted by `init(names:rowStart:values:)` in debug builds, checked by
/// `init(validating:rowStart:values:)` and `validate()`): `rowStart` starts at 0, never decreases
/// and ends at `values.count`; every value is a tag index in `0..<names.count`; within a row the
/// values are strictly increasing (sorted, no repeats).
public struct RowTags: Sendable, Equatable {
    /// Tag names by index.
    public var names: [String]
    /// Row i's tags are `values[rowStart[i]..<rowStart[i + 1]]`.
    public var rowStart: [Int]
    /// Tag indices into `names`.
    public var values: [Int32]

    /// Tags built by code that keeps the invariants (the loader); asserted in debug builds.
    public init(names: [String], rowStart: [Int], values: [Int32]) {
        self.names = names
        self.rowStart = rowStart
        self.values = values
        assert((try? validate()) != nil, "row tag invariants violated")
    }

    /// Tags read from outside (a cache file): throws `LinearAlgebraError.invalidCSR` naming the
    /// first broken invariant.
    public init(validating names: [String], rowStart: [Int], values: [Int32]) throws {
        try Self.validate(names: names, rowStart: rowStart, values: values)
        self.names = names
        self.rowStart = rowStart
        self.values = values
    }

    /// The names of row i's tags.
    public func tags(ofRow i: Int) -> [String] {
        values[rowStart[i]..<rowStart[i + 1]].map { names[Int($0)] }
    }

    /// Checks every invariant; throws `LinearAlgebraError.invalidCSR` naming the first violation.
    ///
    /// - Complexity: O(rows + values).
    public func validate() throws {
        try Self.validate(names: names, rowStart: rowStart, values: values)
    }

    private static func validate(names: [String], rowStart: [Int], values: [Int32]) throws {
        guard let first = rowStart.first, first == 0 else { throw LinearAlgebraError.invalidCSR("tags: rowStart must start at 0") }
        guard rowStart.last == values.count else {
            throw LinearAlgebraError.invalidCSR("tags: rowStart ends at \(rowStart.last!) but there are \(values.count) values")
        }
        for i in 0..<(rowStart.count - 1) {
            guard rowStart[i] <= rowStart[i + 1] else { throw LinearAlgebraError.invalidCSR("tags: rowStart decreases at row \(i)") }
            var previous: Int32 = -1
            for p in rowStart[i]..<rowStart[i + 1] {
                let tag = values[p]
                guard tag >= 0, Int(tag) < names.count else {
                    throw LinearAlgebraError.invalidCSR("tags: row \(i) has tag \(tag) outside 0..<\(names.count)")
                }
                guard tag > previous else { throw LinearAlgebraError.invalidCSR("tags: row \(i) repeats or unsorts tag \(tag)") }
                previous = tag
            }
        }
    }
}
