import Crypto
import Foundation

/// A saved segmentation model: the segment profiles with everything needed to place new followers
/// into the same segments (the job that made it, vocabulary, normalisation, fitted weighting).
///
/// File layout (`model.tessera`, version 3, little-endian): magic `TSMODEL\0`, UInt32 version,
/// UInt32 k, UInt64 d, UInt64 length of the JSON metadata, the metadata (UTF-8 JSON), zero padding to
/// a multiple of 4, k×d Float32 profiles row by row, UInt64 r (latent dimensions, 0 when segments
/// were found on the interests) and, when r > 0, the d×r projection, the r singular values and the
/// k×r latent centres (Float32, row by row); then the SHA-256 of every byte before it. The digest is
/// checked before any header field is trusted, so a damaged model is refused, never read. Version 2
/// files (no r field) are still read.
public struct SegmentModel: Sendable {
    public static let magic: [UInt8] = Array("TSMODEL\0".utf8)
    public static let version: UInt32 = 3
    /// Versions `load` reads.
    public static let readableVersions: Set<UInt32> = [2, 3]
    public static let fileName = "model.tessera"
    static let headerBytes = 32
    static let digestBytes = 32

    public struct Metadata: Codable, Sendable, Equatable {
        public var tesseraVersion: String
        /// The job that made the model: method, k, seed and every setting, as in its job file.
        public var parameters: JobSpec
        public var vectorizer: FittedVectorizer

        public init(tesseraVersion: String, parameters: JobSpec, vectorizer: FittedVectorizer) {
            self.tesseraVersion = tesseraVersion
            self.parameters = parameters
            self.vectorizer = vectorizer
        }

        enum CodingKeys: String, CodingKey {
            case parameters, vectorizer
            case tesseraVersion = "tessera_version"
        }
    }

    public var metadata: Metadata
    /// k×d segment profiles in the vectorizer's interest columns: k-means centres or NMF components (H).
    public var centres: DenseMatrix
    /// The latent space the segments were found in (k-means in the latent space), nil otherwise.
    public var space: FittedSpace?

    public init(metadata: Metadata, centres: DenseMatrix, space: FittedSpace? = nil) {
        self.metadata = metadata
        self.centres = centres
        self.space = space
    }

