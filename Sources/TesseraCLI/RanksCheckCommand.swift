import ArgumentParser
import Foundation
import LinearAlgebra
#if TESSERA_MPI
import MPIBackend
#endif

/// `tessera ranks-check` (hidden): every collective of `Ranks.communicator` against values each rank
/// can compute on its own, as one JSON object from rank 0. Run it as `mpirun -np 3 tessera
/// ranks-check` to check an MPI installation (hostfile, network, launcher) before a long job.
struct RanksCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranks-check",
        abstract: "Check every collective over this job's ranks and print one JSON object (rank 0).",
        discussion: "Exit codes: 0 every result matched on every rank, 1 a result did not match.",
        shouldDisplay: false
    )

    @Option(name: .customLong("fail-on-rank"), help: ArgumentHelp("Rank that stops the job after the first collective.", visibility: .hidden))
    var failOnRank: Int?
    @Option(name: .customLong("exit-code"), help: ArgumentHelp("Exit code for --fail-on-rank.", visibility: .hidden))
    var exitCode: Int32 = 1
    @Flag(help: "Also time the 128-bit allreduce, the byte allgather and the Double allreduce at several sizes.")
    var benchmark = false

    func validate() throws {
        if let failOnRank, failOnRank < 0 { throw ValidationError("--fail-on-rank must be a rank (0 or more)") }
        if !(1...255).contains(exitCode) { throw ValidationError("--exit-code must be in 1...255") }
    }

    struct Report: Encodable {
        var size: Int
        var backend: String
        var processors: [String]
        var checks: [String: Bool]
        var allMatched: Bool
        /// The bit patterns (hex) of the exact sums of the Float test values: the same for any number of ranks.
        var exactFloatSumBits: String
        /// Payload bytes each rank sent through collectives during the checks.
        var bytesCommunicated: [Int]
        var benchmark: [CollectiveBenchmark.Entry]?
    }

    func run() throws {
        let comm = Ranks.communicator
        var checks = CollectiveChecks(comm: comm)
        checks.sums()   // the first collective
        if failOnRank == comm.rank {
            Ranks.fail("ranks-check stops the job on rank \(comm.rank) as asked (--fail-on-rank)", code: exitCode)
        }
        checks.bytes(large: true)
        #if TESSERA_MPI
        if comm is MPICommunicator {
            // Tiny pieces: every transfer takes many rounds, as a multi-GiB one would with the default.
            var small = CollectiveChecks(comm: MPICommunicator(chunkBytes: 3), prefix: "small_chunks.")
            small.sums()
            small.bytes(large: false)
            checks.results += small.results
            checks.record("small_chunks.same_sums", small.sumBits == checks.sumBits)
        }
        #endif
        let everyRank = comm.allgather(bytes: checks.sumBits)
        checks.record("identical_on_every_rank", everyRank.allSatisfy { $0 == checks.sumBits })

        var name = ProcessInfo.processInfo.hostName
        #if TESSERA_MPI
        if let mpi = comm as? MPICommunicator { name = mpi.processorName }
        #endif
        let processors = comm.allgather(bytes: Array(name.utf8)).map { String(decoding: $0, as: UTF8.self) }
        let flags = checks.results.map { UInt8($0.matched ? 1 : 0) }
        let gathered = comm.gather(bytes: flags, root: 0)
        let sent = comm.gather(bytes: ByteCoding.bytes(of: [Int64(Ranks.bytesCommunicated)]), root: 0)
        var matched: [String: Bool] = [:]
        if let gathered {
            for (i, result) in checks.results.enumerated() {
                matched[result.name] = gathered.allSatisfy { $0.count == flags.count && $0[i] == 1 }
            }
        }
        let allMatched = comm.broadcast(bytes: [matched.values.allSatisfy { $0 } ? 1 : 0], root: 0) == [1]
        let timings = benchmark ? CollectiveBenchmark.run(comm) : nil
        if comm.rank == 0 {
            let report = Report(size: comm.size, backend: Ranks.backend, processors: processors, checks: matched,
                                allMatched: allMatched,
                                exactFloatSumBits: checks.exactSumBits.map { String(format: "%08x", $0) }.joined(separator: " "),
                                bytesCommunicated: (sent ?? []).map { Int((ByteCoding.values($0) as [Int64])[0]) },
                                benchmark: timings)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        }
        Ranks.finish()
        if !allMatched { Foundation.exit(1) }
    }
}

