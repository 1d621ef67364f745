import Foundation
import LinearAlgebra

/// Loading over several ranks: each rank reads and parses its share of the input, and rank 0
/// merges every rank's parsed blocks in input order and assembles the matrix: the same audience
/// (ids, vocabulary in first-seen order, document frequencies, pruning, idf, rejects with their file
/// and line) as `load(_:)` in one process, because merging and assembling are the very same steps.
extension ProfileLoader {
    /// A rank's share of one input file: all of it, or the lines starting in `range`.
    struct Share: Equatable {
        var file: Int
        var range: Range<Int>?
    }

    /// Every rank's shares, in rank order. Several files: whole files, contiguous in input order,
    /// spread by size (a file goes to the rank its first byte falls to). One plain file: equal byte
    /// ranges, line-aligned when read. One gzip file or stream cannot be split: rank 0 reads it.
    static func shares(sizes: [Int], splittable: Bool, ranks: Int) -> [[Share]] {
        var shares = [[Share]](repeating: [], count: ranks)
        if sizes.count == 1 {
            guard splittable, sizes[0] > 0 else { shares[0] = [Share(file: 0, range: nil)]; return shares }
            for q in 0..<ranks { shares[q] = [Share(file: 0, range: (q * sizes[0] / ranks)..<((q + 1) * sizes[0] / ranks))] }
            return shares
        }
        let total = max(1, sizes.reduce(0, +))
        var start = 0
        for (file, size) in sizes.enumerated() {
            shares[min(ranks - 1, start * ranks / total)].append(Share(file: file, range: nil))
            start += size
        }
        return shares
    }

    /// Loads `paths` spread over the ranks of `communicator` (a collective call). Returns the audience
    /// on rank 0 and nil on the others, with the input bytes each rank read.
    public func loadSpread(_ paths: [String], communicator: Communicator) throws -> (audience: LoadedAudience?, bytesPerRank: [Int]) {
        try settings.validate()
        guard !paths.isEmpty else { throw LoadError.noInput }
        let clock = ContinuousClock()
        let started = clock.now
        let formats = try paths.map { try format(of: $0) }
        let sizes = try paths.map { try ByteSource.size(of: $0) }
        let splittable = paths.count == 1 ? try (ByteSource(path: paths[0], lines: 0..<0) != nil) : false
        let mine = Self.shares(sizes: sizes, splittable: splittable, ranks: communicator.size)[communicator.rank]
        let parsers = formats.map { BlockParser(format: $0, maxLineBytes: settings.maxLineBytes, header: settings.header) }

        // Read and parse this rank's shares; code them for rank 0.
        var writer = ByteWriter()
        writer.put(mine.count)
        var bytesRead = 0
        for share in mine {
            let source: ByteSource
            if let range = share.range, let part = try ByteSource(path: paths[share.file], lines: range) { source = part } else { source = try ByteSource(path: paths[share.file]) }
            defer { source.close() }
            var reader = LineBlockReader(source: source, blockBytes: settings.blockBytes, maxLineBytes: settings.maxLineBytes,
                                         startsFile: source.startOffset == 0)
            var blocks: [ParsedBlock] = []
            var batch: [LineBlockReader.Block] = []
            func parseBatch() {
                var parsed = [ParsedBlock?](repeating: nil, count: batch.count)
                let taken = batch
                parsed.withUnsafeMutableBufferPointer { out in
                    let results = out.baseAddress!
                    Parallel.forEach(taken.count) { i in
                        results[i] = Self.parse(taken[i], with: parsers[share.file], maxLineBytes: settings.maxLineBytes)
                    }
                }
                blocks += parsed.map { $0! }
                batch.removeAll()
            }
            do {
                while let block = try reader.next() {
                    batch.append(block)
                    if batch.count >= 2 * Parallel.threadCount { parseBatch() }
                }
            } catch let problem as GzipProblem {
                parseBatch()
                throw LoadError.damagedGzip(file: paths[share.file], problem: problem.text, linesRead: blocks.reduce(0) { $0 + $1.lineCount })
            }
            parseBatch()
            bytesRead += source.position
            writer.put(share.file)
            writer.put(source.startOffset == 0 ? 1 : 0)
            writer.put(source.isGzip ? 1 : 0)
            writer.put(blocks.count)
            for block in blocks { block.encode(into: &writer) }
        }
        let parseSeconds = (clock.now - started).inSeconds
        let bytesPerRank = communicator.allgather([Double(bytesRead)]).map { Int($0) }
        guard let parts = communicator.gather(bytes: writer.bytes, root: 0) else { return (nil, bytesPerRank) }

        // Rank 0: merge in input order (rank order is input order), then assemble.
        let mergeStart = clock.now
        var builder = AudienceBuilder(normalization: settings.normalization)
        builder.report.files = paths.indices.map { FileLoadReport(path: paths[$0], format: formats[$0], bytes: sizes[$0], gzip: false) }
        var nextLine = 1
        for part in parts {
            var reader = ByteReader(part)
            for _ in 0..<reader.int() {
                let file = reader.int(), startsFile = reader.int() == 1, gzip = reader.int() == 1
                if startsFile {
                    nextLine = 1
                    builder.report.files[file].gzip = gzip
                }
                for _ in 0..<reader.int() {
                    let block = ParsedBlock.decode(from: &reader)
                    try builder.merge(block, file: file, firstLine: nextLine, format: formats[file], settings: settings)
                    nextLine += block.lineCount
                }
            }
        }
        let mergeSeconds = (clock.now - mergeStart).inSeconds
        progress?(LoadProgress(bytesRead: sizes.reduce(0, +), bytesTotal: sizes.reduce(0, +), stage: "building matrix"))
        let assembleStart = clock.now
        var audience = try Self.assemble(builder, settings: settings)
        audience.report.seconds = (clock.now - started).inSeconds
        audience.report.stageSeconds.merge(["parse": parseSeconds, "merge": mergeSeconds,
                                            "assemble": (clock.now - assembleStart).inSeconds]) { $1 }
        return (audience, bytesPerRank)
    }
}
