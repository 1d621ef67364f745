/// Labels from evidence: the segment's top distinctive interests joined with " · " (default two).
/// A label already taken by a larger segment gets the next distinctive interest appended until it is
/// unique; a segment with no distinctive interest is "segment N"; one below the minimum size is
/// "too small to describe (segment N)". Deterministic: segments are labelled largest first, ties by id.
enum SegmentLabeler {
    static func label(_ segments: inout [SegmentDescription], settings: InsightSettings) {
        var taken = Set<String>()
        let order = segments.indices.sorted { segments[$0].size != segments[$1].size ? segments[$0].size > segments[$1].size : $0 < $1 }
        for s in order {
            let segment = segments[s]
            if segment.tooSmall {
                segments[s].label = "too small to describe (segment \(segment.id))"
                continue
            }
            let interests = segment.distinctiveInterests
            guard !interests.isEmpty else {
                segments[s].label = "segment \(segment.id)"
                continue
            }
            var used = min(settings.labelInterests, interests.count)
            var label = interests.prefix(used).map(\.interest).joined(separator: " · ")
            while taken.contains(label) && used < interests.count {
                used += 1
                label = interests.prefix(used).map(\.interest).joined(separator: " · ")
            }
            if taken.contains(label) { label += " (segment \(segment.id))" }
            taken.insert(label)
            segments[s].label = label
            segments[s].labelEvidence = Array(interests.prefix(used))
        }
    }
}
