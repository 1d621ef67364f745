import Foundation
import LinearAlgebra

/// How the counts or weights of a profile's interests become matrix values.
public enum Weighting: String, CaseIterable, Sendable, Codable {
    /// 1 for every interest present.
    case binary
    /// The weight as given (1 when the input has none); repeated interests add up.
    case raw
    /// log(1 + weight): dampens heavy engagement counts.
    case log1p
    /// tf · idf with the smooth idf of scikit-learn: idf = ln((1 + n) / (1 + df)) + 1.
    case tfidf
    /// Okapi BM25 term weight (k1 = 1.2, b = 0.75) with idf = ln(1 + (n − df + 0.5) / (df + 0.5)).
    case bm25

    /// Per-column factor of the weighting (idf), from document frequencies over `profileCount` rows.
    func columnFactors(documentFrequencies df: [Int32], profileCount n: Int) -> [Float]? {
        switch self {
        case .binary, .raw, .log1p: return nil
        case .tfidf:
            return df.map { Float(log(Double(1 + n) / Double(1 + Int($0))) + 1) }
        case .bm25:
            return df.map { Float(log(1 + (Double(n) - Double($0) + 0.5) / (Double($0) + 0.5))) }
        }
    }

    /// Applies the weighting to raw weights in place, with column factors (idf) and the average row
    /// length (BM25) fitted on a training audience. Rows are independent, so this runs in parallel.
    func apply(to matrix: inout CSRMatrix, columnFactors factors: [Float]?, averageLength: Double) {
        let weighting = self
        let n = matrix.rowCount
        let starts = matrix.rowStart
        let columns = matrix.columns
        matrix.values.withUnsafeMutableBufferPointer { vb in
            let v = vb.baseAddress
            Parallel.forEachChunk(count: n, chunkSize: 4096) { _, range in
                guard let v else { return }
                for i in range {
                    let lower = starts[i], upper = starts[i + 1]
                    switch weighting {
                    case .binary: for p in lower..<upper { v[p] = 1 }
                    case .raw: break
                    case .log1p: for p in lower..<upper { v[p] = Float(Foundation.log1p(Double(v[p]))) }
                    case .tfidf: for p in lower..<upper { v[p] *= factors![Int(columns[p])] }
                    case .bm25:
                        let k1 = 1.2, b = 0.75
                        var length: Double = 0
                        for p in lower..<upper { length += Double(v[p]) }
                        let norm = k1 * (1 - b + b * length / averageLength)
                        for p in lower..<upper {
                            let tf = Double(v[p])
                            v[p] = Float(Double(factors![Int(columns[p])]) * tf * (k1 + 1) / (tf + norm))
                        }
                    }
                }
            }
        }
    }
}
