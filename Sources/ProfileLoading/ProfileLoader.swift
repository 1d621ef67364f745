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
        guard !paths.isEmpty else { throw LoadError.noInput }
        let clock = ContinuousClock()
        let started = clock.now
        let formats = try paths.map { try format(of: $0) }
        let sizes = try paths.map { try ByteSource.size(of: $0) }
        let totalBytes = sizes.reduce(0, +)
        let settings = self.settings
        let state = MergeState(normalization: settings.normalization)
        state.builder!.report.files = paths.indices.map {
            FileLoadReport(path: paths[$0], format: formats[$0], bytes: sizes[$0], gzip: false)
        }
        let parser = formats.map {
            BlockParser(format: $0, maxLineBytes: settings.maxLineBytes, header: settings.header)
        }
        let batchSize = max(2, 2 * Parallel.threadCount)
        var bytesBefore = 0
        var lastProgress = clock.now
        var stage: [String: Double] = [:]
        // Merging is sequential; it runs on its own queue, in order, while the next batch is read
        // and parsed. At most two parsed batches wait for it.
        let mergeQueue = DispatchQueue(label: "tessera.load.merge")
        let pending = DispatchGroup()
        let slots = DispatchSemaphore(value: 2)

        for file in paths.indices {
            let source = try ByteSource(path: paths[file])   // one file open at a time
            let reader = BatchReader(LineBlockReader(source: source, blockBytes: settings.blockBytes, maxLineBytes: settings.maxLineBytes),
                                     batchSize: batchSize)
            defer { reader.finish(); source.close() }
            let gzip = source.isGzip
            mergeQueue.async(group: pending) {
                state.nextLine = 1
                state.builder!.report.files[file].gzip = gzip
            }
            reader.start()
            while !state.failed {
                var mark = clock.now
                let taken: (blocks: [LineBlockReader.Block], position: Int)
                do { taken = try reader.take() } catch let problem as GzipProblem {
                    // Say how far the file was read: every line before the damage is merged first.
                    pending.wait()
                    if let earlier = state.error { throw earlier }
                    throw LoadError.damagedGzip(file: paths[file], problem: problem.text, linesRead: state.builder!.report.files[file].lines)
                }
                var batch = taken.blocks
                let position = taken.position
                stage["read", default: 0] += (clock.now - mark).inSeconds   // waiting for it, that is
                mark = clock.now
                if batch.isEmpty { break }
                reader.start()   // the next batch is read while this one is parsed
                var parsed = [ParsedBlock?](repeating: nil, count: batch.count)
                parsed.withUnsafeMutableBufferPointer { out in
                    let results = out.baseAddress!
                    Parallel.forEach(batch.count) { i in
                        results[i] = Self.parse(batch[i], with: parser[file], maxLineBytes: settings.maxLineBytes)
                    }
                }
                batch.removeAll()
                stage["parse", default: 0] += (clock.now - mark).inSeconds
                let bytesSoFar = bytesBefore + position
                slots.wait()
                mergeQueue.async(group: pending) { [parsed] in
                    defer { slots.signal() }
                    guard !state.failed else { return }
                    let started = ContinuousClock.now
                    do {
                        for block in parsed {
                            guard let block else { continue }
                            try state.builder!.merge(block, file: file, firstLine: state.nextLine, format: formats[file], settings: settings)
                            state.nextLine += block.lineCount
                        }
                    } catch {
                        state.fail(error)
                    }
                    // After the first batch, size the entry arrays for the whole input (+10%) from
                    // the entries per byte seen so far, so they are not copied at every doubling.
                    if !state.reserved, bytesSoFar > 0 {
                        state.reserved = true
                        let perByte = Double(state.builder!.entryCount) / Double(bytesSoFar)
                        state.builder!.reserve(entries: Int(perByte * Double(totalBytes) * 1.1))
                    }
                    state.mergeSeconds += (ContinuousClock.now - started).inSeconds
                }
                if let progress, clock.now - lastProgress > .milliseconds(200) {
                    lastProgress = clock.now
                    progress(LoadProgress(bytesRead: bytesSoFar, bytesTotal: totalBytes, stage: "parsing"))
                }
            }
            bytesBefore += sizes[file]
        }
        let waitStart = clock.now
        pending.wait()
        stage["merge"] = state.mergeSeconds
        stage["merge-wait"] = (clock.now - waitStart).inSeconds
        if let error = state.error { throw error }
        let builder = state.takeBuilder()
        progress?(LoadProgress(bytesRead: totalBytes, bytesTotal: totalBytes, stage: "building matrix"))
        let assembleStart = clock.now
        var audience = try Self.assemble(builder, settings: settings)
        stage["assemble"] = (clock.now - assembleStart).inSeconds
        audience.report.seconds = (clock.now - started).inSeconds
        audience.report.stageSeconds.merge(stage) { $1 }
        return audience
    }
}

