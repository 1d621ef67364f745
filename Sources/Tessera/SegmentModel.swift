import Foundation

/// A saved segmentation model: the centres with everything needed to place new followers into the
/// same segments (vocabulary, normalisation, fitted weighting, clustering settings).
///
/// File layout (`model.tessera`, little-endian): magic `TSMODEL\0`, UInt32 version, UInt32 k,
/// UInt64 d, UInt64 length of the JSON metadata, the metadata (UTF-8 JSON), zero padding to a
/// multiple of 4, then k×d Float32 centres row by row.
public struct SegmentModel: Sendable {
    public static let magic: [UInt8] = Array("TSMODEL\0".utf8)
    public static let version: UInt32 = 1
    public static let fileName = "model.tessera"

    public struct Metadata: Codable, Sendable, Equatable {
        public var tesseraVersion: String
        /// "kmeans" or "nmf".
        public var method: String
        public var kmeans: KMeansSettings?
        public var nmf: NMFSettings?
        public var vectorizer: FittedVectorizer
        public var loader: LoaderSettings

        enum CodingKeys: String, CodingKey {
            case method, kmeans, nmf, vectorizer, loader
            case tesseraVersion = "tessera_version"
        }
    }

    public var metadata: Metadata
    /// k×d segment profiles in the vectorizer's interest columns: k-means centres or NMF components (H).
    public var centres: DenseMatrix

    public init(metadata: Metadata, centres: DenseMatrix) {
        self.metadata = metadata
        self.centres = centres
    }

    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(metadata)
        try AtomicFile.write(to: path) { out in
            var header = Data(Self.magic)
            func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
            append(Self.version)
            append(UInt32(centres.rowCount))
            append(UInt64(centres.columnCount))
            append(UInt64(json.count))
            header.append(json)
            while header.count % 4 != 0 { header.append(0) }
            try out.write(header)
            try centres.values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try out.write($0) }
        }
    }

    public static func load(from path: String) throws -> SegmentModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw ClusteringError.badModel("cannot read model \(path): \(error.localizedDescription)")
        }
        guard data.count >= 32, Array(data.prefix(8)) == magic else {
            throw ClusteringError.badModel("\(path) is not a Tessera model (expected the \(fileName) written by `tessera segment`)")
        }
        func integer<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            data.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        }
        let fileVersion = integer(8, UInt32.self)
        guard fileVersion == version else {
            throw ClusteringError.badModel("\(path) is model version \(fileVersion); this Tessera reads version \(version): re-run `tessera segment`")
        }
        let k = Int(integer(12, UInt32.self)), d = Int(integer(16, UInt64.self)), jsonLength = Int(integer(24, UInt64.self))
        var offset = 32 + jsonLength
        while offset % 4 != 0 { offset += 1 }
        guard jsonLength >= 0, k > 0, d >= 0, data.count == offset + k * d * 4 else {
            throw ClusteringError.badModel("\(path) is truncated or damaged (size \(data.count) bytes does not match its header)")
        }
        let metadata: Metadata
        do { metadata = try JSONDecoder().decode(Metadata.self, from: data.subdata(in: 32..<(32 + jsonLength))) } catch {
            throw ClusteringError.badModel("\(path): unreadable metadata (\(error))")
        }
        guard metadata.method == "nmf" ? metadata.nmf != nil : metadata.kmeans != nil else {
            throw ClusteringError.badModel("\(path): a \(metadata.method) model without its settings")
        }
        guard metadata.vectorizer.interests.count == d else {
            throw ClusteringError.badModel("\(path): vocabulary of \(metadata.vectorizer.interests.count) interests for \(d) columns")
        }
        var values = [Float](repeating: 0, count: k * d)
        data.withUnsafeBytes { raw in
            for t in 0..<(k * d) {
                values[t] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * t, as: UInt32.self)))
            }
        }
        return SegmentModel(metadata: metadata, centres: try DenseMatrix(rowCount: k, columnCount: d, values: values))
    }

    /// What `assign` produced for a set of new profiles.
    public struct Placement: Sendable {
        public var ids: [String]
        /// Segment of each id, `nil` for a profile none of whose interests the model knows.
        public var segments: [Int?]
        /// k-means: distance to the segment's centre.
        public var distances: [Float?]
        /// NMF: soft membership (`nil` where `segments` is nil).
        public var memberships: [SoftMembership?]
        public var unknownInterests: Int
        public var emptyProfileIds: [String]
    }

    /// Places a raw audience (loaded with `metadata.vectorizer.rawLoaderSettings`) into the model's segments.
    public func place(_ raw: LoadedAudience) throws -> Placement {
        let projection = metadata.vectorizer.project(raw)
        let unplaced = Set(projection.rowsWithoutKnownInterests)
        if metadata.method == "nmf" {
            let w = try NMF.transform(projection.matrix, h: centres)
            let memberships = NMFResult.memberships(of: w)
            return Placement(ids: raw.profileIds,
                             segments: memberships.enumerated().map { unplaced.contains($0.offset) ? nil : $0.element.segment },
                             distances: memberships.map { _ in nil },
                             memberships: memberships.enumerated().map { unplaced.contains($0.offset) ? nil : $0.element },
                             unknownInterests: projection.unknownInterests, emptyProfileIds: raw.emptyProfileIds)
        }
        let (labels, distances) = try KMeans.predict(.sparse(projection.matrix), centres: centres,
                                                     metric: metadata.kmeans?.metric ?? .cosine)
        return Placement(ids: raw.profileIds,
                         segments: labels.enumerated().map { unplaced.contains($0.offset) ? nil : Int($0.element) },
                         distances: distances.enumerated().map { unplaced.contains($0.offset) ? nil : $0.element },
                         memberships: labels.map { _ in nil },
                         unknownInterests: projection.unknownInterests, emptyProfileIds: raw.emptyProfileIds)
    }
}
