/// The collective operations an iterative algorithm needs to run over rows spread across processes.
///
/// k-means and NMF are written as *partial statistics over my rows → sum over ranks → the same
/// update on every rank*. `SingleProcessCommunicator` is the default; the MPI backend (built by
/// `make mpi`) implements this protocol over Open MPI.
///
/// Results must not depend on how many ranks there are. Floating-point sums do depend on their
/// grouping, so every sum that feeds a decision or an output is taken exactly: partial results over
/// fixed blocks of rows (`RowBlocks`) are converted to 64.64 fixed point (`ExactSum`) and summed as
/// integers, which gives the same bits in any order (`allreduceSum(_:)` on `Int128`).
public protocol Communicator: Sendable {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes taking part.
    var size: Int { get }
    /// Replaces `buffer` on every rank by the element-wise sum of all ranks' buffers.
    /// Implementations must sum in rank order so that every rank gets bit-identical results.
    func allreduceSum(_ buffer: inout [Double])
    /// `allreduceSum` for Float buffers.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// The exact element-wise sum of all ranks' 128-bit integers (wrapping; integer sums do not
    /// depend on their order).
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int128>)
    /// Every rank's bytes, in rank order (the counts may differ between ranks).
    func allgather(bytes: [UInt8]) -> [[UInt8]]
    /// Rank `root`'s bytes, on every rank (other ranks' `bytes` are ignored).
    func broadcast(bytes: [UInt8], root: Int) -> [UInt8]
    /// `parts[r]` of rank `root` delivered to rank r (other ranks' `parts` are ignored).
    func scatter(parts: [[UInt8]], root: Int) -> [UInt8]
    /// Every rank's bytes in rank order on `root`; nil on the other ranks.
    func gather(bytes: [UInt8], root: Int) -> [[UInt8]]?
    /// Returns once every rank has called it.
    func barrier()
    /// Bytes this process has sent through collectives so far (0 where nothing is sent).
    var bytesCommunicated: Int { get }
    /// What carries the collectives, as run.json and `ranks-check` name it ("mpi", "single-process", …).
    var backend: String { get }
}

extension Communicator {
    // Defaults built on `allgather(bytes:)`: correct on any backend, and a backend may do better.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int128>) {
        if size == 1 { return }
        let all = allgather(bytes: ByteCoding.bytes(of: UnsafeBufferPointer(buffer)))
        for t in buffer.indices { buffer[t] = 0 }
        for part in all {
            let values: [Int128] = ByteCoding.values(part)
            for t in buffer.indices { buffer[t] &+= values[t] }
        }
    }

    public func broadcast(bytes: [UInt8], root: Int) -> [UInt8] {
        if size == 1 { return bytes }
        return allgather(bytes: rank == root ? bytes : [])[root]
    }

    public func scatter(parts: [[UInt8]], root: Int) -> [UInt8] {
        if size == 1 { return parts.first ?? [] }
        // Each rank keeps its own part of everything root sent.
        var framed: [UInt8] = []
        if rank == root { framed = ByteCoding.frame(parts) }
        let all = allgather(bytes: framed)
        return ByteCoding.unframe(all[root])[rank]
    }

    public func gather(bytes: [UInt8], root: Int) -> [[UInt8]]? {
        let all = allgather(bytes: bytes)
        return rank == root ? all : nil
    }

    public func barrier() { _ = allgather(bytes: []) }

    public var bytesCommunicated: Int { 0 }

    public var backend: String { "threads" }

    /// Every rank's `values` concatenated in rank order (all ranks must pass the same count).
    package func allgather(_ values: [Double]) -> [Double] {
        if size == 1 { return values }
        return allgather(bytes: ByteCoding.bytes(of: values)).flatMap { ByteCoding.values($0) as [Double] }
    }

    /// The sum over ranks of a single value.
    package func sum(_ value: Double) -> Double {
        var buffer = [value]
        allreduceSum(&buffer)
        return buffer[0]
    }

    /// The sum over ranks of an exact accumulator.
    package func allreduce(_ sum: inout ExactSum) {
        if size == 1 { return }
        sum.words.withUnsafeMutableBufferPointer { allreduceSum($0) }
    }
}

/// The communicator of a run on one process: every collective is the identity.
public struct SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var backend: String { "single-process" }
    public func allreduceSum(_ buffer: inout [Double]) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int128>) {}
    public func allgather(bytes: [UInt8]) -> [[UInt8]] { [bytes] }
}

/// Plain-old-data arrays as bytes and back (same machine architecture on every rank), and lists of
/// byte strings framed into one.
public enum ByteCoding {
    public static func bytes<T>(of values: [T]) -> [UInt8] {
        values.withUnsafeBufferPointer { bytes(of: $0) }
    }

    public static func bytes<T>(of values: UnsafeBufferPointer<T>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(values))
    }

    public static func values<T>(_ bytes: [UInt8]) -> [T] {
        let count = bytes.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                if count > 0 { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: count * MemoryLayout<T>.stride) }
            }
            initialized = count
        }
    }

    /// Parts prefixed by their count and lengths (little-endian Int64).
    public static func frame(_ parts: [[UInt8]]) -> [UInt8] {
        var out = bytes(of: [Int64(parts.count)] + parts.map { Int64($0.count) })
        for part in parts { out += part }
        return out
    }

    public static func unframe(_ framed: [UInt8]) -> [[UInt8]] {
        guard framed.count >= 8 else { return [] }
        let count = Int((values(Array(framed[0..<8])) as [Int64])[0])
        let lengths = (values(Array(framed[8..<(8 + 8 * count)])) as [Int64]).map(Int.init)
        var parts: [[UInt8]] = []
        var p = 8 + 8 * count
        for length in lengths {
            parts.append(Array(framed[p..<(p + length)]))
            p += length
        }
        return parts
    }
}
