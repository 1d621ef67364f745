import Testing
import ProfileLoading

@Suite struct RejectKindTests {
    /// The raw values are read by users and their scripts (rejects CSV, `rejects_by_kind`): pinned here.
    @Test func rawValuesAreTheDocumentedStrings() {
        #expect(RejectKind.allCases.map(\.rawValue) == [
            "malformed-json", "malformed-csv", "wrong-type", "missing-id", "missing-interests", "bad-weight",
            "bad-fields", "invalid-utf8", "line-too-long", "truncated", "duplicate-id", "malformed",
        ])
        #expect(RejectKind.allCases.allSatisfy { "\($0)" == $0.rawValue })
    }
}
