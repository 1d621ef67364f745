import Foundation
import LinearAlgebra

/// k-means: `fit` validates, prepares the twin kernels once, then runs `restarts` seeded fits and keeps
/// the one with the lowest inertia.
public enum KMeans {
    /// Rows per parallel chunk of the assignment step (fixed, so results do not depend on thread count).
    static let rowChunk = 1024

    /// Fits k-means to the (local) rows of `data`.
    /// - Parameters:
    ///   - communicator: the ranks holding the other rows (single process by default).
    ///   - initialCentres: start from these k×d centres instead of `settings.initialization` (every restart).
    ///   - progress: called after every iteration with its statistics.
    public static func fit(_ data: ClusteringData, settings: KMeansSettings,
                           communicator: Communicator = SingleProcessCommunicator(),
                           initialCentres: DenseMatrix? = nil,
                           progress: ((KMeansIteration) -> Void)? = nil) throws -> KMeansResult {
        let placement = communicator.placement(localRows: data.rowCount)
        let totalRows = placement.totalRows
        try settings.validate(rowCount: totalRows)
        try data.checkFinite()
        if let initialCentres, initialCentres.rowCount != settings.k || initialCentres.columnCount != data.columnCount {
            throw ClusteringError.shapeMismatch("initial centres are \(initialCentres.rowCount)×\(initialCentres.columnCount); expected \(settings.k)×\(data.columnCount)")
        }
        if initialCentres == nil, settings.initialization == .kmeansPlusPlus, communicator.size > 1 {
            throw ClusteringError.invalidSettings("k-means++ needs all rows in one process; use kmeans|| on a cluster")
        }
        let clock = ContinuousClock()
        let started = clock.now
        var prepared = data
        var norms = data.rowSquaredNorms()
        if settings.metric == .cosine { (prepared, norms) = data.unitRows(norms: norms) }
        if settings.algorithm == .minibatch {
            return try MiniBatchKMeans.fit(InMemoryRowSource(prepared), settings: settings, progress: progress)
        }
        let kernel = makeAssignmentKernel(prepared, rowNorms: norms)
        let accumulator = makeAccumulator(prepared)
        let variance = prepared.meanColumnVariance(communicator: communicator,
                                                   transposed: (accumulator as? SparseCentroidAccumulator)?.transposed,
                                                   totalRows: totalRows)
        let scaledTolerance = settings.tolerance * variance
        let prepareSeconds = (clock.now - started).inSeconds

        var best: KMeansResult?
        var inertias: [Double] = []
        var chosen = 0
        for restart in 0..<settings.restarts {
            var rng = SeededGenerator(seed: settings.seed, stream: UInt64(restart))
            let initStart = clock.now
            let initial = try initialCentres ?? Initializer.centres(prepared, norms: norms, kernel: kernel, accumulator: accumulator,
                                                  settings: settings, communicator: communicator, rng: &rng)
            let initSeconds = (clock.now - initStart).inSeconds
            let run = LloydRun(kernel: kernel, accumulator: accumulator, centres: initial,
                               settings: settings, communicator: communicator, placement: placement,
                               scaledTolerance: scaledTolerance)
            var result = run.run(progress: progress)
            result.initSeconds = initSeconds
            inertias.append(result.inertia)
            if best == nil || result.inertia < best!.inertia {
                best = result
                chosen = restart
            }
        }
        var result = best!
        result.restartInertias = inertias
        result.chosenRestart = chosen
        result.fitSeconds = (clock.now - started).inSeconds
        result.prepareSeconds = prepareSeconds
        return result
    }
}

/// One Lloyd fit from given centres: assignment (with Hamerly's bounds once they are valid) → local
/// sums → allreduce → the same update on every rank.
final class LloydRun {
    let kernel: AssignmentKernel
    let accumulator: CentroidAccumulator
    let table: CentroidTable
    let settings: KMeansSettings
    let communicator: Communicator
    let placement: RowPlacement
    /// Rows per block of the exact sums (`RowBlocks`).
    let blockRows: Int
    let scaledTolerance: Double
    let n: Int, k: Int, d: Int
    /// This rank's per-centre sums (k×d), exact, as of `summedLabels`.
    var localSums: ExactSum

    let labels: AlignedBuffer<Int32>
    /// Labels the local sums were last computed for (the update is incremental when few rows move).
    let summedLabels: AlignedBuffer<Int32>
    /// The last full pass's nearest centres; its labels are compared with `labels` to count moves.
    let fullPassNearest: NearestCentres
    /// Squared distance of each row to its own centre (exact after a full pass).
    let best: AlignedBuffer<Float>
    /// Hamerly: upper bound on the distance to the own centre, lower bound on the distance to any other.
    let upper: AlignedBuffer<Float>
    let lower: AlignedBuffer<Float>
    var boundsValid = false
    var sumsValid = false

