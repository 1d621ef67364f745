import Foundation

// The job's one spelling: these keys are the job file's, run.json's `parameters` and the model's.
// Decoding: a missing key keeps its default, an unknown key is refused with its full name.

extension JobSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputs, format, normalization, pruning, weighting, l2, duplicates, header
        case maxLineBytes = "max_line_bytes"
        case strict, method, k, seed, restarts, kmeans, nmf, stability
        case stabilitySample = "stability_sample"
        case topInterests = "top_interests"
        case insights, assets, partners, aliases, out, assignments, rejects
        case emptyIds = "empty_ids"
    }

    public init(from decoder: Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = JobSpec()
        if c.contains(.inputs) {
            // One path is accepted where a list is expected.
            if let one = try? c.decode(String.self, forKey: .inputs) { s.inputs = [one] } else { s.inputs = try c.decode([String].self, forKey: .inputs) }
        }
        if c.contains(.format) {
            var format = InputFormat.jsonl
            try c.update(&format, .format)
            s.format = format
        }
        try c.update(&s.normalization, .normalization)
        try c.update(&s.pruning, .pruning)
        try c.update(&s.weighting, .weighting)
        try c.update(&s.l2, .l2)
        try c.update(&s.duplicates, .duplicates)
        try c.update(&s.header, .header)
        try c.update(&s.maxLineBytes, .maxLineBytes)
        try c.update(&s.strict, .strict)
        try c.update(&s.method, .method)
        try c.update(&s.k, .k)
        try c.update(&s.seed, .seed)
        try c.update(&s.restarts, .restarts)
        try c.update(&s.kmeans, .kmeans)
        try c.update(&s.nmf, .nmf)
        try c.update(&s.stability, .stability)
        try c.update(&s.stabilitySample, .stabilitySample)
        try c.update(&s.topInterests, .topInterests)
        if c.contains(.insights) {
            try c.superDecoder(forKey: .insights).refuseUnknownKeys(InsightSettings.CodingKeys.self)
            s.insights = try c.decode(InsightSettings.self, forKey: .insights)
        }
        s.assets = try c.decodeIfPresent(String.self, forKey: .assets)
        s.partners = try c.decodeIfPresent(String.self, forKey: .partners)
        s.aliases = try c.decodeIfPresent(String.self, forKey: .aliases)
        try c.update(&s.out, .out)
        try c.update(&s.assignments, .assignments)
        s.rejects = try c.decodeIfPresent(String.self, forKey: .rejects)
        s.emptyIds = try c.decodeIfPresent(String.self, forKey: .emptyIds)
        self = s
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputs, forKey: .inputs)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encode(normalization, forKey: .normalization)
        try c.encode(pruning, forKey: .pruning)
        try c.encode(weighting, forKey: .weighting)
        try c.encode(l2, forKey: .l2)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(header, forKey: .header)
        try c.encode(maxLineBytes, forKey: .maxLineBytes)
        try c.encode(strict, forKey: .strict)
        try c.encode(method, forKey: .method)
        try c.encode(k, forKey: .k)
        try c.encode(seed, forKey: .seed)
        try c.encode(restarts, forKey: .restarts)
        try c.encode(kmeans, forKey: .kmeans)
        try c.encode(nmf, forKey: .nmf)
        try c.encode(stability, forKey: .stability)
        try c.encode(stabilitySample, forKey: .stabilitySample)
        try c.encode(topInterests, forKey: .topInterests)
        try c.encode(insights, forKey: .insights)
        try c.encodeIfPresent(assets, forKey: .assets)
        try c.encodeIfPresent(partners, forKey: .partners)
        try c.encodeIfPresent(aliases, forKey: .aliases)
        try c.encode(out, forKey: .out)
        try c.encode(assignments, forKey: .assignments)
        try c.encodeIfPresent(rejects, forKey: .rejects)
        try c.encodeIfPresent(emptyIds, forKey: .emptyIds)
    }
}

extension JobSpec.Normalization: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case trim, nfkc
        case caseFold = "case_fold"
        case stripSigil = "strip_sigil"
        case interestHygiene = "interest_hygiene"
    }

    public init(from decoder: Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.update(&trim, .trim)
        try c.update(&nfkc, .nfkc)
        try c.update(&caseFold, .caseFold)
        try c.update(&stripSigil, .stripSigil)
        try c.update(&interestHygiene, .interestHygiene)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trim, forKey: .trim)
        try c.encode(nfkc, forKey: .nfkc)
        try c.encode(caseFold, forKey: .caseFold)
        try c.encode(stripSigil, forKey: .stripSigil)
        try c.encode(interestHygiene, forKey: .interestHygiene)
    }
}

extension JobSpec.Pruning: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case minDF = "min_df"
        case maxDF = "max_df"
        case maxVocabulary = "max_vocabulary"
    }

    public init(from decoder: Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.update(&minDF, .minDF)
        try c.update(&maxDF, .maxDF)
        maxVocabulary = try c.decodeIfPresent(Int.self, forKey: .maxVocabulary) ?? maxVocabulary
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minDF, forKey: .minDF)
        try c.encode(maxDF, forKey: .maxDF)
        try c.encodeIfPresent(maxVocabulary, forKey: .maxVocabulary)
    }
}