/// The collectives of a communicator against expected values every rank computes alone.
struct CollectiveChecks {
    let comm: Communicator
    var prefix = ""
    var results: [(name: String, matched: Bool)] = []
    /// The bytes of every floating-point result, to compare across ranks and communicators.
    var sumBits: [UInt8] = []
    var exactSumBits: [UInt32] = []

    var rank: Int { comm.rank }
    var size: Int { comm.size }

    mutating func record(_ name: String, _ matched: Bool) { results.append((prefix + name, matched)) }

    /// Rank-dependent content and lengths (rank 0, salt 0: empty).
    static func bytes(rank: Int, salt: Int, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: rank &* 31 &+ salt &* 7 &+ $0 &* 13 &+ 1) }
    }
    static func length(rank: Int, salt: Int) -> Int { ((rank + salt) * 5) % 9 }

    /// Double, Float and 128-bit sums, and an exact sum of Floats split over the ranks.
    mutating func sums() {
        func double(_ r: Int, _ t: Int) -> Double {
            [Double(r + 1), 0.1 * Double(r), -1e17 + Double(r), 1e-300 * Double(r + 1), 1 / Double(r + 3)][t]
        }
        var d = (0..<5).map { double(rank, $0) }
        comm.allreduceSum(&d)
        let dExpected = (0..<5).map { t in (1..<max(1, size)).reduce(double(0, t)) { $0 + double($1, t) } }
        record("allreduce_double", d.map(\.bitPattern) == dExpected.map(\.bitPattern))

        func float(_ r: Int, _ t: Int) -> Float { [Float(r) * 0.3, -Float(r + 1), 1e-30 * Float(r + 1), 3.5e7 + Float(r)][t] }
        var f = (0..<4).map { float(rank, $0) }
        f.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
        let fExpected = (0..<4).map { t in (1..<max(1, size)).reduce(float(0, t)) { $0 + float($1, t) } }
        record("allreduce_float", f.map(\.bitPattern) == fExpected.map(\.bitPattern))

        // Carries across the 64-bit words, negative values, wrap-around at Int128.max.
        func wide(_ r: Int, _ t: Int) -> Int128 {
            let r128 = Int128(r), t128 = Int128(t)
            switch t % 6 {
            case 0: return Int128(UInt64.max) &- r128
            case 1: return Int128(Int64.min) &* (r128 + 1)
            case 2: return Int128.max &- r128
            case 3: return (Int128(1) << 100) &* (r128 + 1) &+ t128
            case 4: return -(t128 &* r128)
            default: return (Int128(UInt64.max) << 63) ^ r128
            }
        }
        var w = (0..<600).map { wide(rank, $0) }
        w.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
        let wExpected = (0..<600).map { t in (0..<size).reduce(Int128(0)) { $0 &+ wide($1, t) } }
        record("allreduce_int128", w == wExpected)

        // The same Floats split into as many contiguous parts as there are ranks: exact sums give the same bits.
        var generator = SeededGenerator(seed: 2026)
        let values: [Float] = (0..<10_007).map { _ in
            Float(Double.random(in: -1...1, using: &generator) * pow(10, Double(Int.random(in: -6...6, using: &generator))))
        }
        let slots = 4
        var mine = ExactSum(count: slots)
        for i in (rank * values.count / size)..<((rank + 1) * values.count / size) { mine.add(Double(values[i]), at: i % slots) }
        mine.words.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
        var whole = ExactSum(count: slots)
        for i in values.indices { whole.add(Double(values[i]), at: i % slots) }
        record("exact_float_sum", mine == whole)
        exactSumBits = mine.floats.map(\.bitPattern)

        sumBits = ByteCoding.bytes(of: d) + ByteCoding.bytes(of: f) + ByteCoding.bytes(of: w) + ByteCoding.bytes(of: exactSumBits)
    }

    /// allgather (different lengths, rank 0 empty), broadcast, scatter and gather from rank 0 and from the last rank, barrier.
    mutating func bytes(large: Bool) {
        let parts = (0..<size).map { Self.bytes(rank: $0, salt: 1, count: Self.length(rank: $0, salt: 0)) }
        record("allgather", comm.allgather(bytes: parts[rank]) == parts)
        if large {
            let big = (0..<size).map { Self.bytes(rank: $0, salt: 5, count: (1 << 20) + 7 * $0) }
            record("allgather_large", comm.allgather(bytes: big[rank]) == big)
        }
        for (name, root) in [("root_0", 0), ("root_last", size - 1)] {
            let message = Self.bytes(rank: root, salt: 2, count: large ? 100_003 : 11)
            let offered = rank == root ? message : Self.bytes(rank: rank, salt: 9, count: 3)
            record("broadcast_" + name, comm.broadcast(bytes: offered, root: root) == message)

            let pieces = (0..<size).map { Self.bytes(rank: $0, salt: 3 + root, count: Self.length(rank: $0, salt: root + 1)) }
            record("scatter_" + name, comm.scatter(parts: rank == root ? pieces : [[7, 7]], root: root) == pieces[rank])

            let contributions = (0..<size).map { Self.bytes(rank: $0, salt: 4, count: Self.length(rank: $0, salt: root + 2)) }
            let gathered = comm.gather(bytes: contributions[rank], root: root)
            record("gather_" + name, rank == root ? gathered == contributions : gathered == nil)
        }
        comm.barrier()
        record("barrier", true)
    }
}

