import Foundation
import LinearAlgebra

/// Reads rows of a profile cache's matrix on demand from the memory-mapped file, so algorithms that
/// work in batches (mini-batch k-means) never hold the whole matrix: the kernel pages the mapped
/// file in and out as needed. The file is validated (magic, version, checksum, section sizes) when opened.
package final class CachedMatrixReader: @unchecked Sendable {
    package let path: String
    package let rowCount: Int
    package let columnCount: Int
    private let data: Data
    private let rowStartOffset: Int, columnsOffset: Int, valuesOffset: Int
    /// Stored values (the last row start), checked against the sections' sizes.
    private let nonzeros: Int

    package init(path: String) throws {
        self.path = path
        let data = try MappedFile.map(path)
        self.data = data
        let (found, meta): ([UInt32: (offset: Int, length: Int)], ProfileCache.Meta) = try data.withUnsafeBytes { raw in
            let file = try CacheSectionReader(raw, path: path)
            return (file.found, try file.meta())
        }
        let path = path
        // Bounded before `rowCount + 1` and `8 * rowCount` are computed; the row-start section's
        // size is then checked against it.
        guard meta.rowCount >= 0, meta.rowCount < data.count, meta.columnCount >= 0, meta.columnCount <= Int(Int32.max) else {
            throw LoadError.cache("\(path): section meta is damaged (\(meta.rowCount) rows by \(meta.columnCount) columns); reload from the source files")
        }
        rowCount = meta.rowCount
        columnCount = meta.columnCount
        func offset(_ s: ProfileCache.Section, elementSize: Int, count: Int) throws -> Int {
            guard let (o, length) = found[s.rawValue], length % elementSize == 0, length / elementSize == count else {
                throw LoadError.cache("\(path): section \(s) is missing or has the wrong size; reload from the source files")
            }
            return o
        }
        let rowStartAt = try offset(.rowStart, elementSize: 8, count: meta.rowCount + 1)
        rowStartOffset = rowStartAt
        let nonzeros = data.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: rowStartAt + 8 * meta.rowCount, as: Int64.self))) }
        guard nonzeros >= 0, nonzeros <= data.count / 4 else {
            throw LoadError.cache("\(path): section rowStart is damaged (it ends at \(nonzeros)); reload from the source files")
        }
        self.nonzeros = nonzeros
        columnsOffset = try offset(.columns, elementSize: 4, count: nonzeros)
        valuesOffset = try offset(.values, elementSize: 4, count: nonzeros)
    }

    /// The rows with the given indices, in that order. Each row's bounds are checked as it is
    /// read (the file is mapped, not validated row by row up front).
    package func rows(at indices: [Int]) throws -> CSRMatrix {
        try data.withUnsafeBytes { raw in
            func start(_ i: Int) -> Int { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: rowStartOffset + 8 * i, as: Int64.self))) }
            var rowStart = [Int](repeating: 0, count: indices.count + 1)
            var columns: [Int32] = [], values: [Float] = []
            for (t, i) in indices.enumerated() {
                guard i >= 0 && i < rowCount else { throw LoadError.cache("\(path): row \(i) out of range 0..<\(rowCount)") }
                let lower = start(i), upper = start(i + 1)
                guard lower >= 0, lower <= upper, upper <= nonzeros else {
                    throw LoadError.cache("\(path): section rowStart is damaged at row \(i); reload from the source files")
                }
                for p in lower..<upper {
                    columns.append(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: columnsOffset + 4 * p, as: Int32.self)))
                    values.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: valuesOffset + 4 * p, as: UInt32.self))))
                }
                rowStart[t + 1] = columns.count
            }
            return try ProfileCache.named(path, "profile matrix") {
                try CSRMatrix(rowCount: indices.count, columnCount: columnCount, rowStart: rowStart, columns: columns, values: values)
            }
        }
    }

    /// A contiguous range of rows.
    package func rows(_ range: Range<Int>) throws -> CSRMatrix { try rows(at: Array(range)) }
}
