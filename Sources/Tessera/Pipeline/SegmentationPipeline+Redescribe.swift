import Foundation

extension SegmentationPipeline {
    /// Re-describes a saved run (the folder `tessera segment` wrote) without refitting: reloads its
    /// inputs as its job says, places the rows with its model, describes the segments with its rules and
    /// links the catalogue given here (`assets`, `partners`, `aliases`; nil: none).
    public static func redescribe(directory: String, assets: String?, partners: String?, aliases: String?,
                                  progress: ProgressReporter) throws -> SegmentationRun {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        struct SavedRun: Decodable {
            var sources: [String]?
            var objective: Double
            var iterations: Int
            var converged: Bool
        }
        try RunFolder.requireComplete(directory)
        let runFile = path("run.json")
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: runFile)) } catch {
            throw LoadError.cannotOpen(file: runFile, reason: "not a run folder written by `tessera segment` (no readable run.json)")
        }
        let saved: SavedRun
        do { saved = try JSONDecoder().decode(SavedRun.self, from: bytes) } catch {
            throw LoadError.readFailed(file: runFile, reason: "not a run.json this Tessera can read (\(error)); re-run `tessera segment`")
        }
        guard let sources = saved.sources, !sources.isEmpty else {
            throw LoadError.readFailed(file: runFile, reason: "the run does not record its inputs; re-run `tessera segment`")
        }
        let model = try SegmentModel.load(from: path(SegmentModel.fileName))
        var spec = model.metadata.parameters
        // A model made before interest hygiene existed has no such job key (read as on) but was
        // trained without it; its vectorizer says how its interests were read.
        spec.normalization.interestHygiene = model.metadata.vectorizer.normalization.interestHygiene
        spec.inputs = sources
        spec.out = directory
        spec.assets = assets
        spec.partners = partners
        spec.aliases = aliases
        spec.rejects = nil
        spec.emptyIds = nil
        let pipeline = try SegmentationPipeline(spec: spec, progress: progress)
        // Descriptions need the matrix, so a cache is loaded whole even for a mini-batch model.
        let audience = try AudienceFiles.load(sources, settings: spec.loaderSettings, progress: progress).audience
        guard audience.vocabulary.interests == model.metadata.vectorizer.interests else {
            throw ModelError(file: path(SegmentModel.fileName),
                             reason: "the inputs of \(directory) changed since the run (their interests no longer match the model); re-run `tessera segment`")
        }
        let placed = try pipeline.method.place(audience.matrix, profiles: model.centres, space: model.space)
        var result = SegmentFit(labels: placed.segments, profiles: model.centres, objective: saved.objective,
                                iterations: saved.iterations, converged: saved.converged, history: .empty,
                                memberships: placed.memberships)
        result.restartObjectives = [saved.objective]
        result.space = model.space
        var insights = try pipeline.describe(audience, result)
        try pipeline.addStabilityAndCautions(&insights, matrix: audience.matrix, result: result)
        var run = SegmentationRun(spec: spec, audience: audience, inputs: sources, result: result, model: model,
                                  insights: insights, timings: [:])
        try pipeline.link(&run)
        return run
    }
}
