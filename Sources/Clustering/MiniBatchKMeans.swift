import Foundation
import LinearAlgebra

/// Mini-batch k-means (Sculley 2010) with scikit-learn's per-centre learning rate: each centre moves
/// towards the mean of its batch members with weight `batch count / total count so far`. Batches are
/// drawn from a `RowSource` (a seeded permutation of the rows per epoch), so the matrix never has to
/// be in memory at once; the final assignment streams over the rows in contiguous blocks.
public enum MiniBatchKMeans {
    public static func fit(_ source: RowSource, settings: KMeansSettings,
                           progress: ((KMeansIteration) -> Void)? = nil) throws -> KMeansResult {
        try settings.validate(rowCount: source.rowCount)
        let clock = ContinuousClock()
        let started = clock.now
        let n = source.rowCount, d = source.columnCount, k = settings.k
        var rng = SeededGenerator(seed: settings.seed, stream: 0)

        func prepare(_ batch: ClusteringData) throws -> (ClusteringData, [Float]) {
            try batch.checkFinite()
            let norms = batch.rowSquaredNorms()
            return settings.metric == .cosine ? batch.unitRows(norms: norms) : (batch, norms)
        }

        // Initialise on a random sample of 3 × batch size rows (scikit-learn's init_size).
        let initStart = clock.now
        let sampleSize = min(n, max(3 * settings.batchSize, k))
        let sampleRows = Initializer.randomRows(count: sampleSize, from: n, rng: &rng).sorted()
        let (sample, sampleNorms) = try prepare(try source.rows(at: sampleRows))
        var initSettings = settings
        if initSettings.initialization == .kmeansParallel { initSettings.initialization = .kmeansPlusPlus }
        let sampleKernel = makeAssignmentKernel(sample, rowNorms: sampleNorms)
        let sampleAccumulator = makeAccumulator(sample)
        let initial = try Initializer.centres(sample, norms: sampleNorms, kernel: sampleKernel, accumulator: sampleAccumulator,
                                              settings: initSettings, communicator: SingleProcessCommunicator(), rng: &rng)
        let initSeconds = (clock.now - initStart).inSeconds

        let table = CentroidTable(centres: initial)
        var counts = [Double](repeating: 0, count: k)
        var history: [KMeansIteration] = []
        var smoothed: Double? = nil
        var bestSmoothed = Double.infinity
        var sinceImprovement = 0
        var batchNumber = 0
        var converged = false
        let sums = AlignedBuffer<Float>(count: k * d, repeating: 0)
        let batchesPerEpoch = (n + settings.batchSize - 1) / settings.batchSize
        let maxBatches = min(settings.maxIterations * batchesPerEpoch, settings.maxEpochs * batchesPerEpoch)
        training: for _ in 0..<settings.maxEpochs {
            var permutation = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { permutation.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            for b in 0..<batchesPerEpoch {
                let batchStart = clock.now
                batchNumber += 1
                let indices = Array(permutation[(b * settings.batchSize)..<min(n, (b + 1) * settings.batchSize)]).sorted()
                let (batch, norms) = try prepare(try source.rows(at: indices))
                let kernel = makeAssignmentKernel(batch, rowNorms: norms)
                let m = batch.rowCount
                let assigned = kernel.nearestCentres(table: table)
                let labels = assigned.labels, best = assigned.best
                // Per-centre update: c ← (c · count + Σ batch members) / (count + members).
                // Batch sums, row by row (a batch touches few entries; no transposed copy needed).
                sums.fill(0)
                var members = [Double](repeating: 0, count: k)
                var inertia = 0.0
                for i in 0..<m {
                    batch.add(row: i, scale: 1, toCluster: Int(labels[i]), sums: sums.buffer)
                    members[Int(labels[i])] += 1
                    inertia += Double(best[i])
                }
                // Move each centre that won rows, writing both of the table's layouts in the same pass.
                var shift = 0.0
                let kp = table.kp
                table.centres.withUnsafeMutableBufferPointer { centres in
                    let transposed = table.transposed.pointer
                    for c in 0..<k where members[c] > 0 {
                        let total = counts[c] + members[c]
                        let keep = Float(counts[c] / total), scale = Float(1 / total)
                        let row = centres.baseAddress! + c * d, sum = sums.pointer + c * d
                        var moved: Float = 0, norm: Float = 0
                        for j in 0..<d {
                            let old = row[j]
                            let new = old * keep + sum[j] * scale
                            row[j] = new
                            transposed[j * kp + c] = new
                            moved += (new - old) * (new - old)
                            norm += new * new
                        }
                        table.norms[c] = norm
                        shift += Double(moved)
                        counts[c] = total
                    }
                }
                // Early stop on the smoothed per-row batch inertia (scikit-learn's max_no_improvement).
                let perRow = inertia / Double(max(1, m))
                let alpha = min(1, 2 * Double(m) / Double(n + 1))
                smoothed = smoothed.map { $0 * (1 - alpha) + perRow * alpha } ?? perRow
                if smoothed! < bestSmoothed {
                    bestSmoothed = smoothed!
                    sinceImprovement = 0
                } else {
                    sinceImprovement += 1
                }
                let stats = KMeansIteration(iteration: batchNumber, objective: smoothed!, centreShift: shift,
                                            changedLabels: 0, skippedRows: 0, relocatedClusters: 0,
                                            seconds: (clock.now - batchStart).inSeconds)
                history.append(stats)
                progress?(stats)
                if sinceImprovement >= settings.miniBatchPatience {
                    converged = true
                    break training
                }
                if batchNumber >= maxBatches { break training }
            }
            // Centres that never won a row are reseeded from random rows of the next epoch.
            for c in 0..<k where counts[c] == 0 {
                let row = try prepare(try source.rows(at: [Int(rng.next() % UInt64(n))])).0
                let dense = row.denseRow(0)
                table.centres.replaceSubrange((c * d)..<((c + 1) * d), with: dense)
            }
            table.refresh()
        }
        // Final assignment, streamed in contiguous blocks.
        var labels = [Int32](repeating: 0, count: n)
        var distances = [Float](repeating: 0, count: n)
        var sizes = [Int](repeating: 0, count: k)
        var inertia = 0.0
        let block = 65_536
        var start = 0
        while start < n {
            let end = min(n, start + block)
            let (rows, norms) = try prepare(try source.rows(start..<end))
            let kernel = makeAssignmentKernel(rows, rowNorms: norms)
            let m = end - start
            let assigned = kernel.nearestCentres(table: table)
            let l = assigned.labels, best = assigned.best
            var blockInertia = 0.0
            for i in 0..<m {
                labels[start + i] = l[i]
                distances[start + i] = best[i]
                sizes[Int(l[i])] += 1
                blockInertia += Double(best[i])
            }
            inertia += blockInertia
            start = end
        }
        return KMeansResult(centres: table.matrix, labels: labels, distances: distances, sizes: sizes, inertia: inertia,
                            iterations: batchNumber, converged: converged, history: history, initSeconds: initSeconds,
                            fitSeconds: (clock.now - started).inSeconds, restartInertias: [inertia], chosenRestart: 0,
                            scaledTolerance: 0)
    }
}