    init(kernel: AssignmentKernel, accumulator: CentroidAccumulator, centres: DenseMatrix,
         settings: KMeansSettings, communicator: Communicator, placement: RowPlacement, scaledTolerance: Double) {
        self.kernel = kernel
        self.accumulator = accumulator
        self.table = CentroidTable(centres: centres)
        self.settings = settings
        self.communicator = communicator
        self.placement = placement
        self.blockRows = RowBlocks.rows
        self.scaledTolerance = scaledTolerance
        n = kernel.rowCount
        k = centres.rowCount
        d = centres.columnCount
        labels = AlignedBuffer(count: n, repeating: -1)
        summedLabels = AlignedBuffer(count: n, repeating: -1)
        fullPassNearest = NearestCentres(rowCount: n)
        best = fullPassNearest.best
        upper = AlignedBuffer(count: n, repeating: 0)
        lower = AlignedBuffer(count: n, repeating: 0)
        localSums = ExactSum(count: k * d)
    }

    func run(progress: ((KMeansIteration) -> Void)?) -> KMeansResult {
        let clock = ContinuousClock()
        var history: [KMeansIteration] = []
        var converged = false
        var iterations = 0
        var halfSeparation = [Float](repeating: 0, count: k)
        let sums = AlignedBuffer<Float>(count: k * d, repeating: 0)
        for iteration in 1...settings.maxIterations {
            let start = clock.now
            iterations = iteration
            let (changedLocal, skippedLocal) = settings.useBounds && boundsValid
                ? boundedPass(halfSeparation: halfSeparation)
                : fullPass()
            let assigned = clock.now
            var counters = [Double(changedLocal), Double(skippedLocal)]
            communicator.allreduceSum(&counters)

            // Update: local sums and counts → allreduce → new centres.
            var counts = [Double](repeating: 0, count: k)
            for i in 0..<n { counts[Int(labels[i])] += 1 }
            communicator.allreduceSum(&counts)
            updateLocalSums(changed: Int(counters[0]))
            let relocated = relocateEmptyClusters(counts: &counts)
            var total = localSums
            communicator.allreduce(&total)
            total.write(to: sums.buffer)

            let (shifts, newNorms) = moveCentres(sums: sums, counts: counts)
            var objective = totalSquaredNorm
            var shiftTotal = 0.0
            for c in 0..<k {
                if counts[c] > 0 { objective -= counts[c] * newNorms[c] }
                shiftTotal += shifts[c]
            }
            let shiftDistances = shifts.map { Float($0.squareRoot()) }
            if settings.useBounds {
                if relocated > 0 {
                    boundsValid = false
                } else {
                    updateBounds(shifts: shiftDistances)
                    halfSeparation = halfSeparations()
                    boundsValid = true
                }
            }
            let stats = KMeansIteration(iteration: iteration, objective: max(0, objective), centreShift: shiftTotal,
                                        changedLabels: Int(counters[0]), skippedRows: Int(counters[1]),
                                        relocatedClusters: relocated, seconds: (clock.now - start).inSeconds,
                                        assignSeconds: (assigned - start).inSeconds, updateSeconds: (clock.now - assigned).inSeconds)
            history.append(stats)
            progress?(stats)
            if iteration > 1 && counters[0] == 0 && relocated == 0 {
                converged = true
                break
            }
            if shiftTotal <= scaledTolerance && relocated == 0 {
                converged = true
                break
            }
        }
        // Final assignment so that labels match the returned centres; exact distances for the inertia.
        _ = fullPass()
        var counts = [Double](repeating: 0, count: k)
        for i in 0..<n { counts[Int(labels[i])] += 1 }
        communicator.allreduceSum(&counts)
        let inertia = communicator.exactSum(UnsafeBufferPointer(start: best.pointer, count: n))
        return KMeansResult(centres: table.matrix, labels: labels.toArray(), distances: best.toArray(),
                            sizes: counts.map { Int($0) }, inertia: inertia, iterations: iterations,
                            converged: converged, history: history, initSeconds: 0, fitSeconds: 0,
                            restartInertias: [], chosenRestart: 0, scaledTolerance: scaledTolerance)
    }

    private lazy var totalSquaredNorm: Double = kernel.rowNorms.withUnsafeBufferPointer { communicator.exactSum($0) }