/// Per-call time of the collectives a distributed job leans on, at several payload sizes (rank 0's clock,
/// between barriers, so a call's time is that of the slowest rank).
enum CollectiveBenchmark {
    struct Entry: Encodable {
        var collective: String
        var bytesPerRank: Int
        var iterations: Int
        var microsecondsPerCall: Double
        /// `bytesPerRank` over the time of one call.
        var bytesPerSecond: Double
    }

    static func run(_ comm: Communicator) -> [Entry] {
        var entries: [Entry] = []
        for bytes in [16, 1024, 65_536, 1 << 20, 1 << 23] {
            let iterations = max(5, min(2000, (64 << 20) / bytes))   // the same on every rank
            var wide = [Int128](repeating: Int128(comm.rank), count: bytes / 16)
            entries.append(time(comm, "allreduce_int128", bytes, iterations) { wide.withUnsafeMutableBufferPointer { comm.allreduceSum($0) } })
            let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: comm.rank), count: bytes)
            entries.append(time(comm, "allgather_bytes", bytes, iterations) { _ = comm.allgather(bytes: payload) })
            var doubles = [Double](repeating: Double(comm.rank), count: bytes / 8)
            entries.append(time(comm, "allreduce_double", bytes, iterations) { comm.allreduceSum(&doubles) })
        }
        return entries
    }

    static func time(_ comm: Communicator, _ name: String, _ bytes: Int, _ iterations: Int, _ call: () -> Void) -> Entry {
        call()   // warm-up
        comm.barrier()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations { call() }
        comm.barrier()
        let seconds = (clock.now - start).inSeconds / Double(iterations)
        return Entry(collective: name, bytesPerRank: bytes, iterations: iterations, microsecondsPerCall: seconds * 1e6,
                     bytesPerSecond: Double(bytes) / seconds)
    }
}
