import Foundation

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
}
