import Foundation
import LinearAlgebra

/// Reads rows of a profile cache's matrix on demand from the memory-mapped file, so algorithms that
/// work in batches (mini-batch k-means) never hold the whole matrix: the kernel pages the mapped
/// file in and out as needed. The file is validated (magic, version, checksum) when opened.
package final class CachedMatrixReader: @unchecked Sendable {
    package let path: String
    package let rowCount: Int
    package let columnCount: Int
    private let data: Data
    private let rowStartOffset: Int, columnsOffset: Int, valuesOffset: Int

    package init(path: String) throws {
        self.path = path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw LoadError.cannotOpen(file: path, reason: error.localizedDescription)
        }
        self.data = data
        let (found, meta): ([UInt32: (Int, Int)], ProfileCache.Meta) = try data.withUnsafeBytes { raw in
            let found = try ProfileCache.sections(of: raw, path: path)
            guard let (offset, length) = found[ProfileCache.Section.meta.rawValue] else { throw LoadError.cache("\(path): section meta is missing") }
            let meta = try JSONDecoder().decode(ProfileCache.Meta.self, from: Data(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])))
            return (found, meta)
        }
        rowCount = meta.rowCount
        columnCount = meta.columnCount
        let path = path
        func offset(_ s: ProfileCache.Section, elementSize: Int, count: Int) throws -> Int {
            guard let (o, length) = found[s.rawValue], length == elementSize * count else {
                throw LoadError.cache("\(path): section \(s) is missing or has the wrong size")
            }
            return o
        }
        let rowStartAt = try offset(.rowStart, elementSize: 8, count: meta.rowCount + 1)
        rowStartOffset = rowStartAt
        let nonzeros = data.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: rowStartAt + 8 * meta.rowCount, as: Int64.self))) }
        columnsOffset = try offset(.columns, elementSize: 4, count: nonzeros)
        valuesOffset = try offset(.values, elementSize: 4, count: nonzeros)
    }

    /// The rows with the given indices, in that order.
    package func rows(at indices: [Int]) throws -> CSRMatrix {
        try data.withUnsafeBytes { raw in
            func start(_ i: Int) -> Int { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: rowStartOffset + 8 * i, as: Int64.self))) }
            var rowStart = [Int](repeating: 0, count: indices.count + 1)
            var columns: [Int32] = [], values: [Float] = []
            for (t, i) in indices.enumerated() {
                guard i >= 0 && i < rowCount else { throw LoadError.cache("\(path): row \(i) out of range 0..<\(rowCount)") }
                let lower = start(i), upper = start(i + 1)
                for p in lower..<upper {
                    columns.append(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: columnsOffset + 4 * p, as: Int32.self)))
                    values.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: valuesOffset + 4 * p, as: UInt32.self))))
                }
                rowStart[t + 1] = columns.count
            }
            return try CSRMatrix(rowCount: indices.count, columnCount: columnCount, rowStart: rowStart, columns: columns, values: values)
        }
    }

    /// A contiguous range of rows.
    package func rows(_ range: Range<Int>) throws -> CSRMatrix { try rows(at: Array(range)) }
}
