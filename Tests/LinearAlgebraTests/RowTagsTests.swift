import Testing
import LinearAlgebra

@Suite struct RowTagsTests {
    /// Three rows: {customer, vip}, {}, {lapsed}.
    let names = ["customer", "lapsed", "vip"]
    let rowStart = [0, 2, 2, 3]
    let values: [Int32] = [0, 2, 1]

    @Test func readsTheTagsOfEachRow() throws {
        let tags = try RowTags(validating: names, rowStart: rowStart, values: values)
        #expect(tags.tags(ofRow: 0) == ["customer", "vip"])
        #expect(tags.tags(ofRow: 1) == [])
        #expect(tags.tags(ofRow: 2) == ["lapsed"])
        #expect(tags == RowTags(names: names, rowStart: rowStart, values: values))
    }

    @Test func rejectsBrokenInvariants() {
        let broken: [(rowStart: [Int], values: [Int32])] = [
            ([], []),                       // no rowStart at all
            ([1, 2, 2, 3], values),         // does not start at 0
            ([0, 2, 2, 2], values),         // does not end at values.count
            ([0, 2, 1, 3], values),         // decreases
            ([0, 2, 2, 3], [0, 2, 3]),      // tag index out of range
            ([0, 2, 2, 3], [2, 0, 1]),      // unsorted within a row
            ([0, 2, 2, 3], [0, 0, 1]),      // repeated within a row
        ]
        for (rowStart, values) in broken {
            #expect(throws: LinearAlgebraError.self, "\(rowStart) \(values)") {
                try RowTags(validating: names, rowStart: rowStart, values: values)
            }
        }
    }
}
