/// Labels from evidence: the segment's top distinctive interests joined with " · " (default two).
/// A label whose interests a larger segment's label already uses — in any order: `#ipa · @hazy` and
/// `@hazy · #ipa` name the same thing — gets the next distinctive interest appended until its set of
/// interests is new; only when the interests run out does it get "(segment N)". A segment with no
/// distinctive interest is "segment N"; one below the minimum size is "too small to describe (segment N)".
/// Deterministic: segments are labelled largest first, ties by id.
enum SegmentLabeler {
    static func label(_ segments: inout [SegmentDescription], settings: InsightSettings) {
        var taken = Set<[String]>()
        func key(_ interests: ArraySlice<InterestAffinity>) -> [String] { interests.map(\.interest).sorted() }
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
            while taken.contains(key(interests.prefix(used))) && used < interests.count { used += 1 }
            var label = interests.prefix(used).map(\.interest).joined(separator: " · ")
            if taken.contains(key(interests.prefix(used))) { label += " (segment \(segment.id))" }
            taken.insert(key(interests.prefix(used)))
            segments[s].label = label
            segments[s].labelEvidence = Array(interests.prefix(used))
        }
    }
}
