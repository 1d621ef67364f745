import Foundation
import SegmentInsights
@testable import WallExport

/// Walls for the board tests: segments whose labels are permutations of each other (as in the demo:
/// `@hazyipahunters · #ipa` and `#ipa · @hazyipahunters`), a hostile label, two very long labels that
/// share their first 200 characters, a too-small segment, and a hostile catalogue.
enum BoardFixtures {
    static func affinity(_ interest: String, score: Double) -> InterestAffinity {
        var a = InterestAffinity(interest: interest, count: 40, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
        a.score = score
        return a
    }

    static let longPrefix = String(repeating: "#averyveryverylonginterestname", count: 7)

    static func segments() -> [[String]] {
        [["@hazyipahunters", "#ipa", "#craftbeer", "@brewdog"],
         ["#ipa", "@hazyipahunters", "#stout", "@untappd"],
         [hostile[0], hostile[4], hostile[7], hostile[1]],
         [longPrefix + "-one", "#one", "#two", "#three"],
         [longPrefix + "-two", "#four", "#five", "#six"]]
    }

    static func wall() -> WallModel {
        var list: [SegmentDescription] = []
        for (s, interests) in segments().enumerated() {
            let affinities = interests.enumerated().map { affinity($0.element, score: Double(10 - $0.offset)) }
            let evidence = Array(affinities.prefix(2))
            list.append(SegmentDescription(id: 27 + s, size: 1000 - 100 * s, share: 0.1, label: evidence.map(\.interest).joined(separator: " · "),
                                           labelEvidence: evidence, distinctiveInterests: affinities, tags: [], cohesion: 0.5,
                                           nearestSegment: 27, nearestSimilarity: 0.2, tooSmall: false))
        }
        list.append(SegmentDescription(id: 40, size: 7, share: 0.001, label: "too small to describe (segment 40)", labelEvidence: [],
                                       distinctiveInterests: [], tags: [], cohesion: 0, nearestSegment: 27, nearestSimilarity: 0, tooSmall: true))
        let n = list.count
        let insights = AudienceInsights(settings: InsightSettings(), profiles: 5007, segments: list,
                                        similarity: (0..<n).map { a in (0..<n).map { $0 == a ? 1 : 0.1 } }, mergeTree: [],
                                        map: (0..<n).map { [Double($0), 0] })
        let all = segments().flatMap { $0 }
        let assets = hostile.prefix(6).enumerated().map {
            InterestServer(id: "a\($0.offset)", name: $0.element, kind: hostile[11], interests: [all[$0.offset * 3 % all.count], "#ipa"])
        }
        let partners = hostile.suffix(6).enumerated().map { InterestServer(id: "p\($0.offset)", name: $0.element, kind: "media", interests: all, reach: 10) }
        return WallModel(title: "Board test " + hostile[7], insights: insights, gaps: GapAnalysis.link(insights, assets: assets, partners: partners))
    }

    /// The export written into a fresh folder that stands for a run folder.
    static func runFolder(_ wall: WallModel = wall()) throws -> String {
        let dir = NSTemporaryDirectory() + "tessera-board-" + UUID().uuidString + "/run"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try WallExporter.write(try WallExporter.files(wall), to: dir)
        return dir
    }

    static func plan(_ files: [WallFile], _ tool: BoardTool) throws -> BoardPlan {
        let data = try #require(files.first { $0.path == tool.folder + "/" + BoardPlan.fileName }).data
        return try JSONDecoder().decode(BoardPlan.self, from: data)
    }

    static func body(_ files: [WallFile], _ tool: BoardTool, _ name: String) throws -> J {
        try J.parse(try #require(files.first { $0.path == tool.folder + "/" + name }).data)
    }

    /// An id of the shape each board returns.
    static func fakeID(_ tool: BoardTool, _ n: Int) -> String {
        switch tool {
        case .miro: return String(3_458_764_517_517_000_000 + n)
        case .mural: return "0-\(1_700_000_000_000 + n)"
        case .trello: return String(format: "5abbe4b7ddc1b351%08x", n)
        }
    }

    /// `value` with `{id:KEY}` placeholders replaced by the ids in `ids` and `{board_id}` by `board`.
    static func filled(_ value: J, ids: [String: String], board: String) -> J {
        switch value {
        case .string(let s):
            if s == "{board_id}" { return .string(board) }
            if s.hasPrefix("{id:"), let id = ids[String(s.dropFirst(4).dropLast())] { return .string(id) }
            return value
        case .array(let a): return .array(a.map { filled($0, ids: ids, board: board) })
        case .object(let o): return .object(o.mapValues { filled($0, ids: ids, board: board) })
        default: return value
        }
    }
}

import Testing
