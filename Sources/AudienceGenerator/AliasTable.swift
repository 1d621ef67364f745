import LinearAlgebra

/// Walker/Vose alias table: O(1) draws from a fixed discrete distribution.
struct AliasTable: Sendable {
    private var probability: [Double]
    private var alias: [Int32]

    /// - Parameter weights: non-negative, not all zero.
    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0, "alias table needs at least one weight")
        let total = weights.reduce(0, +)
        precondition(total > 0, "alias table needs a positive total weight")
        var scaled = weights.map { $0 * Double(n) / total }
        probability = [Double](repeating: 1, count: n)
        alias = (0..<n).map { Int32($0) }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.popLast() {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = scaled[l] + scaled[s] - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
    }

    /// A draw in `0..<weights.count`.
    @inline(__always)
    func sample(_ rng: inout some RandomNumberGenerator) -> Int {
        let u = rng.nextUnitInterval() * Double(probability.count)
        let i = min(Int(u), probability.count - 1)
        return (u - Double(i)) < probability[i] ? i : Int(alias[i])
    }

    /// Zipf weights 1/rank^exponent for `count` ranks.
    static func zipfWeights(count: Int, exponent: Double) -> [Double] {
        (0..<count).map { 1 / pow(Double($0 + 1), exponent) }
    }
}

import Foundation