    /// Sets every centre with rows to the mean of its rows (sums / count), writing both layouts of the
    /// table in one pass over fixed column blocks. Returns each centre's squared shift and squared norm
    /// (partials reduced in block order, so independent of the thread count).
    func moveCentres(sums: AlignedBuffer<Float>, counts: [Double]) -> (shifts: [Double], norms: [Double]) {
        let k = k, d = d, kp = table.kp
        let blockColumns = CentroidTable.normBlock
        let blocks = Parallel.chunkCount(max(d, 1), chunkSize: blockColumns)
        let partial = AlignedBuffer<Double>(count: 2 * blocks * k, repeating: 0)
        let scales = counts.map { $0 > 0 ? Float(1 / $0) : 0 }
        let transposed = table.transposed.pointer
        table.centres.withUnsafeMutableBufferPointer { centresBuffer in
            let centres = centresBuffer.baseAddress!
            scales.withUnsafeBufferPointer { scale in
                Parallel.forEachChunk(count: d, chunkSize: blockColumns) { block, columns in
                    let shiftOut = partial.pointer + 2 * block * k, normOut = shiftOut + k
                    for c in 0..<k {
                        let row = centres + c * d, sum = sums.pointer + c * d
                        var shift: Float = 0, norm: Float = 0
                        if scale[c] > 0 {
                            for j in columns {
                                let value = sum[j] * scale[c]
                                let delta = value - row[j]
                                shift += delta * delta
                                norm += value * value
                                row[j] = value
                                transposed[j * kp + c] = value
                            }
                        } else {
                            for j in columns { norm += row[j] * row[j] }
                        }
                        shiftOut[c] = Double(shift)
                        normOut[c] = Double(norm)
                    }
                }
            }
        }
        var shifts = [Double](repeating: 0, count: k), norms = [Double](repeating: 0, count: k)
        for block in 0..<blocks {
            for c in 0..<k {
                shifts[c] += partial[2 * block * k + c]
                norms[c] += partial[2 * block * k + k + c]
            }
        }
        for c in 0..<k { table.norms[c] = Float(norms[c]) }
        return (shifts, norms)
    }

    /// Brings the local per-centre sums up to date with `labels`: recomputed block by block when many
    /// rows moved (`changed`, over all ranks, against all ranks' rows, so every rank takes the same
    /// branch), otherwise by moving just the rows that changed. Both ways are exact sums.
    func updateLocalSums(changed: Int) {
        if changed * 8 > placement.totalRows || !sumsValid {
            sumsValid = true
            localSums = accumulator.exactSums(labels: labels.pointer, k: k, blockRows: blockRows)
            summedLabels.pointer.update(from: labels.pointer, count: n)
            return
        }
        for i in 0..<n where labels[i] != summedLabels[i] {
            accumulator.addExact(row: i, scale: -1, toCluster: Int(summedLabels[i]), sums: &localSums)
            accumulator.addExact(row: i, scale: 1, toCluster: Int(labels[i]), sums: &localSums)
            summedLabels[i] = labels[i]
        }
    }

    /// Every row against every centre. Returns (changed labels, skipped rows = 0).
    func fullPass() -> (Int, Int) {
        let chunks = Parallel.chunkCount(max(n, 1), chunkSize: KMeans.rowChunk)
        let changed = AlignedBuffer<Int>(count: chunks, repeating: 0)
        let labels = labels, upper = upper, lower = lower
        let scratch = fullPassNearest.labels, best = fullPassNearest.best, second = fullPassNearest.second
        kernel.assignNearest(table: table, into: fullPassNearest) { chunk, range in
            var moved = 0
            for i in range {
                if scratch[i] != labels[i] { moved += 1; labels[i] = scratch[i] }
                upper[i] = best[i].squareRoot()
                lower[i] = second[i].squareRoot()
            }
            changed[chunk] = moved
        }
        return ((0..<chunks).reduce(0) { $0 + changed[$1] }, 0)
    }

