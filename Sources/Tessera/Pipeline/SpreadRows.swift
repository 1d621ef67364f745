import Foundation

/// A job's rows spread over the ranks of a communicator: rank 0 (which loaded the inputs) cuts the
/// matrix into whole `RowBlocks`, an even share of blocks per rank in row order, and sends each rank
/// its share; after the fit, each rank's per-row results come back to rank 0 in row order.
///
/// Because ranks hold whole blocks and every sum over rows is taken block by block and added
/// exactly, the fit gives the same bits on any number of ranks (see `RowBlocks`).
enum SpreadRows {
    /// This rank's rows, and what every rank received (rows and bytes, in rank order).
    struct Share {
        var local: CSRMatrix
        var rowsPerRank: [Int]
        var bytesPerRank: [Int]
    }

    /// Rank 0 passes the whole matrix; the others pass nil. Rank 0 keeps its own share and sends the
    /// others theirs one rank at a time (one share encoded at a time, so rank 0 never holds a second
    /// copy of the whole matrix).
    static func scatter(_ matrix: CSRMatrix?, communicator: Communicator, blockRows: Int) -> Share {
        let size = communicator.size
        var ranges: [Range<Int>] = []
        if communicator.rank == 0, let matrix {
            let n = matrix.rowCount
            let blocks = (n + blockRows - 1) / blockRows
            // Rank q gets blocks ⌈q·B/N⌉ ..< ⌈(q+1)·B/N⌉: the lower ranks take the extra blocks, and
            // with fewer blocks than ranks the last ranks get none.
            func firstBlock(_ q: Int) -> Int { (q * blocks + size - 1) / size }
            for q in 0..<size {
                ranges.append(min(n, firstBlock(q) * blockRows)..<(q == size - 1 ? n : min(n, firstBlock(q + 1) * blockRows)))
            }
        }
        var received: [UInt8] = []
        for q in 1..<max(1, size) {
            var parts = [[UInt8]](repeating: [], count: size)
            if communicator.rank == 0, let matrix { parts[q] = encode(matrix.rows(ranges[q])) }
            let part = communicator.scatter(parts: parts, root: 0)
            if communicator.rank == q { received = part }
        }
        let local = communicator.rank == 0 ? matrix!.rows(ranges[0]) : decode(received)
        let counts = communicator.allgather([Double(local.rowCount), Double(communicator.rank == 0 ? encodedSize(local) : received.count)])
        return Share(local: local,
                     rowsPerRank: stride(from: 0, to: counts.count, by: 2).map { Int(counts[$0]) },
                     bytesPerRank: stride(from: 1, to: counts.count, by: 2).map { Int(counts[$0]) })
    }

    /// Every rank's labels (and soft memberships and latent rows, when the fit has them) in row
    /// order, on rank 0; nil on the other ranks.
    static func gather(_ fit: SegmentFit, communicator: Communicator) -> SegmentFit? {
        var fields: [[UInt8]] = [ByteCoding.bytes(of: fit.labels)]
        if let memberships = fit.memberships {
            fields.append(ByteCoding.bytes(of: memberships.flatMap { [Int64($0.segment), Int64($0.secondary)] }))
            fields.append(ByteCoding.bytes(of: memberships.flatMap { [$0.strength, $0.secondaryStrength] }))
        }
        if let embedded = fit.embeddedRows { fields.append(ByteCoding.bytes(of: embedded.values)) }
        guard let parts = communicator.gather(bytes: ByteCoding.frame(fields), root: 0) else { return nil }
        var full = fit
        var labels: [Int32] = [], pairs: [Int64] = [], strengths: [Float] = [], rows: [Float] = []
        for part in parts {
            let f = ByteCoding.unframe(part)
            var t = 0
            labels += ByteCoding.values(f[t]) as [Int32]; t += 1
            if fit.memberships != nil {
                pairs += ByteCoding.values(f[t]) as [Int64]
                strengths += ByteCoding.values(f[t + 1]) as [Float]
                t += 2
            }
            if fit.embeddedRows != nil { rows += ByteCoding.values(f[t]) as [Float] }
        }
        full.labels = labels
        full.sizes = [Int](repeating: 0, count: fit.profiles.rowCount)
        for label in labels { full.sizes[Int(label)] += 1 }
        if fit.memberships != nil {
            full.memberships = (0..<labels.count).map {
                SoftMembership(segment: Int(pairs[2 * $0]), strength: strengths[2 * $0],
                               secondary: Int(pairs[2 * $0 + 1]), secondaryStrength: strengths[2 * $0 + 1])
            }
        }
        if let embedded = fit.embeddedRows {
            full.embeddedRows = try? DenseMatrix(rowCount: labels.count, columnCount: embedded.columnCount, values: rows)
        }
        return full
    }

