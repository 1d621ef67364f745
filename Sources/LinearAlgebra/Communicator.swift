/// The collective operations an iterative algorithm needs to run over rows spread across processes.
///
/// k-means and NMF are written as *partial statistics over my rows → `allreduceSum` → the same
/// update on every rank*. `SingleProcessCommunicator` is the default; a message-passing backend
/// (MPI) can implement this protocol later without touching the algorithms.
public protocol Communicator: Sendable {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes taking part.
    var size: Int { get }
    /// Replaces `buffer` on every rank by the element-wise sum of all ranks' buffers.
    /// Implementations must sum in rank order so that every rank gets bit-identical results.
    func allreduceSum(_ buffer: inout [Double])
    /// `allreduceSum` for Float buffers (centroid sums, factor products).
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
}

extension Communicator {
    /// Every rank's `values` concatenated in rank order (all ranks must pass the same count),
    /// built from `allreduceSum`: each rank fills its own slot of a zeroed buffer.
    package func allgather(_ values: [Double]) -> [Double] {
        if size == 1 { return values }
        var buffer = [Double](repeating: 0, count: values.count * size)
        for (t, v) in values.enumerated() { buffer[rank * values.count + t] = v }
        allreduceSum(&buffer)
        return buffer
    }

    /// The sum over ranks of a single value.
    package func sum(_ value: Double) -> Double {
        var buffer = [value]
        allreduceSum(&buffer)
        return buffer[0]
    }
}

/// The communicator of a run on one process: every collective is the identity.
public struct SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: inout [Double]) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
}
