import Foundation
import Testing
import ProfileLoading

/// A weight is 0 or a finite number between 1e-30 and 1e30; a line with any other is rejected
/// whole (`bad-weight`, file, line and reason), so no infinity or NaN reaches the matrix.
@Suite struct WeightBoundsTests {
    static let rule = "a weight is 0 or a number between 1e-30 and 1e30"

    @Test func jsonWeightsOutsideTheBoundsRejectTheirLine() throws {
        let lines = [
            ##"{"id": "ok", "interests": {"#a": 1e-30, "#b": 1e30, "#c": 0, "#d": 2.5}}"##,
            ##"{"id": "tiny", "interests": {"#a": 1, "#b": 1e-42}}"##,
            ##"{"id": "huge", "interests": {"#a": 3e38}}"##,
            ##"{"id": "inf", "interests": {"#a": 1e999}}"##,
            ##"{"id": "neg", "interests": {"#a": -1}}"##,
            ##"{"id": "neg0", "interests": {"#a": -0.0, "#b": 1}}"##,
        ]
        let path = TestFiles.write(lines.joined(separator: "\n") + "\n", name: "w.jsonl")
        let a = try ProfileLoader.load([path])
        #expect(a.profileIds == ["ok", "neg0"])
        #expect(a.rejects.map(\.line) == [2, 3, 4, 5])
        #expect(a.rejects.allSatisfy { $0.kind == .badWeight && $0.file == path })
        #expect(a.rejects.map(\.reason) == [
            "the weight of interest '#b' is 1e-42, below the smallest weight accepted (1e-30): write 0 to leave the interest out, or rescale the weights",
            "the weight of interest '#a' is 3e+38, above the largest weight accepted (1e30): rescale the weights",
            "the weight of interest '#a' is not finite (inf); \(Self.rule)",
            "the weight of interest '#a' is negative (-1.0); \(Self.rule)",
        ])
        #expect(a.report.rejectsByKind == ["bad-weight": 4])
        #expect(Set(a.interests(of: "ok").keys) == ["#a", "#b", "#d"], "a weight of 0 leaves the interest out")
    }

    @Test func edgeListWeightsOutsideTheBoundsRejectTheirLine() throws {
        let text = "1,#a,1e-42\n1,#b,3e38\n1,#c,nan\n1,#d,inf\n1,#e,-2\n1,#f,1e30\n2,#a,1e-30\n"
        let path = TestFiles.write(text, name: "w.csv")
        let a = try ProfileLoader.load([path]) { $0.header = .absent }
        #expect(a.rejects.map(\.line) == [1, 2, 3, 4, 5])
        #expect(a.rejects.map(\.reason) == [
            "the weight (field 3) is 1e-42, below the smallest weight accepted (1e-30): write 0 to leave the interest out, or rescale the weights",
            "the weight (field 3) is 3e+38, above the largest weight accepted (1e30): rescale the weights",
            "the weight (field 3) is not a number (NaN); \(Self.rule)",
            "the weight (field 3) is not finite (inf); \(Self.rule)",
            "the weight (field 3) is negative (-2.0); \(Self.rule)",
        ])
        #expect(throws: LoadError.badRecord(file: path, line: 1, reason: a.rejects[0].reason)) {
            try ProfileLoader.load([path]) { $0.header = .absent; $0.strict = true }
        }
    }

    /// Weights at the bounds stay finite through every weighting, repeats included.
    @Test(arguments: Weighting.allCases)
    func weightsAtTheBoundsGiveAFiniteMatrix(weighting: Weighting) throws {
        let lines = (0..<50).map { ##"{"id": "p\##($0)", "interests": {"#a": 1e30, "#b": 1e-30, "#c\##($0 % 5)": 1e30}}"## }
        let path = TestFiles.write(lines.joined(separator: "\n") + "\n", name: "edge.jsonl")
        for l2 in [false, true] {
            let a = try ProfileLoader.load([path]) { $0.weighting = weighting; $0.normalizeRows = l2 }
            #expect(a.rejects.isEmpty)
            let finite = a.matrix.values.allSatisfy { $0.isFinite }
            #expect(finite, "\(weighting), l2 \(l2)")
            try a.matrix.validate()
        }
    }

    /// Each weight is fine but their sum is not: an interest repeated on the lines of one profile.
    /// No single line is at fault, so the load stops, naming the profile's first line.
    @Test func sumsBeyondTheBoundsStopTheLoad() throws {
        let csv = TestFiles.write("0,#x,1\n1,#x,6e29\n2,#y,1\n1,#x,6e29\n", name: "sum.csv")
        #expect { try ProfileLoader.load([csv]) { $0.header = .absent } } throws: { error in
            guard case let .badRecord(file, line, reason) = error as? LoadError else { return false }
            return file == csv && line == 2 && reason.hasPrefix("the weights of interest '#x' in profile '1' (from this line on) add up to 1.2")
                && reason.hasSuffix("e+30, above the largest weight accepted (1e30): rescale the weights")
        }
        let json = TestFiles.write(##"{"id": "a", "interests": {"#x": 1e30, "#x": 1e30}}"## + "\n", name: "sum.jsonl")
        #expect { try ProfileLoader.load([json]) } throws: { "\($0)".hasPrefix("\(json):1: the weights of interest '#x' in profile 'a'") }
        // Under the bound, repeats add up as before.
        let fine = TestFiles.write("1,#x,4e29\n1,#x,4e29\n", name: "fine.csv")
        let a = try ProfileLoader.load([fine]) { $0.header = .absent; $0.weighting = .raw; $0.normalizeRows = false }
        #expect(a.interests(of: "1") == ["#x": 8e29])
    }
}
