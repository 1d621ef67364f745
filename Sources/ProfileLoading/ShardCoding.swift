import LinearAlgebra

/// Flat binary coding of parsed blocks, for sending a rank's parsed share of the input to the rank
/// that merges it (same machine architecture on every rank).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func put<T>(_ values: [T]) {
        put(values.count)
        bytes += ByteCoding.bytes(of: values)
    }

    mutating func put(_ value: Int) { bytes += ByteCoding.bytes(of: [Int64(value)]) }

    mutating func put(strings: [String]) {
        put(strings.count)
        for s in strings { put(Array(s.utf8)) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func int() -> Int {
        defer { offset += 8 }
        return Int((ByteCoding.values(Array(bytes[offset..<(offset + 8)])) as [Int64])[0])
    }

    mutating func array<T>() -> [T] {
        let count = int()
        let length = count * MemoryLayout<T>.stride
        defer { offset += length }
        return ByteCoding.values(Array(bytes[offset..<(offset + length)]))
    }

    mutating func strings() -> [String] {
        (0..<int()).map { _ in String(decoding: array() as [UInt8], as: UTF8.self) }
    }
}
