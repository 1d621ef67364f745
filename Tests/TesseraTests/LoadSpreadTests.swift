import Foundation
import Testing
import TesseraTestSupport
@testable import Tessera

/// Each rank parses its share of the input and rank 0 merges: the audience equals a one-process load.
@Suite struct LoadSpreadTests {
    /// Loads `paths` over `ranks` threaded ranks; returns rank 0's audience and the bytes per rank.
    static func loadSpread(_ paths: [String], ranks: Int, settings: LoaderSettings) throws -> (LoadedAudience, [Int]) {
        let group = ThreadedCommunicatorGroup(size: ranks)
        let box = Box(ranks)
        let done = DispatchGroup()
        for rank in 0..<ranks {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    let (audience, bytes) = try ProfileLoader(settings: settings).loadSpread(paths, communicator: group.member(rank))
                    box.set(rank, audience, bytes)
                } catch {
                    box.fail("rank \(rank): \(error)")
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        guard box.failures.isEmpty else { throw LoadError.noInput }
        #expect(box.audiences.dropFirst().allSatisfy { $0 == nil })
        return (try #require(box.audiences[0]), box.bytes)
    }

    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var audiences: [LoadedAudience?]
        var bytes: [Int] = []
        var failures: [String] = []
        init(_ ranks: Int) { audiences = Array(repeating: nil, count: ranks) }
        func set(_ rank: Int, _ audience: LoadedAudience?, _ bytes: [Int]) {
            lock.lock(); defer { lock.unlock() }
            audiences[rank] = audience
            self.bytes = bytes
        }
        func fail(_ text: String) { lock.lock(); failures.append(text); lock.unlock() }
    }

    static func expectSame(_ a: LoadedAudience, _ b: LoadedAudience) {
        #expect(a.matrix == b.matrix)
        #expect(a.vocabulary == b.vocabulary)   // interests in order, and document frequencies
        #expect(FittedVectorizer(audience: a) == FittedVectorizer(audience: b))   // idf and the rest of the weighting
        #expect(a.profileIds == b.profileIds)
        #expect(a.rejects.map { "\($0.file):\($0.line):\($0.kind)" } == b.rejects.map { "\($0.file):\($0.line):\($0.kind)" })
        #expect(a.report.linesRead == b.report.linesRead && a.report.linesRejected == b.report.linesRejected && a.report.profiles == b.report.profiles)
        #expect(a.report.files.map(\.lines) == b.report.files.map(\.lines))
    }

    /// A planted audience with damaged lines scattered through it, in one plain file.
    static func fileWithRejects() throws -> String {
        let path = try SegmentationPipelineTests.plantedFile(profiles: 4000, segments: 5, seed: 3)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in stride(from: 7, to: lines.count - 1, by: 611) { lines[i] = "{\"id\": \"broken\(i)\", \"interests\": [" }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func oneFileSplitByLinesEqualsOneProcess() throws {
        var settings = LoaderSettings()
        settings.blockBytes = 16 << 10   // many blocks per share
        let path = try Self.fileWithRejects()
        let single = try ProfileLoader(settings: settings).load([path])
        #expect(single.rejects.count >= 6)
        for ranks in [1, 2, 3] {
            let (spread, bytes) = try Self.loadSpread([path], ranks: ranks, settings: settings)
            Self.expectSame(spread, single)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
            #expect(bytes.count == ranks && bytes.reduce(0, +) == size)
            if ranks > 1 { #expect(bytes.allSatisfy { $0 > 0 }) }
        }
    }

    @Test func severalFilesAreSpreadWholeAndAGzipFileIsNotSplit() throws {
        let settings = LoaderSettings()
        let gzip = Fixtures.dataset("lastfm-2k/user_artist_plays.csv.gz")
        let single = try ProfileLoader(settings: settings).load([gzip])
        let (spreadGzip, bytes) = try Self.loadSpread([gzip], ranks: 2, settings: settings)
        Self.expectSame(spreadGzip, single)
        #expect(bytes[1] == 0)
        let files = [try Self.fileWithRejects(), try SegmentationPipelineTests.plantedFile(profiles: 1500, segments: 3, seed: 8),
                     try SegmentationPipelineTests.plantedFile(profiles: 2500, segments: 4, seed: 12)]
        let several = try ProfileLoader(settings: settings).load(files)
        for ranks in [2, 3] {
            let (spread, bytes) = try Self.loadSpread(files, ranks: ranks, settings: settings)
            Self.expectSame(spread, several)
            #expect(bytes.filter { $0 > 0 }.count >= 2)
        }
    }
}
