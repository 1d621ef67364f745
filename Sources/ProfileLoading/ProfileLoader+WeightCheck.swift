import LinearAlgebra

extension ProfileLoader {
    /// Checks the weights of every profile once repeated interests are added up: each interest's
    /// total must stay within `InterestWeight.largest` and the profile's sum within Float, or the
    /// matrix would hold infinities (`segment` would then fail on a NaN naming no line). Every single
    /// weight was checked on its line already, so only a sum over several entries — an interest
    /// listed again, a profile on several lines — can fail here. That is no one line's fault, so the
    /// load stops, naming the profile and the line where it starts.
    ///
    /// - Complexity: O(entries), in parallel; run only when weights were given and entries combined.
    static func checkCombinedWeights(rowStart: [Int], columns: [Int32], values: [Float], builder: borrowing AudienceBuilder, ids: [String]) throws {
        let rows = rowStart.count - 1
        guard rows > 0 else { return }
        let chunkSize = 4096
        // Per chunk, its first bad row (or Int.max): the smallest wins, whatever the thread count.
        var firstBad = [Int](repeating: Int.max, count: Parallel.chunkCount(rows, chunkSize: chunkSize))
        firstBad.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { v in
                Parallel.forEachChunk(count: rows, chunkSize: chunkSize) { chunk, range in
                    guard let out = out.baseAddress, let v = v.baseAddress else { return }
                    for i in range {
                        var sum = 0.0
                        var bad = false
                        for p in rowStart[i]..<rowStart[i + 1] {
                            let w = Double(v[p])
                            if !(w <= InterestWeight.largest) { bad = true; break }
                            sum += w
                        }
                        if bad || sum > Double(Float.greatestFiniteMagnitude) { out[chunk] = i; return }
                    }
                }
            }
        }
        guard let row = firstBad.min(), row != Int.max else { return }
        let range = rowStart[row]..<rowStart[row + 1]
        let place = builder.profileFirstSeen[row]
        let id = RejectExcerpt.sanitize(ids[row])
        let reason: String
        if let p = range.first(where: { !(Double(values[$0]) <= InterestWeight.largest) }) {
            let interest = RejectExcerpt.sanitize(builder.interests.names[Int(columns[p])])
            let total = values[p].isFinite ? "\(values[p])" : "more than 3.4e38"
            reason = "the weights of interest '\(interest)' in profile '\(id)' (from this line on) add up to \(total), "
                + "above the largest weight accepted (1e30): rescale the weights"
        } else {
            let sum = range.reduce(0.0) { $0 + Double(values[$1]) }
            reason = "the weights of profile '\(id)' (from this line on) add up to \(sum), above what a profile can hold "
                + "(3.4e38): rescale the weights"
        }
        throw LoadError.badRecord(file: builder.report.files[Int(place.file)].path, line: place.line, reason: reason)
    }
}
