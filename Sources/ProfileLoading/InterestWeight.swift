/// The weights an interest may carry (a JSON weights object, the third field of an edge list):
/// 0 (the interest is left out), or a finite number between 1e-30 and 1e30. The bounds keep every
/// later step finite in Float: idf factors (at most ~45) and sums of a few million weights stay far
/// below Float's largest value (3.4e38), and no weight is subnormal (below 1.2e-38, where Float
/// loses precision and speed). A line with a weight outside them is rejected whole (`bad-weight`),
/// as a negative weight always was: half a profile is not what its line said.
enum InterestWeight {
    static let smallest = 1e-30
    static let largest = 1e30

    /// Whether `w` can be a weight; written so that one comparison settles the usual case.
    @inline(__always)
    static func isAccepted(_ w: Double) -> Bool {
        (w >= smallest && w <= largest) || w == 0
    }

    /// Why `w` cannot be a weight, completing "the weight of … ".
    static func problem(_ w: Double) -> String {
        let rule = "a weight is 0 or a number between 1e-30 and 1e30"
        if w.isNaN { return "is not a number (NaN); \(rule)" }
        if w.isInfinite { return "is not finite (\(w)); \(rule)" }
        if w < 0 { return "is negative (\(w)); \(rule)" }
        if w < smallest { return "is \(w), below the smallest weight accepted (1e-30): write 0 to leave the interest out, or rescale the weights" }
        return "is \(w), above the largest weight accepted (1e30): rescale the weights"
    }
}
