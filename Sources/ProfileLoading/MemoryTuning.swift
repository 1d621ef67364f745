#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory settings for large loads.
package enum MemoryTuning {
    /// Loading allocates and frees many multi-megabyte buffers (one per block). By default glibc
    /// serves each from a fresh `mmap`, which the kernel must zero page by page; keeping them in the
    /// heap lets freed blocks be reused instead.
    ///
    /// This changes how the whole process allocates, so the library never calls it on its own: an
    /// executable that loads large files (the `tessera` CLI) calls it once at start-up. Elsewhere
    /// than glibc it does nothing.
    package static func prepareProcessForLargeLoads() {
        #if os(Linux)
        // glibc's <malloc.h> is not part of Swift's Glibc module; these are its documented constants.
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        _ = tessera_mallopt(mmapThreshold, 256 << 20)
        _ = tessera_mallopt(trimThreshold, 512 << 20)
        #endif
    }

    /// An array of `count` copies of `value` with room for `capacity` elements, whose storage is
    /// marked for transparent huge pages before it is first touched: the entry arrays of a large
    /// load then take a few hundred 2 MB page faults instead of tens of thousands of 4 KB ones.
    /// (Where the kernel does not offer huge pages the advice is ignored.)
    static func largeArray<T>(repeating value: T, count: Int, capacity: Int? = nil) -> [T] {
        let capacity = max(count, capacity ?? count)
        var array = [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            if let base = buffer.baseAddress { adviseHugePages(UnsafeMutableRawPointer(base), bytes: capacity * MemoryLayout<T>.stride) }
            initialized = 0
        }
        array.append(contentsOf: repeatElement(value, count: count))
        return array
    }

    /// Asks for huge pages on the whole 2 MB pages inside `[start, start + bytes)`.
    static func adviseHugePages(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let huge = 2 << 20
        guard bytes >= 2 * huge else { return }
        let first = (Int(bitPattern: start) + huge - 1) & ~(huge - 1)
        let last = (Int(bitPattern: start) + bytes) & ~(huge - 1)
        guard last > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, last - first, 14)   // MADV_HUGEPAGE
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func tessera_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
