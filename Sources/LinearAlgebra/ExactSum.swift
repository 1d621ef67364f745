/// Sums that give the same bits in any order: each term is converted to 64.64 fixed point (a
/// 128-bit integer counting units of 2⁻⁶³·½, i.e. 2⁻⁶⁴) and added as an integer.
///
/// Floating-point addition is not associative, so a sum split over ranks or threads in different
/// ways ends in different last bits, and those bits can flip a label or a stopping decision.
/// Integer addition is associative: partial sums over any grouping of blocks, added in any order
/// on any number of ranks, give the same total. Terms are the partial results over whole
/// `RowBlocks` (a block's partial is computed the same way wherever the block lives) or single rows.
///
/// Range: |term| and |total| below 2⁶³; resolution 2⁻⁶³ (terms smaller than that count as zero).
public struct ExactSum: Sendable, Equatable {
    public var words: [Int128]

    public init(count: Int) { words = [Int128](repeating: 0, count: count) }

    public var count: Int { words.count }

    /// `x` in fixed point, truncated toward zero (non-finite values count as zero).
    @inlinable
    public static func fixed(_ x: Double) -> Int128 {
        guard x.isFinite, x != 0 else { return 0 }
        let whole = x.rounded(.towardZero)
        let fraction = x - whole   // exact
        let high = Int128(Int64(whole)) << 64
        return high &+ (Int128(Int64((fraction * 0x1p63).rounded(.towardZero))) << 1)
    }

    /// The fixed-point value `v` as a Double (the same Double for the same integer everywhere).
    @inlinable
    public static func double(_ v: Int128) -> Double {
        let high = Int64(truncatingIfNeeded: v >> 64)
        let low = UInt64(truncatingIfNeeded: v)
        return Double(high) + Double(low) * 0x1p-64
    }

    public mutating func add(_ x: Double, at index: Int) { words[index] &+= Self.fixed(x) }

    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        precondition(values.count == words.count)
        words.withUnsafeMutableBufferPointer { w in
            for t in 0..<values.count where values[t] != 0 { w[t] &+= Self.fixed(Double(values[t])) }
        }
    }

    public mutating func add(_ values: [Double]) {
        precondition(values.count == words.count)
        words.withUnsafeMutableBufferPointer { w in
            for t in 0..<values.count where values[t] != 0 { w[t] &+= Self.fixed(values[t]) }
        }
    }

    public mutating func add(_ other: ExactSum) {
        precondition(other.count == count)
        for t in words.indices { words[t] &+= other.words[t] }
    }

    public func double(at index: Int) -> Double { Self.double(words[index]) }
    public var doubles: [Double] { words.map(Self.double) }
    public var floats: [Float] { words.map { Float(Self.double($0)) } }

    /// Writes the totals as Floats into `out`.
    public func write(to out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count == words.count)
        for t in words.indices { out[t] = Float(Self.double(words[t])) }
    }
}

/// The unit every sum over rows is taken in: blocks of `rows` consecutive rows by global row index.
///
/// A block's partial result (a Gram matrix, centroid sums, a product with Xᵀ) is computed by the
/// same kernel call whether the block sits in a single process or on rank 3 of 8; ranks hold whole
/// blocks; partials are added exactly (`ExactSum`). So a job gives the same bits on any number of
/// ranks and threads. The size is fixed per job, never derived from the rank count.
public enum RowBlocks {
    /// Rows per block (default 65,536). Changing it changes last bits of results (not their meaning);
    /// every rank of a job must use the same value.
    @TaskLocal public static var rows: Int = 65_536

    /// The local ranges of the blocks of `count` local rows (local row 0 starts a block).
    public static func ranges(count: Int, blockRows: Int) -> [Range<Int>] {
        precondition(blockRows > 0)
        return stride(from: 0, to: count, by: blockRows).map { $0..<min(count, $0 + blockRows) }
    }
}