    /// Hamerly's pass: a row is re-examined only when its upper bound exceeds both its lower bound and
    /// half the distance from its centre to the nearest other centre.
    func boundedPass(halfSeparation: [Float]) -> (Int, Int) {
        let chunks = Parallel.chunkCount(max(n, 1), chunkSize: KMeans.rowChunk)
        let changed = AlignedBuffer<Int>(count: chunks, repeating: 0)
        let skipped = AlignedBuffer<Int>(count: chunks, repeating: 0)
        let kernel = kernel, table = table
        let labels = labels, best = best, upper = upper, lower = lower
        halfSeparation.withUnsafeBufferPointer { separation in
            Parallel.forEachChunk(count: n, chunkSize: KMeans.rowChunk) { chunk, range in
                var moved = 0, skip = 0
                for i in range {
                    let a = Int(labels[i])
                    let bound = max(separation[a], lower[i])
                    if upper[i] <= bound { skip += 1; continue }
                    let own = kernel.squaredDistance(row: i, centre: a, table: table)
                    let tight = own.squareRoot()
                    upper[i] = tight
                    best[i] = own
                    if tight <= bound { skip += 1; continue }
                    let nearest = kernel.nearest(row: i, table: table)
                    if nearest.label != labels[i] { moved += 1; labels[i] = nearest.label }
                    best[i] = nearest.best
                    upper[i] = nearest.best.squareRoot()
                    lower[i] = nearest.second.squareRoot()
                }
                changed[chunk] = moved
                skipped[chunk] = skip
            }
        }
        return ((0..<chunks).reduce(0) { $0 + changed[$1] }, (0..<chunks).reduce(0) { $0 + skipped[$1] })
    }

    /// After the centres moved by `shifts`: each upper bound grows by its centre's move, each lower
    /// bound shrinks by the largest move of any other centre.
    func updateBounds(shifts: [Float]) {
        var largest = 0, largestValue: Float = 0, secondValue: Float = 0
        for c in 0..<k {
            if shifts[c] > largestValue {
                secondValue = largestValue
                largestValue = shifts[c]
                largest = c
            } else if shifts[c] > secondValue {
                secondValue = shifts[c]
            }
        }
        let labels = labels, upper = upper, lower = lower
        let (l, lv, sv) = (largest, largestValue, secondValue)
        shifts.withUnsafeBufferPointer { shift in
            Parallel.forEachChunk(count: n, chunkSize: 16384) { _, range in
                for i in range {
                    let a = Int(labels[i])
                    upper[i] += shift[a]
                    lower[i] = max(0, lower[i] - (a == l ? sv : lv))
                }
            }
        }
    }

    /// Half the distance from each centre to its nearest other centre.
    func halfSeparations() -> [Float] {
        guard k > 1 else { return [Float.infinity] }
        let squared = table.pairwiseSquaredDistances()
        return (0..<k).map { a in
            var m = Float.infinity
            for b in 0..<k where b != a { m = min(m, squared[a * k + b]) }
            return 0.5 * m.squareRoot()
        }
    }

    /// Refills empty clusters with the rows farthest from their centres (over all ranks): each such row
    /// leaves its cluster's sums and becomes the empty cluster's only member. Returns how many were refilled.
    /// Candidates are ranked by distance, then by global row index, so the choice does not depend on
    /// how rows are spread over ranks.
    func relocateEmptyClusters(counts: inout [Double]) -> Int {
        let empty = (0..<k).filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return 0 }
        // Local candidates: the |empty| farthest rows (upper bound = exact distance after a full pass).
        let m = empty.count
        var order = Array(0..<n)
        order.sort { upper[$0] != upper[$1] ? upper[$0] > upper[$1] : $0 < $1 }
        var local: [Double] = []
        for t in 0..<m {
            if t < order.count {
                let i = order[t]
                local += [Double(upper[i]), Double(placement.firstRow + i), Double(labels[i]), 1]
            } else {
                local += [-1, -1, -1, 0]
            }
        }
        let gathered = communicator.allgather(local)
        var candidates: [(distance: Double, row: Int, label: Int)] = []
        for t in stride(from: 0, to: gathered.count, by: 4) where gathered[t + 3] > 0 {
            candidates.append((gathered[t], Int(gathered[t + 1]), Int(gathered[t + 2])))
        }
        candidates.sort { $0.distance != $1.distance ? $0.distance > $1.distance : $0.row < $1.row }
        var refilled = 0
        for (target, candidate) in zip(empty, candidates) {
            // Never empty another cluster to fill this one.
            guard counts[candidate.label] > 1 else { continue }
            counts[candidate.label] -= 1
            counts[target] = 1
            let local = candidate.row - placement.firstRow
            if local >= 0 && local < n {
                accumulator.addExact(row: local, scale: -1, toCluster: candidate.label, sums: &localSums)
                accumulator.addExact(row: local, scale: 1, toCluster: target, sums: &localSums)
                labels[local] = Int32(target)
                summedLabels[local] = Int32(target)
            }
            refilled += 1
        }
        return refilled
    }
}