extension ProfileLoader {
    /// One block of lines parsed (an over-long line becomes its reject).
    static func parse(_ block: LineBlockReader.Block, with parser: BlockParser, maxLineBytes: Int) -> ParsedBlock {
        switch block {
        case let .lines(bytes, startsFile, endsFile):
            return bytes.withUnsafeBufferPointer { parser.parse($0, startsFile: startsFile, endsFile: endsFile) }
        case let .oversizedLine(length, excerpt, _):
            var parsed = ParsedBlock()
            parsed.lineCount = 1
            parsed.rejects = [BlockReject(line: 0, kind: .lineTooLong,
                                          reason: "line is \(length) bytes, over the limit of \(maxLineBytes) (raise --max-line-bytes to accept it)",
                                          excerpt: excerpt)]
            return parsed
        }
    }
}

/// Reads the next batch of blocks on its own thread while the current one is parsed.
private final class BatchReader: @unchecked Sendable {
    private var reader: LineBlockReader
    private let batchSize: Int
    private let queue = DispatchQueue(label: "tessera.load.read")
    private let group = DispatchGroup()
    private var result: Result<(blocks: [LineBlockReader.Block], position: Int), Error> = .success(([], 0))
    /// A failure met after some blocks of a batch: reported as the next batch.
    private var deferred: Error?

    init(_ reader: LineBlockReader, batchSize: Int) {
        self.reader = reader
        self.batchSize = batchSize
    }

    /// Starts reading the next batch (call `take()` before starting another). When reading fails
    /// part-way, the blocks read before the failure come first; the failure is the next batch.
    func start() {
        queue.async(group: group) { [self] in
            if let error = deferred {
                deferred = nil
                result = .failure(error)
                return
            }
            var blocks: [LineBlockReader.Block] = []
            do {
                while blocks.count < batchSize, let block = try reader.next() { blocks.append(block) }
                result = .success((blocks, reader.position))
            } catch {
                result = blocks.isEmpty ? .failure(error) : .success((blocks, reader.position))
                if !blocks.isEmpty { deferred = error }
            }
        }
    }

    /// The batch started last (empty at the end of the file) and the file position after it.
    func take() throws -> (blocks: [LineBlockReader.Block], position: Int) {
        group.wait()
        defer { result = .success(([], 0)) }
        return try result.get()
    }

    /// Waits for a read in flight (before the source is closed).
    func finish() { group.wait() }
}

/// What the merge queue owns while a load runs; touched only on that queue until it drains.
private final class MergeState: @unchecked Sendable {
    /// Nil once taken for assembly.
    var builder: AudienceBuilder?
    var nextLine = 1
    var reserved = false
    var mergeSeconds = 0.0
    private var firstError: Error?
    private let lock = NSLock()

    /// The error that stopped merging (strict mode), read from any thread.
    var error: Error? { lock.lock(); defer { lock.unlock() }; return firstError }
    var failed: Bool { error != nil }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if firstError == nil { firstError = error }
    }

    init(normalization: NormalizationSettings) {
        builder = AudienceBuilder(normalization: normalization)
    }

    /// Hands the builder over (dropping this reference, so assembly can mutate its arrays in place).
    func takeBuilder() -> AudienceBuilder {
        defer { builder = nil }
        return builder!
    }
}
