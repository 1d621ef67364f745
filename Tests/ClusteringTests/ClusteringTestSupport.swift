import Foundation
import LinearAlgebra

/// A textbook Lloyd in Double: the reference the fast path is checked against.
func referenceLloyd(_ x: DenseMatrix, centres start: DenseMatrix, iterations: Int) -> (labels: [Int], centres: [[Double]], inertia: Double) {
    let n = x.rowCount, d = x.columnCount, k = start.rowCount
    var centres = (0..<k).map { c in (0..<d).map { Double(start[c, $0]) } }
    var labels = [Int](repeating: 0, count: n)
    func distance(_ i: Int, _ c: Int) -> Double {
        var s = 0.0
        for j in 0..<d { let t = Double(x[i, j]) - centres[c][j]; s += t * t }
        return s
    }
    for _ in 0..<iterations {
        for i in 0..<n { labels[i] = (0..<k).min { distance(i, $0) < distance(i, $1) }! }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        var counts = [Double](repeating: 0, count: k)
        for i in 0..<n { counts[labels[i]] += 1; for j in 0..<d { sums[labels[i]][j] += Double(x[i, j]) } }
        for c in 0..<k where counts[c] > 0 { centres[c] = sums[c].map { $0 / counts[c] } }
    }
    for i in 0..<n { labels[i] = (0..<k).min { distance(i, $0) < distance(i, $1) }! }
    let inertia = (0..<n).reduce(0.0) { $0 + distance($1, labels[$1]) }
    return (labels, centres, inertia)
}
