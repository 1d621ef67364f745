/// Squared Euclidean distances from inner products: ‖a − b‖² = ‖a‖² + ‖b‖² − 2·a·b.
///
/// Every kernel that knows dot products and norms (the assignment step, k-means++, the quality
/// measures, the merge tree) takes its distances from here, so the formula, its evaluation order and
/// its clamp are written once. The clamp is needed because the subtraction cancels: for (nearly)
/// equal vectors rounding can leave a small negative number, which must not reach a square root or a
/// D²-weighted draw.
///
/// The arithmetic is done in `Scalar`: pass `Float` operands to compute in Float, or widen them to
/// `Double` first to compute in Double. Callers choose, and a result depends on that choice.
@inlinable
package func squaredDistance<Scalar: FloatingPoint>(squaredNorms a: Scalar, _ b: Scalar, dot: Scalar) -> Scalar {
    max(0, a + b - 2 * dot)
}

/// All pairwise squared distances between the vectors whose Gram matrix is `gram` (G[a, b] = a·b,
/// so the squared norms are its diagonal), row-major k×k, computed in `Scalar` arithmetic from the
/// Float entries. The diagonal comes out exactly 0 (x + x − 2x is exact).
///
/// - Complexity: O(k²).
@inlinable
package func squaredDistances<Scalar: BinaryFloatingPoint>(fromGram gram: DenseMatrix, as _: Scalar.Type) -> [Scalar] {
    precondition(gram.rowCount == gram.columnCount, "a Gram matrix is square")
    let k = gram.rowCount
    var out = [Scalar](repeating: 0, count: k * k)
    for a in 0..<k {
        for b in 0..<k {
            out[a * k + b] = squaredDistance(squaredNorms: Scalar(gram[a, a]), Scalar(gram[b, b]), dot: Scalar(gram[a, b]))
        }
    }
    return out
}
