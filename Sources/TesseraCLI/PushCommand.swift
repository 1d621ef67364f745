import ArgumentParser
import Foundation
import Tessera

extension BoardTool: ExpressibleByArgument {}

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send a run's wall to a Miro, Mural or Trello board through its REST API.",
        discussion: """
        Reads RUN_DIR/miro-bulk/calls.json, RUN_DIR/mural-stickies/calls.json or RUN_DIR/trello/calls.json \\
        and makes those calls in order: frames, areas or lists first, then the sticky notes or cards inside \\
        them, with the ids the board returned. Credentials come from the environment only: \\
        TESSERA_MIRO_TOKEN (Miro access token), TESSERA_MURAL_TOKEN (Mural OAuth access token), \\
        TESSERA_TRELLO_KEY and TESSERA_TRELLO_TOKEN (Trello API key and token). \\
        The board ids of what was created are kept beside the run, in RUN_DIR.push-TOOL-BOARD.json: \\
        pushing again (the same run or a refreshed one) updates those items instead of duplicating them. \\
        Answers 429 and 5xx are retried (honouring Retry-After).
        """
    )

    @Argument(help: "miro, mural or trello.")
    var tool: BoardTool

    @Argument(help: "A run folder written by `tessera segment` (or re-exported by `tessera wall`).")
    var directory: String

    @Option(help: "The board: Miro board id, Mural mural id (workspace.number), Trello board id.")
    var board: String

    @Flag(help: "Print every request (method, URL, body) instead of sending it; needs no credentials.")
    var dryRun = false

    @Option(help: "Send to this API base URL instead of the tool's (a proxy or a test server).")
    var apiBase: String?

    @Option(help: "Attempts per request while the board answers 429/5xx or cannot be reached.")
    var attempts: Int = PushSettings().attempts

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard !board.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--board must not be empty") }
        guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be between 1 and 20") }
        if let apiBase, URL(string: apiBase)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--api-base must be an http or https URL")
        }
    }

    func run() throws {
        try RunFolder.requireComplete(directory)
        let mappingPath = PushMapping.path(runFolder: directory, tool: tool, board: board)
        let mapping = try PushMapping.load(mappingPath, tool: tool, board: board)
        let push = try BoardPush(tool: tool, runFolder: directory, board: board, mapping: mapping)
        if let apiBase { push.apiBase = apiBase }
        push.settings.attempts = attempts
        let progress = ProgressReporter(quiet: quiet || dryRun)
        push.progress = { progress.note($0) }
        if !dryRun {
            push.authorization = try tool.authorization(from: ProcessInfo.processInfo.environment)
            push.transport = URLSessionTransport()
            push.mappingPath = mappingPath
        }
        // What was created before a failure is already in the mapping: a new push continues from there.
        let summary = try push.run()
        if dryRun {
            FileHandle.standardError.write(Data("Dry run: \(summary.requests) requests printed, nothing sent.\n".utf8))
        } else {
            print("Pushed \(directory) to \(tool.rawValue) board \(board): \(summary.created) items created, \(summary.updated) updated"
                  + (summary.recreated > 0 ? ", \(summary.recreated) re-created (deleted on the board)" : "")
                  + " in \(summary.requests) requests (\(summary.retries) retries). Item ids: \(mappingPath)")
        }
    }
}
