/// How a variable-size collective is split into MPI calls whose counts and displacements fit in
/// `Int32` (MPI's `int`): each round moves at most `chunk` bytes of every rank's part, and the
/// round's parts lie back to back in one staging buffer (displacements from 0).
///
/// Every rank builds the same rounds from the same `counts`, so every rank makes the same calls.
/// Parts of zero bytes need no round; if every part is empty there are no rounds at all.
struct TransferRounds: Sequence, IteratorProtocol {
    struct Round {
        /// Bytes of each rank's part moved in this round.
        var counts: [Int32]
        /// Where each rank's piece lies in the round's staging buffer.
        var displacements: [Int32]
        /// Where each rank's piece starts inside that rank's part.
        var offsets: [Int]
        /// Bytes of the staging buffer (the sum of `counts`).
        var total: Int
    }

    let counts: [Int]
    let chunk: Int
    private var done: [Int]

    /// `chunk` is capped so that one round's total fits in `Int32`.
    init(counts: [Int], chunk: Int) {
        precondition(counts.allSatisfy { $0 >= 0 } && chunk > 0)
        self.counts = counts
        self.chunk = Swift.max(1, Swift.min(chunk, Int(Int32.max) / Swift.max(1, counts.count)))
        done = [Int](repeating: 0, count: counts.count)
    }

    /// True when one round moves every part whole.
    var isSingleRound: Bool { counts.allSatisfy { $0 <= chunk } }

    mutating func next() -> Round? {
        var round = Round(counts: [], displacements: [], offsets: done, total: 0)
        round.counts.reserveCapacity(counts.count)
        round.displacements.reserveCapacity(counts.count)
        for r in counts.indices {
            let piece = Swift.min(chunk, counts[r] - done[r])
            round.counts.append(Int32(piece))
            round.displacements.append(Int32(round.total))
            round.total += piece
            done[r] += piece
        }
        return round.total > 0 ? round : nil
    }
}
