import CMPI
import Foundation
import LinearAlgebra

/// `Communicator` over Open MPI: the ranks of `MPI_COMM_WORLD` (one per process started by `mpirun`
/// or `srun`). Build with `make mpi`; get one from `MPIRuntime.startIfLaunched()`.
///
/// - Floating-point sums are an allgather of every rank's buffer followed by a local sum in rank
///   order, so every rank computes the same additions in the same order and gets the same bits
///   (`MPI_Allreduce` leaves the order to the library and the network). They move `size` times
///   the data of a reduction; sums that are large or frequent should be exact (`ExactSum`) instead.
/// - 128-bit integer sums use a reduction of their own (`MPI_Op_create`, commutative, wrapping add):
///   integer addition is exact, so MPI may add in any order.
/// - Byte collectives first share the byte counts, then move the bytes in rounds of at most
///   `chunkBytes` per rank, so MPI's `int` counts never overflow, whatever the sizes.
///
/// Threads: MPI runs at `MPI_THREAD_FUNNELED`; every collective must be called from the main
/// thread (the one that started MPI), by every rank, in the same order.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    /// Default largest piece of one rank's part moved by one MPI call: 256 MiB.
    public static let defaultChunkBytes = 1 << 28

    public let rank: Int
    public let size: Int
    /// Largest piece of one rank's part moved by one MPI call (capped so a call's total fits in `Int32`).
    public let chunkBytes: Int

    private let lock = NSLock()
    private var sentBytes = 0

    /// A communicator over `MPI_COMM_WORLD`; MPI must be running (`MPIRuntime.startIfLaunched()`).
    /// Several communicators may exist at once (they share the ranks; only `chunkBytes` differs).
    public init(chunkBytes: Int = MPICommunicator.defaultChunkBytes) {
        precondition(MPIRuntime.isRunning, "MPICommunicator needs MPI to be running: start it with MPIRuntime.startIfLaunched()")
        precondition(chunkBytes > 0, "chunkBytes must be positive")
        rank = Int(tessera_mpi_rank())
        size = Int(tessera_mpi_size())
        self.chunkBytes = chunkBytes
    }

    /// Payload bytes this rank has handed to collectives as its own contribution (byte counts
    /// included; what MPI relays for other ranks is not counted). Thread-safe; never reset.
    public var bytesCommunicated: Int { lock.withLock { sentBytes } }

    private func sent(_ bytes: Int) { lock.withLock { sentBytes += bytes } }

    /// The name of the machine this rank runs on (`MPI_Get_processor_name`).
    public var processorName: String {
        var name = [CChar](repeating: 0, count: Int(tessera_mpi_max_processor_name()) + 1)
        check(tessera_mpi_processor_name(&name), "MPI_Get_processor_name")
        return String(cString: name)
    }

    // MARK: sums

    public func allreduceSum(_ buffer: inout [Double]) {
        buffer.withUnsafeMutableBufferPointer { sumInRankOrder($0) }
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        sumInRankOrder(buffer)
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int128>) {
        if size == 1 || buffer.isEmpty { return }
        guard let sum = MPIRuntime.int128Sum else { preconditionFailure("MPI has been finished") }
        let perCall = max(1, min(chunkBytes / MemoryLayout<Int128>.stride, Int(Int32.max)))
        var start = 0
        while start < buffer.count {
            let count = min(perCall, buffer.count - start)
            checkThread()
            check(tessera_mpi_allreduce_sum_int128(buffer.baseAddress! + start, Int32(count), sum.type, sum.op), "MPI_Allreduce (128-bit sum)")
            start += count
        }
        sent(buffer.count * MemoryLayout<Int128>.stride)
    }

    /// Every rank's buffer (the same count on every rank), then the sum in rank order.
    private func sumInRankOrder<T: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<T>) {
        let n = buffer.count
        if size == 1 || n == 0 { return }
        let stride = MemoryLayout<T>.stride
        let all = allgatherv(UnsafeRawBufferPointer(buffer), counts: [Int](repeating: n * stride, count: size))
        all.withUnsafeBytes { raw in
            for t in 0..<n {
                var total = raw.loadUnaligned(fromByteOffset: t * stride, as: T.self)
                for r in 1..<size { total += raw.loadUnaligned(fromByteOffset: (r * n + t) * stride, as: T.self) }
                buffer[t] = total
            }
        }
    }

    // MARK: bytes

    public func allgather(bytes: [UInt8]) -> [[UInt8]] {
        if size == 1 { return [bytes] }
        let counts = allgatherCounts(bytes.count)
        let flat = bytes.withUnsafeBytes { allgatherv($0, counts: counts) }
        return split(flat, counts: counts)
    }

    public func broadcast(bytes: [UInt8], root: Int) -> [UInt8] {
        precondition((0..<size).contains(root), "root \(root) is not a rank of \(size)")
        if size == 1 { return bytes }
        var count = [Int64(rank == root ? bytes.count : 0)]
        broadcastInPlace(&count, root: root)
        if rank == root {
            bytes.withUnsafeBytes { broadcastChunks(UnsafeMutableRawBufferPointer(mutating: $0), root: root) }   // root only reads
            sent(bytes.count)
            return bytes
        }
        var out = [UInt8](repeating: 0, count: Int(count[0]))
        out.withUnsafeMutableBytes { broadcastChunks($0, root: root) }
        return out
    }

    public func scatter(parts: [[UInt8]], root: Int) -> [UInt8] {
        precondition((0..<size).contains(root), "root \(root) is not a rank of \(size)")
        if size == 1 { return parts.first ?? [] }
        var counts64 = [Int64](repeating: 0, count: size)
        if rank == root {
            precondition(parts.count == size, "scatter needs one part per rank (\(parts.count) parts for \(size) ranks)")
            counts64 = parts.map { Int64($0.count) }
        }
        broadcastInPlace(&counts64, root: root)
        let counts = counts64.map(Int.init)
        let rounds = TransferRounds(counts: counts, chunk: chunkBytes)
        let staging = rank == root ? UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(counts.reduce(0, +), rounds.chunk * size)), alignment: 16) : nil
        defer { staging?.deallocate() }
        if rank == root { sent(counts.reduce(0, +)) }
        return [UInt8](unsafeUninitializedCapacity: counts[rank]) { out, initialized in
            for round in rounds {
                if let staging {
                    for r in 0..<size where round.counts[r] > 0 {
                        parts[r].withUnsafeBytes { part in
                            (staging.baseAddress! + Int(round.displacements[r])).copyMemory(
                                from: part.baseAddress! + round.offsets[r], byteCount: Int(round.counts[r]))
                        }
                    }
                }
                checkThread()
                check(tessera_mpi_scatterv_bytes(staging?.baseAddress, round.counts, round.displacements,
                                                 out.baseAddress.map { UnsafeMutableRawPointer($0) + round.offsets[rank] },
                                                 round.counts[rank], Int32(root)), "MPI_Scatterv")
            }
            initialized = counts[rank]
        }
    }

    public func gather(bytes: [UInt8], root: Int) -> [[UInt8]]? {
        precondition((0..<size).contains(root), "root \(root) is not a rank of \(size)")
        if size == 1 { return [bytes] }
        let counts = allgatherCounts(bytes.count)   // every rank needs them to make the same rounds
        let flat = bytes.withUnsafeBytes { send in
            moveInRounds(send: send, counts: counts, receiving: rank == root) { round, piece, target in
                tessera_mpi_gatherv_bytes(piece, round.counts[self.rank], target, round.counts, round.displacements, Int32(root))
            }
        }
        return rank == root ? split(flat, counts: counts) : nil
    }

    /// Waits asleep (checking every millisecond), so ranks that wait for rank 0 leave its cores free.
    public var backend: String { "mpi" }

    public func barrier() {
        if size == 1 { return }
        checkThread()
        check(tessera_mpi_barrier_sleeping(1_000), "MPI_Ibarrier")
    }

    // MARK: helpers

    /// Every rank's `count`, in rank order.
    private func allgatherCounts(_ count: Int) -> [Int] {
        var out = [Int64](repeating: 0, count: size)
        checkThread()
        check(tessera_mpi_allgather_int64(Int64(count), &out), "MPI_Allgather (byte counts)")
        sent(MemoryLayout<Int64>.size)
        return out.map(Int.init)
    }

    /// Every rank's bytes, concatenated in rank order (`counts` known on every rank).
    private func allgatherv(_ send: UnsafeRawBufferPointer, counts: [Int]) -> [UInt8] {
        moveInRounds(send: send, counts: counts, receiving: true) { round, piece, target in
            tessera_mpi_allgatherv_bytes(piece, round.counts[self.rank], target, round.counts, round.displacements)
        }
    }

    /// Runs one MPI call per round: this rank's piece of `send` goes out; where `receiving`, every
    /// rank's piece comes back (into the result directly when one round moves everything, else into
    /// a staging buffer whose pieces are copied into place). The result holds every rank's part
    /// back to back in rank order (empty where not receiving).
    private func moveInRounds(send: UnsafeRawBufferPointer, counts: [Int], receiving: Bool,
                              call: (TransferRounds.Round, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32) -> [UInt8] {
        precondition(send.count == counts[rank])
        let rounds = TransferRounds(counts: counts, chunk: chunkBytes)
        let total = receiving ? counts.reduce(0, +) : 0
        var starts = [Int](repeating: 0, count: size)
        for r in 1..<max(1, size) { starts[r] = starts[r - 1] + counts[r - 1] }
        let direct = rounds.isSingleRound
        let staging = receiving && !direct ? UnsafeMutableRawBufferPointer.allocate(byteCount: min(total, rounds.chunk * size), alignment: 16) : nil
        defer { staging?.deallocate() }
        sent(send.count)
        return [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            let result = UnsafeMutableRawBufferPointer(out)
            for round in rounds {
                let piece = send.baseAddress.map { $0 + round.offsets[rank] }
                let target = receiving ? (direct ? result.baseAddress : staging?.baseAddress) : nil
                checkThread()
                check(call(round, piece, target), "collective on bytes")
                if let staging {
                    for r in 0..<size where round.counts[r] > 0 {
                        (result.baseAddress! + starts[r] + round.offsets[r]).copyMemory(
                            from: staging.baseAddress! + Int(round.displacements[r]), byteCount: Int(round.counts[r]))
                    }
                }
            }
            initialized = total
        }
    }

    private func broadcastInPlace(_ values: inout [Int64], root: Int) {
        values.withUnsafeMutableBytes { raw in
            checkThread()
            check(tessera_mpi_bcast_bytes(raw.baseAddress, Int32(raw.count), Int32(root)), "MPI_Bcast (byte counts)")
        }
        if rank == root { sent(values.count * MemoryLayout<Int64>.size) }
    }

    private func broadcastChunks(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        let chunk = max(1, min(chunkBytes, Int(Int32.max)))
        var start = 0
        while start < buffer.count {
            let count = min(chunk, buffer.count - start)
            checkThread()
            check(tessera_mpi_bcast_bytes(buffer.baseAddress! + start, Int32(count), Int32(root)), "MPI_Bcast")
            start += count
        }
    }

    private func split(_ flat: [UInt8], counts: [Int]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        parts.reserveCapacity(counts.count)
        var start = 0
        for count in counts {
            parts.append(Array(flat[start..<(start + count)]))
            start += count
        }
        return parts
    }

    private func checkThread() {
        precondition(Thread.isMainThread, "MPI runs at MPI_THREAD_FUNNELED: call collectives from the main thread only")
    }

    private func check(_ code: Int32, _ call: String) {
        if code != 0 { MPIRuntime.fail(message: "\(call) failed with MPI error \(code)", code: 1) }
    }
}
