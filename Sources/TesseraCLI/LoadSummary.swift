import Foundation
import Tessera

/// The summary `tessera load` prints: JSON keys are a contract (profiles, interests, nonzeros,
/// rejected, empty, seconds, …).
struct LoadSummary: Encodable {
    var profiles: Int
    var rows: Int
    var interests: Int
    var nonzeros: Int
    var rejected: Int
    var empty: Int
    var seconds: Double
    var linesRead: Int
    var linesLoaded: Int
    var blankLines: Int
    var headerLines: Int
    var duplicateLinesMerged: Int
    var interestsSeen: Int
    var pruned: [String: Int]
    var emptyInterestsDropped: Int
    var interestHygiene: Bool
    var hygieneDropped: [String: Int]
    var hygieneReduced: Int
    var prunedTooCommon: [InterestShare]
    var widespreadInterests: [InterestShare]
    var widespreadInterestCount: Int
    var maxDF: Double
    var rejectsByKind: [String: Int]
    var stageSeconds: [String: Double]
    var weighting: String
    var files: [FileLoadReport]
    var emptyIds: [String]
    var emptyIdsTruncated: Bool
    var cache: String?
    var rejectsFile: String?

    enum CodingKeys: String, CodingKey {
        case profiles, rows, interests, nonzeros, rejected, empty, seconds
        case linesRead = "lines_read", linesLoaded = "lines_loaded", blankLines = "blank_lines", headerLines = "header_lines"
        case duplicateLinesMerged = "duplicate_lines_merged", interestsSeen = "interests_seen", pruned
        case interestHygiene = "interest_hygiene", hygieneDropped = "hygiene_dropped", hygieneReduced = "hygiene_reduced"
        case prunedTooCommon = "pruned_too_common", widespreadInterests = "widespread_interests"
        case widespreadInterestCount = "widespread_interest_count", maxDF = "max_df"
        case emptyInterestsDropped = "empty_interests_dropped", rejectsByKind = "rejects_by_kind", stageSeconds = "stage_seconds", weighting, files
        case emptyIds = "empty_ids", emptyIdsTruncated = "empty_ids_truncated", cache, rejectsFile = "rejects_file"
    }

    init(_ audience: LoadedAudience) {
        let r = audience.report
        profiles = r.profiles
        rows = r.rows
        interests = r.interests
        nonzeros = r.nonzeros
        rejected = r.linesRejected
        empty = r.emptyProfiles
        seconds = r.seconds
        linesRead = r.linesRead
        linesLoaded = r.linesLoaded
        blankLines = r.blankLines
        headerLines = r.headerLines
        duplicateLinesMerged = r.duplicateLinesMerged
        interestsSeen = r.interestsSeen
        pruned = ["min_df": r.prunedMinDocumentFrequency, "max_df": r.prunedMaxDocumentFrequency,
                  "vocabulary_limit": r.prunedVocabularyLimit]
        emptyInterestsDropped = r.emptyInterestsDropped
        interestHygiene = audience.settings.normalization.interestHygiene
        hygieneDropped = r.hygieneDropped
        hygieneReduced = r.hygieneReduced
        prunedTooCommon = r.prunedTooCommon
        widespreadInterests = r.widespreadInterests
        widespreadInterestCount = r.widespreadInterestCount
        maxDF = audience.settings.maxDocumentFrequency
        rejectsByKind = r.rejectsByKind
        stageSeconds = r.stageSeconds
        weighting = audience.settings.weighting.rawValue
        files = r.files
        emptyIds = Array(audience.emptyProfileIds.prefix(1000))
        emptyIdsTruncated = audience.emptyProfileIds.count > 1000
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text(cache: String?, rejectsFile: String?) -> String {
        func n(_ v: Int) -> String { v.formatted(.number.grouping(.automatic)) }
        var lines: [String] = []
        lines.append(String(format: "Loaded %@ profiles × %@ interests (%@ nonzeros, weighting %@) in %.2f s",
                            n(profiles), n(interests), n(nonzeros), weighting, seconds))
        lines.append("  lines: \(n(linesRead)) read = \(n(linesLoaded)) loaded + \(n(rejected)) rejected + \(n(blankLines)) blank + \(n(headerLines)) header")
        lines.append("  profiles: \(n(profiles)) = \(n(rows)) to segment + \(n(empty)) empty (kept out); duplicate lines merged: \(n(duplicateLinesMerged))")
        let prunedTotal = pruned.values.reduce(0, +)
        lines.append("  interests: \(n(interestsSeen)) seen, \(n(prunedTotal)) pruned (min-df \(n(pruned["min_df"] ?? 0)), max-df \(n(pruned["max_df"] ?? 0)), vocabulary limit \(n(pruned["vocabulary_limit"] ?? 0)))")
        if interestHygiene {
            let dropped = hygieneDropped.values.reduce(0, +)
            var line = "  interest hygiene: \(n(dropped)) interest occurrences dropped"
            if dropped > 0 {
                line += " (" + HygieneRule.allCases.compactMap { rule in hygieneDropped[rule.rawValue].map { "\(rule.rawValue) \(n($0))" } }
                    .joined(separator: ", ") + ")"
            }
            lines.append(line + ", \(n(hygieneReduced)) reduced to their valid form and kept")
        } else {
            lines.append("  interest hygiene: off")
        }
        func shares(_ list: [InterestShare]) -> String {
            list.prefix(10).map { String(format: "%@ %.0f %%", $0.interest, 100 * $0.share) }.joined(separator: ", ")
        }
        if !prunedTooCommon.isEmpty {
            let more = (pruned["max_df"] ?? 0) > 10 ? ", …" : ""
            lines.append("  pruned as too common (held by more than \(String(format: "%g", 100 * maxDF)) % of profiles): \(shares(prunedTooCommon))\(more)")
        }
        if !widespreadInterests.isEmpty {
            let more = widespreadInterestCount > 10 ? ", … (\(n(widespreadInterestCount)) in all)" : ""
            lines.append("  widespread (held by more than half of the profiles; kept, idf weighs them down; --max-df 0.5 prunes them): \(shares(widespreadInterests))\(more)")
        }
        if !rejectsByKind.isEmpty {
            lines.append("  rejected by kind: " + rejectsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \(n($0.value))" }.joined(separator: ", "))
        }
        if let rejectsFile { lines.append("  rejects written to \(rejectsFile)") }
        if let cache { lines.append("  cache written to \(cache)") }
        return lines.joined(separator: "\n")
    }
}