    /// Every rank's rows in rank order, on rank 0 (nil elsewhere).
    static func gatherRows(_ local: CSRMatrix, communicator: Communicator) -> CSRMatrix? {
        if communicator.size == 1 { return local }
        guard let parts = communicator.gather(bytes: encode(local), root: 0) else { return nil }
        let matrices = parts.map(decode)
        var rowStart = [0], columns: [Int32] = [], values: [Float] = []
        for m in matrices {
            let base = columns.count
            rowStart += m.rowStart.dropFirst().map { $0 + base }
            columns += m.columns
            values += m.values
        }
        return CSRMatrix(unchecked: rowStart.count - 1, columnCount: local.columnCount, rowStart: rowStart, columns: columns, values: values)
    }

    /// Every rank's measured rows in rank order, on rank 0 (nil elsewhere).
    static func gatherRows(_ local: MeasuredRows, communicator: Communicator) -> MeasuredRows? {
        switch local {
        case .sparse(let m): return gatherRows(m, communicator: communicator).map { .sparse($0) }
        case .dense(let m):
            if communicator.size == 1 { return local }
            guard let parts = communicator.gather(bytes: ByteCoding.bytes(of: m.values), root: 0) else { return nil }
            let values = parts.flatMap { ByteCoding.values($0) as [Float] }
            return (try? DenseMatrix(rowCount: values.count / max(1, m.columnCount), columnCount: m.columnCount, values: values)).map { .dense($0) }
        }
    }

    /// Every rank's labels in rank order, on rank 0 (nil elsewhere).
    static func gatherLabels(_ labels: [Int32], communicator: Communicator) -> [Int32]? {
        if communicator.size == 1 { return labels }
        return communicator.gather(bytes: ByteCoding.bytes(of: labels), root: 0)?.flatMap { ByteCoding.values($0) as [Int32] }
    }

    /// The length of `encode(m)`, without encoding it.
    static func encodedSize(_ m: CSRMatrix) -> Int {
        8 + 4 * 8 + 16 + (m.rowCount + 1) * 8 + m.columns.count * 4 + m.values.count * 4
    }

    static func encode(_ m: CSRMatrix) -> [UInt8] {
        ByteCoding.frame([ByteCoding.bytes(of: [Int64(m.rowCount), Int64(m.columnCount)]),
                          ByteCoding.bytes(of: m.rowStart.map(Int64.init)),
                          ByteCoding.bytes(of: m.columns), ByteCoding.bytes(of: m.values)])
    }

    static func decode(_ bytes: [UInt8]) -> CSRMatrix {
        let f = ByteCoding.unframe(bytes)
        let shape: [Int64] = ByteCoding.values(f[0])
        let starts: [Int64] = ByteCoding.values(f[1])
        return CSRMatrix(unchecked: Int(shape[0]), columnCount: Int(shape[1]), rowStart: starts.map(Int.init),
                         columns: ByteCoding.values(f[2]), values: ByteCoding.values(f[3]))
    }
}

/// run.json's `ranks`: how the job was spread.
public struct RanksRecord: Codable, Sendable, Equatable {
    /// Number of processes.
    public var count: Int
    /// "mpi" or "single-process".
    public var backend: String
    /// Rows of the matrix each rank fitted, and the bytes of its share of the matrix.
    public var rowsPerRank: [Int]
    public var bytesPerRank: [Int]
    /// Bytes of the input files each rank read and parsed.
    public var inputBytesPerRank: [Int]
    /// Rows per block of the exact sums.
    public var blockRows: Int
    /// Bytes rank 0 handed to collectives during the fit (space, seeding, iterations, refinement).
    public var bytesCommunicated: Int
    /// Bytes summed over the ranks in one iteration of the fit's main loop (the exact sums of
    /// k-means' centroid sums and counts, or of NMF's Xᵀ·W and WᵀW).
    public var bytesReducedPerIteration: Int

    enum CodingKeys: String, CodingKey {
        case count, backend
        case rowsPerRank = "rows_per_rank"
        case bytesPerRank = "bytes_per_rank"
        case inputBytesPerRank = "input_bytes_per_rank"
        case blockRows = "block_rows"
        case bytesCommunicated = "bytes_communicated"
        case bytesReducedPerIteration = "bytes_reduced_per_iteration"
    }
}