extension JobSpec.KMeansOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case initialization = "init"
        case initTrials = "init_trials"
        case parallelRounds = "parallel_rounds"
        case parallelOversampling = "parallel_oversampling"
        case algorithm, metric
        case maxIterations = "max_iterations"
        case tolerance, bounds
        case batchSize = "batch_size"
        case epochs, patience
        case space
        case spaceDimensions = "space_dimensions"
        case spaceSampleRows = "space_sample_rows"
        case refine
    }

    public init(from decoder: Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.update(&initialization, .initialization)
        initTrials = try c.decodeIfPresent(Int.self, forKey: .initTrials) ?? initTrials
        try c.update(&parallelRounds, .parallelRounds)
        try c.update(&parallelOversampling, .parallelOversampling)
        try c.update(&algorithm, .algorithm)
        try c.update(&metric, .metric)
        try c.update(&maxIterations, .maxIterations)
        try c.update(&tolerance, .tolerance)
        try c.update(&bounds, .bounds)
        try c.update(&batchSize, .batchSize)
        try c.update(&epochs, .epochs)
        try c.update(&patience, .patience)
        try c.update(&space, .space)
        spaceDimensions = try c.decodeIfPresent(Int.self, forKey: .spaceDimensions) ?? spaceDimensions
        try c.update(&spaceSampleRows, .spaceSampleRows)
        try c.update(&refine, .refine)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(initialization, forKey: .initialization)
        try c.encodeIfPresent(initTrials, forKey: .initTrials)
        try c.encode(parallelRounds, forKey: .parallelRounds)
        try c.encode(parallelOversampling, forKey: .parallelOversampling)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(metric, forKey: .metric)
        try c.encode(maxIterations, forKey: .maxIterations)
        try c.encode(tolerance, forKey: .tolerance)
        try c.encode(bounds, forKey: .bounds)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(patience, forKey: .patience)
        try c.encode(space, forKey: .space)
        try c.encodeIfPresent(spaceDimensions, forKey: .spaceDimensions)
        try c.encode(spaceSampleRows, forKey: .spaceSampleRows)
        try c.encode(refine, forKey: .refine)
    }
}

extension JobSpec.NMFOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case solver
        case initialization = "init"
        case maxIterations = "max_iterations"
        case tolerance
        case checkEvery = "check_every"
        case svdPowerIterations = "svd_power_iterations"
        case svdOversampling = "svd_oversampling"
        case l1W = "l1_w", l2W = "l2_w", l1H = "l1_h", l2H = "l2_h"
    }

    public init(from decoder: Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.update(&solver, .solver)
        try c.update(&initialization, .initialization)
        try c.update(&maxIterations, .maxIterations)
        try c.update(&tolerance, .tolerance)
        try c.update(&checkEvery, .checkEvery)
        try c.update(&svdPowerIterations, .svdPowerIterations)
        try c.update(&svdOversampling, .svdOversampling)
        try c.update(&l1W, .l1W)
        try c.update(&l2W, .l2W)
        try c.update(&l1H, .l1H)
        try c.update(&l2H, .l2H)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(solver, forKey: .solver)
        try c.encode(initialization, forKey: .initialization)
        try c.encode(maxIterations, forKey: .maxIterations)
        try c.encode(tolerance, forKey: .tolerance)
        try c.encode(checkEvery, forKey: .checkEvery)
        try c.encode(svdPowerIterations, forKey: .svdPowerIterations)
        try c.encode(svdOversampling, forKey: .svdOversampling)
        try c.encode(l1W, forKey: .l1W)
        try c.encode(l2W, forKey: .l2W)
        try c.encode(l1H, forKey: .l1H)
        try c.encode(l2H, forKey: .l2H)
    }
}

/// Any key, to list what a mapping holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A key the job does not know, with its full dotted name and the keys that would be accepted there.
public struct UnknownJobKey: Error, CustomStringConvertible {
    public var key: String
    public var known: [String]
    public var description: String { "unknown key '\(key)'; known keys here: \(known.joined(separator: ", "))" }
}

extension Decoder {
    /// Throws `UnknownJobKey` for the first key (in sorted order) of this mapping that `Keys` does not name.
    func refuseUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        guard let c = try? container(keyedBy: AnyCodingKey.self) else { return }
        let known = Set(Keys.allCases.map(\.stringValue))
        let prefix = codingPath.map(\.stringValue).joined(separator: ".")
        for key in c.allKeys.map(\.stringValue).sorted() where !known.contains(key) {
            throw UnknownJobKey(key: prefix.isEmpty ? key : prefix + "." + key, known: known.sorted())
        }
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` with the decoded one when the key is present.
    func update<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    /// A choice: the error lists the accepted values.
    func update<T: Decodable & RawRepresentable & CaseIterable>(_ value: inout T, _ key: Key) throws where T.RawValue == String {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return }
        guard let decoded = T(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key],
                                                    debugDescription: "must be one of " + T.allCases.map(\.rawValue).joined(separator: ", ") + " (got \(text))"))
        }
        value = decoded
    }
}
