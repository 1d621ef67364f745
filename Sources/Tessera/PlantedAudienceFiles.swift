import Foundation

/// Writes a planted audience to disk: JSON Lines profiles and, optionally, ground-truth labels.
public enum PlantedAudienceFiles {
    public struct Summary: Sendable, Codable {
        public var profiles: Int
        public var segments: Int
        public var interests: Int
        public var bytes: Int
        public var seconds: Double
        public var output: String
        public var labels: String?
    }

    /// Generates in parallel chunks and writes them in order (atomically). A path ending in `.gz` is
    /// written gzip-compressed: each chunk becomes a gzip member, compressed in parallel, so a large
    /// audience streams to disk without ever being held whole.
    public static func write(_ generator: PlantedAudienceGenerator, to path: String, labels labelsPath: String? = nil,
                             progress: ProgressReporter? = nil) throws -> Summary {
        let clock = ContinuousClock()
        let started = clock.now
        let chunks = generator.chunkCount
        let batch = max(2, Parallel.threadCount * 4)
        var bytes = 0
        let gzip = path.hasSuffix(".gz")
        try AtomicFile.write(to: path) { out in
            var chunk = 0
            while chunk < chunks {
                let count = min(batch, chunks - chunk)
                var texts = [[UInt8]](repeating: [], count: count)
                texts.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    let first = chunk
                    Parallel.forEach(count) { i in
                        let text = generator.jsonLines(inChunk: first + i)
                        base[i] = gzip ? GzipMember.compress(text) : text
                    }
                }
                for text in texts {
                    try text.withUnsafeBytes { try out.write($0) }
                    bytes += text.count
                }
                chunk += count
                progress?.update(stage: "generating", done: Double(chunk), total: Double(chunks),
                                 detail: "\(min(generator.settings.profiles, chunk * PlantedAudienceGenerator.chunkSize)) profiles")
            }
        }
        if let labelsPath {
            try AtomicFile.write(to: labelsPath) { out in
                try out.write("id,segment,secondary,segment_name\n")
                for chunk in 0..<chunks {
                    let rows = generator.labelRows(inChunk: chunk)
                    try rows.withUnsafeBytes { try out.write($0) }
                }
            }
        }
        progress?.finish(stage: "generating")
        let elapsed = clock.now - started
        return Summary(profiles: generator.settings.profiles, segments: generator.settings.segments,
                       interests: generator.vocabulary.names.count, bytes: bytes,
                       seconds: elapsed.inSeconds,
                       output: path, labels: labelsPath)
    }
}
