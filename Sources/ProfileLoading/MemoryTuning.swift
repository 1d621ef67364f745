/// Loading allocates and frees many multi-megabyte buffers (one per block). By default glibc
/// serves each from a fresh `mmap`, which the kernel must zero page by page; keeping them in the
/// heap lets freed blocks be reused instead.
enum MemoryTuning {
    private static let once: Void = {
        #if os(Linux)
        // glibc's <malloc.h> is not part of Swift's Glibc module; these are its documented constants.
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        _ = tessera_mallopt(mmapThreshold, 256 << 20)
        _ = tessera_mallopt(trimThreshold, 512 << 20)
        #endif
    }()

    static func keepLargeAllocationsInHeap() { _ = once }
}

#if os(Linux)
@_silgen_name("mallopt")
private func tessera_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
