/// A fixed-size, 64-byte-aligned, zero-initialised buffer shared by the workers of a parallel
/// kernel. Workers write disjoint parts; the owner frees it on deinit.
final class AlignedBuffer<Element>: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Element>

    init(count: Int, repeating value: Element) {
        self.count = count
        let bytes = max(1, count) * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Element.self, capacity: max(1, count))
        pointer.initialize(repeating: value, count: count)
    }

    deinit { pointer.deallocate() }

    @inline(__always) subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    func fill(_ value: Element) { pointer.update(repeating: value, count: count) }
    var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    func toArray() -> [Element] { Array(buffer) }
}
