import Foundation
import AudienceGenerator
import LinearAlgebra
import ProfileLoading

public enum Fixtures {
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static func dataset(_ relative: String) -> String {
        packageRoot.appendingPathComponent("datasets/" + relative).path
    }

    /// A planted audience loaded through the real loader (tf-idf, L2), with the planted segment of every
    /// row and its secondary segment (−1 for profiles planted in one segment only).
    public static func plantedWithSecondary(profiles: Int, segments: Int, interests: Int = 3000, seed: UInt64 = 11) throws -> (LoadedAudience, [Int], [Int]) {
        var s = GeneratorSettings()
        s.profiles = profiles
        s.segments = segments
        s.interests = interests
        s.seed = seed
        let g = try PlantedAudienceGenerator(settings: s)
        let path = NSTemporaryDirectory() + "tessera-planted-\(UUID().uuidString).jsonl"
        var bytes: [UInt8] = []
        var truth: [String: (Int, Int)] = [:]
        for chunk in 0..<g.chunkCount {
            bytes += g.jsonLines(inChunk: chunk)
            for p in g.profiles(inChunk: chunk) { truth[p.id] = (p.segment, p.secondary) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let audience = try ProfileLoader(settings: LoaderSettings()).load([path])
        return (audience, audience.profileIds.map { truth[$0]!.0 }, audience.profileIds.map { truth[$0]!.1 })
    }

    public static func planted(profiles: Int, segments: Int, interests: Int = 3000, seed: UInt64 = 11) throws -> (LoadedAudience, [Int]) {
        let (audience, primary, _) = try plantedWithSecondary(profiles: profiles, segments: segments, interests: interests, seed: seed)
        return (audience, primary)
    }

    /// A small random sparse matrix with clustered rows: `groups` groups share a set of columns.
    public static func clusteredSparse(rows: Int, columns: Int, groups: Int, seed: UInt64) -> CSRMatrix {
        var rng = SeededGenerator(seed: seed)
        var dense = DenseMatrix(rowCount: rows, columnCount: columns)
        for i in 0..<rows {
            let g = i % groups
            for _ in 0..<6 {
                let j = (g * columns / groups + Int(rng.next() % UInt64(max(1, columns / groups)))) % columns
                dense[i, j] += Float(1 + rng.next() % 3)
            }
            for _ in 0..<2 { dense[i, Int(rng.next() % UInt64(columns))] += 1 }
        }
        return CSRMatrix(dense: dense)
    }
}

/// Normalised mutual information (arithmetic mean of entropies, as scikit-learn's default).
public func normalizedMutualInformation(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count && !a.isEmpty)
    let n = Double(a.count)
    var joint: [[Int]: Double] = [:], pa: [Int: Double] = [:], pb: [Int: Double] = [:]
    for (x, y) in zip(a, b) { joint[[x, y], default: 0] += 1; pa[x, default: 0] += 1; pb[y, default: 0] += 1 }
    var mi = 0.0
    for (key, count) in joint {
        mi += count / n * log(count * n / (pa[key[0]]! * pb[key[1]]!))
    }
    func entropy(_ p: [Int: Double]) -> Double { -p.values.reduce(0) { $0 + $1 / n * log($1 / n) } }
    let h = (entropy(pa) + entropy(pb)) / 2
    return h == 0 ? 1 : mi / h
}

/// A communicator for tests: `size` ranks running on threads, summing buffers in rank order.
public final class ThreadedCommunicatorGroup: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()

    public init(size: Int) { self.size = size }

    /// The element-wise sum of every rank's `values`, in rank order (Float buffers are summed in Double).
    func reduce(rank: Int, _ values: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: values.count)
        for part in exchange(rank: rank, ByteCoding.bytes(of: values)) {
            let contribution: [Double] = ByteCoding.values(part)
            for t in sum.indices { sum[t] += contribution[t] }
        }
        return sum
    }

    public struct Member: Communicator {
        let group: ThreadedCommunicatorGroup
        public let rank: Int
        public var size: Int { group.size }
        public func allreduceSum(_ buffer: inout [Double]) { buffer = group.reduce(rank: rank, buffer) }
        public func allgather(bytes: [UInt8]) -> [[UInt8]] { group.exchange(rank: rank, bytes) }
        public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
            let summed = group.reduce(rank: rank, buffer.map(Double.init))
            for t in buffer.indices { buffer[t] = Float(summed[t]) }
        }
    }

    public func member(_ rank: Int) -> Member { Member(group: self, rank: rank) }

    /// Runs `body` once per rank, each on a thread of its own with that rank's communicator (and
    /// `RowBlocks.rows` = `blockRows`); returns every rank's result in rank order, or throws the
    /// first failure (with its rank).
    public static func run<T>(ranks: Int, blockRows: Int = RowBlocks.rows,
                              _ body: @escaping @Sendable (Member) throws -> T) throws -> [T] {
        let group = ThreadedCommunicatorGroup(size: ranks)
        let results = ResultBox<T>(ranks)
        let done = DispatchGroup()
        for rank in 0..<ranks {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                results.set(rank, Result { try RowBlocks.$rows.withValue(blockRows) { try body(group.member(rank)) } })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try results.values.map { try $0!.get() }
    }

    private final class ResultBox<T>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<T, Error>?]
        init(_ count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<T, Error>) { lock.lock(); values[index] = value; lock.unlock() }
    }

    private var payloads: [[UInt8]?] = []
    private var gathered: [[UInt8]] = []
    private var exchangeGeneration = 0
    private var exchangeArrived = 0
    private var exchangeReaders = 0

    /// Every rank's bytes in rank order, on every rank.
    func exchange(rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        while exchangeReaders > 0 { condition.wait() }
        if payloads.isEmpty { payloads = Array(repeating: nil, count: size) }
        let myGeneration = exchangeGeneration
        payloads[rank] = bytes
        exchangeArrived += 1
        if exchangeArrived == size {
            gathered = payloads.map { $0! }
            payloads = Array(repeating: nil, count: size)
            exchangeArrived = 0
            exchangeReaders = size
            exchangeGeneration += 1
            condition.broadcast()
        } else {
            while exchangeGeneration == myGeneration { condition.wait() }
        }
        let out = gathered
        exchangeReaders -= 1
        if exchangeReaders == 0 { condition.broadcast() }
        return out
    }
}
