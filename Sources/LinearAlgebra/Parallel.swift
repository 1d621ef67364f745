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

    /// The most worker threads a job may ask for (far beyond any machine Tessera runs on; the bound keeps a
    /// typo from creating a million work queues).
    public static let maximumThreads = 1_024

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
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < iterations {
                body(i)
                i += workers
            }
        }
    }
}

/// OpenBLAS always runs on one thread. Tessera parallelises its own work in fixed chunks (above), so
/// results do not depend on the thread count; OpenBLAS's threads would split some reductions (`ssyrk`,
/// `sgemv`, LAPACK's blocked factorisations) differently for different thread counts and change the
/// last bits of the results. The BLAS calls outside Tessera's parallel regions are small (k×k Grams,
/// sketches of a few dozen columns), so one thread costs nothing measurable.
package enum BLASThreads {
    /// Set once, before the first BLAS or LAPACK call: every wrapper in BLAS.swift and LAPACK.swift
    /// touches it, and no other code calls OpenBLAS.
    package static let singleThreaded: Void = { openblas_set_num_threads(1) }()
}