    /// The method that made the model, ready to place new rows.
    public var method: any SegmentationMethod { metadata.parameters.segmentationMethod() }

    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(metadata)
        var bytes = Data(Self.magic)
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        append(Self.version)
        append(UInt32(centres.rowCount))
        append(UInt64(centres.columnCount))
        append(UInt64(json.count))
        bytes.append(json)
        while bytes.count % 4 != 0 { bytes.append(0) }
        func append(_ values: [Float]) { values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { bytes.append(contentsOf: $0) } }
        append(centres.values)
        append(UInt64(space?.space.dimensions ?? 0))
        if let space {
            append(space.space.projection.values)
            append(space.space.singularValues)
            append(space.centres.values)
        }
        bytes.append(contentsOf: SHA256.hash(data: bytes))
        try AtomicFile.write(bytes, to: path)
    }

    public static func load(from path: String) throws -> SegmentModel {
        func damaged(_ what: String) -> ModelError { ModelError(file: path, reason: what) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw ModelError(file: path, reason: "cannot read it (\(SystemError.reason(error)))")
        }
        guard data.count >= headerBytes + digestBytes, Array(data.prefix(8)) == magic else {
            throw damaged("not a Tessera model (expected the \(fileName) written by `tessera segment`)")
        }
        func integer<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            data.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        }
        let fileVersion = integer(8, UInt32.self)
        guard readableVersions.contains(fileVersion) else {
            throw damaged("model version \(fileVersion); this Tessera reads versions \(readableVersions.sorted().map(String.init).joined(separator: " and ")): re-run `tessera segment`")
        }
        let body = data.prefix(data.count - digestBytes)
        guard Array(SHA256.hash(data: body)) == Array(data.suffix(digestBytes)) else {
            throw damaged("damaged: its checksum does not match its contents; re-run `tessera segment` or restore the file")
        }
        // The digest matched, but the header is still checked with overflow-safe arithmetic.
        let k64 = UInt64(integer(12, UInt32.self)), d64 = integer(16, UInt64.self), jsonLength64 = integer(24, UInt64.self)
        let limit = UInt64(body.count)
        guard k64 > 0, jsonLength64 <= limit, d64 <= limit else { throw damaged("its header does not match its size") }
        let k = Int(k64), d = Int(d64), jsonLength = Int(jsonLength64)
        var offset = headerBytes + jsonLength
        while offset % 4 != 0 { offset += 1 }
        let (cells, overflow) = k.multipliedReportingOverflow(by: d)
        guard !overflow, cells <= Int.max / 4, offset + cells * 4 <= body.count else { throw damaged("its header does not match its size") }
        // Version 3: the latent dimensions r after the profiles, then the space's arrays.
        var r = 0
        let profilesEnd = offset + cells * 4
        if fileVersion >= 3 {
            guard profilesEnd + 8 <= body.count else { throw damaged("its header does not match its size") }
            let r64 = integer(profilesEnd, UInt64.self)
            guard r64 <= d64 else { throw damaged("its header does not match its size") }
            r = Int(r64)
            let (projectionCells, tooLarge) = d.multipliedReportingOverflow(by: r)
            let spaceCells = r == 0 ? 0 : projectionCells + r + k * r
            guard !tooLarge, spaceCells <= (body.count - profilesEnd - 8) / 4, profilesEnd + 8 + spaceCells * 4 == body.count else {
                throw damaged("its header does not match its size")
            }
        } else {
            guard profilesEnd == body.count else { throw damaged("its header does not match its size") }
        }
        let metadata: Metadata
        do { metadata = try JSONDecoder().decode(Metadata.self, from: data.subdata(in: headerBytes..<(headerBytes + jsonLength))) } catch {
            throw damaged("unreadable metadata (\(error))")
        }
        guard metadata.vectorizer.interests.count == d else {
            throw damaged("vocabulary of \(metadata.vectorizer.interests.count) interests for \(d) columns")
        }
        guard metadata.parameters.k == k else { throw damaged("its job says k = \(metadata.parameters.k) but it holds \(k) segments") }
        func floats(at start: Int, count: Int) -> [Float] {
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                for t in 0..<count {
                    values[t] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * t, as: UInt32.self)))
                }
            }
            return values
        }
        let values = floats(at: offset, count: cells)
        guard values.allSatisfy(\.isFinite) else { throw damaged("it holds non-finite segment profiles") }
        var space: FittedSpace?
        if r > 0 {
            let start = profilesEnd + 8
            let projection = floats(at: start, count: d * r)
            let singular = floats(at: start + 4 * d * r, count: r)
            let latent = floats(at: start + 4 * (d * r + r), count: k * r)
            guard projection.allSatisfy(\.isFinite), singular.allSatisfy(\.isFinite), latent.allSatisfy(\.isFinite) else {
                throw damaged("it holds a non-finite latent space")
            }
            space = FittedSpace(space: LatentSpace(projection: try DenseMatrix(rowCount: d, columnCount: r, values: projection),
                                                   singularValues: singular),
                                centres: try DenseMatrix(rowCount: k, columnCount: r, values: latent))
        }
        return SegmentModel(metadata: metadata, centres: try DenseMatrix(rowCount: k, columnCount: d, values: values), space: space)
    }

    /// What `assign` produced for a set of new profiles.
    public struct Placement: Sendable {
        public var ids: [String]
        /// Segment of each id, `nil` for a profile none of whose interests the model knows.
        public var segments: [Int?]
        /// k-means: squared distance to the segment's centre.
        public var distances: [Float?]?
        /// NMF: soft membership (`nil` where `segments` is nil).
        public var memberships: [SoftMembership?]?
        public var unknownInterests: Int
        public var emptyProfileIds: [String]
    }

    /// Places a raw audience (loaded with `metadata.vectorizer.rawLoaderSettings`) into the model's segments.
    public func place(_ raw: LoadedAudience) throws -> Placement {
        let projection = metadata.vectorizer.project(raw)
        let unplaced = Set(projection.rowsWithoutKnownInterests)
        let placed = try method.place(projection.matrix, profiles: centres, space: space)
        func known<T>(_ values: [T]) -> [T?] { values.enumerated().map { unplaced.contains($0.offset) ? nil : $0.element } }
        return Placement(ids: raw.profileIds, segments: known(placed.segments.map { Int($0) }),
                         distances: placed.distances.map(known), memberships: placed.memberships.map(known),
                         unknownInterests: projection.unknownInterests, emptyProfileIds: raw.emptyProfileIds)
    }
}

/// A model file that cannot be used: which file and why.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var reason: String
    public var description: String { "model \(file): \(reason)" }
}
