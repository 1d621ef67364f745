import Foundation
import LinearAlgebra

/// Streams profile files into a weighted sparse matrix.
///
/// Files are read in blocks of whole lines; blocks are parsed in parallel and merged in file
/// order, so ids, vocabulary order and every count are the same on any number of threads. Bad
/// records are rejected with file, line and reason (or stop the load in strict mode); every line
/// read is accounted for as loaded, rejected, blank or header.
public struct ProfileLoader {
    public var settings: LoaderSettings
    /// Called from the loading thread a few times per second at most.
    public var progress: ((LoadProgress) -> Void)?

    public init(settings: LoaderSettings = LoaderSettings(), progress: ((LoadProgress) -> Void)? = nil) {
        self.settings = settings
        self.progress = progress
    }

    /// The format a file will be read as: the setting, or else the file's extension.
    public func format(of path: String) throws -> InputFormat {
        if let format = settings.format { return format }
        guard let format = InputFormat.inferred(fromPath: path) else { throw LoadError.unknownFormat(file: path) }
        return format
    }

    /// Loads every file, in order, into one audience.
    public func load(_ paths: [String]) throws -> LoadedAudience {
        try settings.validate()
        MemoryTuning.keepLargeAllocationsInHeap()
        guard !paths.isEmpty else { throw LoadError.noInput }
        let clock = ContinuousClock()
        let started = clock.now
        let formats = try paths.map { try format(of: $0) }
        var sources = try paths.map { try ByteSource(path: $0) }
        let totalBytes = sources.reduce(0) { $0 + $1.fileSize }
        var builder = AudienceBuilder()
        builder.report.files = zip(paths, zip(formats, sources)).map { path, pair in
            FileLoadReport(path: path, format: pair.0, bytes: pair.1.fileSize, gzip: pair.1.isGzip)
        }
        let parser = formats.map {
            BlockParser(format: $0, maxLineBytes: settings.maxLineBytes, header: settings.header,
                        normalizer: InterestNormalizer(settings.normalization))
        }
        let batchSize = max(2, 2 * Parallel.threadCount)
        var bytesBefore = 0
        var lastProgress = clock.now
        var linesSoFar = 0
        var stage: [String: Double] = [:]
        var reserved = false

        for file in paths.indices {
            let source = sources[file]
            var reader = LineBlockReader(source: source, blockBytes: settings.blockBytes, maxLineBytes: settings.maxLineBytes)
            var nextLine = 1
            while true {
                var batch: [LineBlockReader.Block] = []
                var mark = clock.now
                while batch.count < batchSize, let block = try reader.next() { batch.append(block) }
                stage["read", default: 0] += Self.seconds(clock.now - mark)
                mark = clock.now
                if batch.isEmpty { break }
                var parsed = [ParsedBlock?](repeating: nil, count: batch.count)
                parsed.withUnsafeMutableBufferPointer { out in
                    let results = out.baseAddress!
                    Parallel.forEach(batch.count) { i in
                        switch batch[i] {
                        case let .lines(bytes, startsFile, endsFile):
                            results[i] = bytes.withUnsafeBufferPointer {
                                parser[file].parse($0, startsFile: startsFile, endsFile: endsFile)
                            }
                        case let .oversizedLine(length, excerpt, _):
                            var block = ParsedBlock()
                            block.lineCount = 1
                            block.rejects = [BlockReject(line: 0, kind: "line-too-long",
                                                         reason: "line is \(length) bytes, over the limit of \(settings.maxLineBytes) (raise --max-line-bytes to accept it)",
                                                         excerpt: excerpt)]
                            results[i] = block
                        }
                    }
                }
                batch.removeAll()
                stage["parse", default: 0] += Self.seconds(clock.now - mark)
                mark = clock.now
                for block in parsed {
                    guard let block else { continue }
                    try builder.merge(block, file: file, firstLine: nextLine, format: formats[file], settings: settings)
                    nextLine += block.lineCount
                    linesSoFar += block.lineCount
                }
                stage["merge", default: 0] += Self.seconds(clock.now - mark)
                // After the first batch, size the entry arrays for the whole input (+10%) from the
                // entries per byte seen so far, so they are not copied at every doubling.
                if !reserved, source.position > 0 {
                    reserved = true
                    let perByte = Double(builder.entryColumn.count) / Double(bytesBefore + source.position)
                    builder.reserve(entries: Int(perByte * Double(totalBytes) * 1.1))
                }
                if let progress, clock.now - lastProgress > .milliseconds(200) {
                    lastProgress = clock.now
                    progress(LoadProgress(bytesRead: bytesBefore + source.position, bytesTotal: totalBytes,
                                          linesRead: linesSoFar, profiles: builder.profileIds.count, stage: "parsing"))
                }
            }
            bytesBefore += source.fileSize
            source.close()
        }
        sources.removeAll()
        progress?(LoadProgress(bytesRead: totalBytes, bytesTotal: totalBytes, linesRead: linesSoFar,
                               profiles: builder.profileIds.count, stage: "building matrix"))
        let assembleStart = clock.now
        var audience = try Self.assemble(builder, settings: settings)
        stage["assemble"] = Self.seconds(clock.now - assembleStart)
        audience.report.seconds = Self.seconds(clock.now - started)
        audience.report.stageSeconds = stage
        return audience
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
