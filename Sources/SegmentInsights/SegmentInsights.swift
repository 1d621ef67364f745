import Foundation
import LinearAlgebra

/// Describes segments from the rows, their hard labels and the segments' profile vectors.
public enum SegmentInsights {
    /// - Parameters:
    ///   - matrix: the n×d profile matrix (an interest is "followed" where the entry is non-zero).
    ///   - labels: the segment of each row, in 0..<k.
    ///   - profiles: k×d segment profile vectors (k-means centres or NMF loadings).
    public static func describe(matrix: CSRMatrix, labels: [Int32], profiles: DenseMatrix, interests: [String],
                                tags: RowTags?, settings: InsightSettings = InsightSettings()) throws -> AudienceInsights {
        try settings.validate()
        let n = matrix.rowCount, d = matrix.columnCount, k = profiles.rowCount
        guard labels.count == n, profiles.columnCount == d, interests.count == d else {
            throw InsightError.shapeMismatch("\(labels.count) labels, \(interests.count) interests and \(profiles.rowCount)×\(profiles.columnCount) profiles for a \(n)×\(d) matrix")
        }
        guard labels.allSatisfy({ $0 >= 0 && Int($0) < k }) else { throw InsightError.shapeMismatch("labels must lie in 0..<\(k)") }

        // Counts: members per segment, followers per (segment, interest), followers per interest.
        var sizes = [Int](repeating: 0, count: k)
        var counts = [Int32](repeating: 0, count: k * d)
        for i in 0..<n {
            let s = Int(labels[i])
            sizes[s] += 1
            for p in matrix.range(ofRow: i) where matrix.values[p] != 0 { counts[s * d + Int(matrix.columns[p])] += 1 }
        }
        var followers = [Int](repeating: 0, count: d)
        for s in 0..<k { for j in 0..<d { followers[j] += Int(counts[s * d + j]) } }

        let geometry = SegmentGeometry(profiles: profiles, sizes: sizes)
        let cohesion = geometry.cohesion(matrix: matrix, labels: labels)
        let tagStats = tags.map { TagStatistics(tags: $0, labels: labels, k: k) }

        var descriptions: [SegmentDescription] = []
        for s in 0..<k {
            let size = sizes[s]
            let tooSmall = size < settings.minSegmentSize
            var distinctive: [InterestAffinity] = []
            if !tooSmall {
                for j in 0..<d where counts[s * d + j] > 0 {
                    let a = InterestAffinity(interest: interests[j], count: Int(counts[s * d + j]), size: size,
                                             followers: followers[j], audience: n, settings: settings)
                    if a.isSupported(settings) && a.shrunkIndex > 100 { distinctive.append(a) }
                }
                distinctive.sort { $0.score != $1.score ? $0.score > $1.score : $0.interest < $1.interest }
                distinctive = Array(distinctive.prefix(settings.topInterests))
            }
            let (nearest, similarity) = geometry.nearest(to: s)
            descriptions.append(SegmentDescription(
                id: s, size: size, share: n > 0 ? Double(size) / Double(n) : 0, label: "",
                labelEvidence: [], distinctiveInterests: distinctive,
                tags: tooSmall ? (tagStats?.counts(segment: s, size: size, showIndex: false) ?? []) : (tagStats?.counts(segment: s, size: size, showIndex: true) ?? []),
                cohesion: cohesion[s], nearestSegment: nearest, nearestSimilarity: similarity, tooSmall: tooSmall))
        }
        SegmentLabeler.label(&descriptions, settings: settings)
        return AudienceInsights(settings: settings, profiles: n, segments: descriptions, similarity: geometry.similarity,
                                mergeTree: geometry.wardMergeTree(), map: try geometry.map())
    }
}

/// Tag counts per segment and over the audience.
struct TagStatistics {
    let names: [String]
    let perSegment: [[Int]]   // k × tags
    let overall: [Int]
    let audience: Int

    init(tags: RowTags, labels: [Int32], k: Int) {
        names = tags.names
        var perSegment = [[Int]](repeating: [Int](repeating: 0, count: tags.names.count), count: k)
        var overall = [Int](repeating: 0, count: tags.names.count)
        for i in 0..<labels.count where i + 1 < tags.rowStart.count {
            for p in tags.rowStart[i]..<tags.rowStart[i + 1] {
                let t = Int(tags.values[p])
                perSegment[Int(labels[i])][t] += 1
                overall[t] += 1
            }
        }
        self.perSegment = perSegment
        self.overall = overall
        audience = labels.count
    }

    func counts(segment s: Int, size: Int, showIndex: Bool) -> [TagComposition] {
        names.indices.map { t in
            let share = size > 0 ? Double(perSegment[s][t]) / Double(size) : 0
            let audienceShare = audience > 0 ? Double(overall[t]) / Double(audience) : 0
            return TagComposition(tag: names[t], count: perSegment[s][t], share: share, audienceShare: audienceShare,
                                  index: showIndex && audienceShare > 0 ? share / audienceShare * 100 : 0)
        }
    }
}

extension SegmentInsights {
    /// Writes each segment's cautions (call after stability is known): a near-duplicate of another
    /// segment, an unstable segment, the general audience. Too-small segments are already marked as such.
    public static func addCautions(_ insights: inout AudienceInsights) {
        let s = insights.settings
        for i in insights.segments.indices {
            let segment = insights.segments[i]
            var cautions: [String] = []
            guard !segment.tooSmall else { insights.segments[i].cautions = []; continue }
            if segment.nearestSegment >= 0, segment.nearestSimilarity >= s.overlapSimilarity {
                cautions.append(String(format: "overlaps S%d (similarity %.2f): likely one audience split in two", segment.nearestSegment, segment.nearestSimilarity))
            }
            if let stability = segment.stability, stability < s.unstableStability {
                cautions.append(String(format: "unstable (stability %.2f): treat as tentative", stability))
            }
            let top = segment.distinctiveInterests.map(\.shrunkIndex).max()
            if top.map({ $0 < s.generalAudienceIndex }) ?? true {
                cautions.append(top.map { String(format: "general audience: no interest stands out (top affinity index %.0f)", $0) }
                                ?? "general audience: no interest stands out")
            }
            insights.segments[i].cautions = cautions
        }
    }
}
