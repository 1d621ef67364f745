import Dispatch
import Foundation
import COpenBLAS

/// Row-chunk parallelism with results that do not depend on the thread count.
///
/// Work is cut into fixed chunks whose boundaries depend only on the problem size, never on the
/// number of threads; any reduction over chunks is done by the caller in chunk order.
public enum Parallel {
    /// The number of worker threads used by parallel kernels (default: the active processor count).
    /// It is a scoped value, not a global: `Parallel.withThreads(n) { … }` sets it for the work inside
    /// the closure only, so concurrent callers (parallel test suites, two jobs in one process) cannot
    /// change each other's thread count. Worker threads themselves see the default.
    @TaskLocal public static var threadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` with `threads` worker threads (nil: unchanged).
    public static func withThreads<T>(_ threads: Int?, _ body: () throws -> T) rethrows -> T {
        guard let threads else { return try body() }
        return try $threadCount.withValue(max(1, threads), operation: body)
    }

    /// Number of chunks of `chunkSize` covering `count` items.
    @inlinable
    package static func chunkCount(_ count: Int, chunkSize: Int) -> Int {
        precondition(chunkSize > 0)
        return (count + chunkSize - 1) / chunkSize
    }

    /// Runs `body(chunk, range)` for every chunk of `chunkSize` items of `0..<count`, spread over
    /// `threadCount` threads. Chunks are independent; `body` must only write its own outputs.
    package static func forEachChunk(count: Int, chunkSize: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, chunkSize: chunkSize)
        forEach(chunks) { chunk in
            let start = chunk * chunkSize
            body(chunk, start..<min(count, start + chunkSize))
        }
    }

    /// Runs `body(i)` for `i` in `0..<iterations` on up to `threadCount` threads (static striding).
    package static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        let workers = min(threadCount, iterations)
        if workers <= 1 {
            for i in 0..<iterations { body(i) }
            return
        }
        BLASThreads.withSingleThread {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < iterations {
                    body(i)
                    i += workers
                }
            }
        }
    }
}

/// Control over OpenBLAS's own threading: kept at one thread inside Tessera's parallel regions.
package enum BLASThreads {
    nonisolated(unsafe) private static var depth = 0
    private static let lock = NSLock()

    /// Sets the number of threads OpenBLAS uses for calls made outside parallel regions.
    package static func set(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// Runs `body` with OpenBLAS limited to one thread.
    package static func withSingleThread<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        if depth == 0 { openblas_set_num_threads(1) }
        depth += 1
        lock.unlock()
        defer {
            lock.lock()
            depth -= 1
            if depth == 0 { openblas_set_num_threads(Int32(Parallel.threadCount)) }
            lock.unlock()
        }
        return try body()
    }
}
