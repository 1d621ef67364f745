import Foundation
import TabularText

/// The firm's assets and potential partners, read from `assets.csv` (`id,name,kind,interests[,url,notes]`)
/// and `partners.csv` (`id,name,kind,interests[,reach,notes]`), with `interests` a `;`-separated list
/// normalised like the audience's interests (plus `aliases.csv`, `alias,interest`). Bad rows stop with
/// file and line; interests the audience vocabulary does not know are reported, not silently ignored.
public struct AssetCatalog: Sendable {
    public var assets: [InterestServer] = []
    public var partners: [InterestServer] = []
    /// Catalogue interests that match nothing in the audience.
    public var unknownInterests: [UnknownInterest] = []

    public struct UnknownInterest: Codable, Sendable, Equatable {
        public var file: String
        public var line: Int
        public var id: String
        public var interest: String
    }

    public init() {}

    /// The largest partner reach accepted (10¹² people).
    public static let maximumReach = 1e12

    public static func read(assets: String?, partners: String?, aliases: String?,
                            normalization: NormalizationSettings, vocabulary: [String]) throws -> AssetCatalog {
        let normalizer = InterestNormalizer(normalization)
        var aliasMap: [String: String] = [:]
        if let aliases {
            let records = try readRecords(aliases)
            try requireHeader(records, ["alias", "interest"], file: aliases)
            for record in records.dropFirst() {
                guard record.fields.count >= 2, !record.fields[0].isEmpty, !record.fields[1].isEmpty else {
                    throw CatalogError(file: aliases, line: record.line, message: "expected alias,interest with both filled in")
                }
                aliasMap[normalizer.normalize(record.fields[0])] = normalizer.normalize(record.fields[1])
            }
        }
        let known = Set(vocabulary)
        var catalog = AssetCatalog()
        func servers(_ path: String, extra: String) throws -> [InterestServer] {
            let records = try readRecords(path)
            try requireHeader(records, ["id", "name", "kind", "interests"], file: path)
            let header = records[0].fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let extraColumn = header.firstIndex(of: extra)
            var seen = Set<String>()
            var out: [InterestServer] = []
            for record in records.dropFirst() {
                let f = record.fields
                guard f.count >= 4 else {
                    throw CatalogError(file: path, line: record.line, message: "expected at least 4 fields (id,name,kind,interests), found \(f.count)")
                }
                let id = f[0].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty else { throw CatalogError(file: path, line: record.line, message: "the id is empty") }
                guard seen.insert(id).inserted else { throw CatalogError(file: path, line: record.line, message: "id \"\(id)\" appears twice") }
                var reach = 0.0
                if let c = extraColumn, extra == "reach", c < f.count, !f[c].trimmingCharacters(in: .whitespaces).isEmpty {
                    // A reach is a number of people: anything above 10¹² is a typo, not an audience.
                    guard let value = Double(f[c].trimmingCharacters(in: .whitespaces)), value >= 0, value <= Self.maximumReach else {
                        throw CatalogError(file: path, line: record.line, message: "reach \"\(f[c])\" is not a number of people from 0 to 10^12")
                    }
                    reach = value
                }
                var interests: [String] = []
                for raw in f[3].split(separator: ";") {
                    let normalized = normalizer.normalize(String(raw))
                    guard !normalized.isEmpty else { continue }
                    let interest = aliasMap[normalized] ?? normalized
                    if known.contains(interest) {
                        if !interests.contains(interest) { interests.append(interest) }
                    } else {
                        catalog.unknownInterests.append(UnknownInterest(file: path, line: record.line, id: id, interest: interest))
                    }
                }
                out.append(InterestServer(id: id, name: f[1], kind: f[2], interests: interests, reach: reach))
            }
            return out
        }
        if let assets { catalog.assets = try servers(assets, extra: "url") }
        if let partners { catalog.partners = try servers(partners, extra: "reach") }
        return catalog
    }

    /// The file's CSV records; reading and parsing errors become catalogue errors.
    static func readRecords(_ path: String) throws -> [CSVReader.Record] {
        do { return try CSVReader.read(path) } catch let error as CSVReadError { throw CatalogError(error) }
    }

    static func requireHeader(_ records: [CSVReader.Record], _ columns: [String], file: String) throws {
        guard let first = records.first else { throw CatalogError(file: file, line: 0, message: "the file is empty; expected a header \(columns.joined(separator: ","))") }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard Array(header.prefix(columns.count)) == columns else {
            throw CatalogError(file: file, line: first.line, message: "expected the header to start with \(columns.joined(separator: ",")), found \(first.fields.joined(separator: ","))")
        }
    }
}
