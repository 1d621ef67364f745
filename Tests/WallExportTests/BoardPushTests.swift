import Foundation
import Testing
@testable import WallExport

/// `tessera push` against a local server that plays each board's API from its vendored document.
@Suite(.serialized) struct BoardPushTests {
    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double] = []
        func record(_ s: Double) { lock.lock(); values.append(s); lock.unlock() }
        var all: [Double] { lock.lock(); defer { lock.unlock() }; return values }
    }

    static let credentials: [BoardTool: String] = [.miro: "Bearer miro-test-token", .mural: "Bearer mural-test-token",
                                                   .trello: #"OAuth oauth_consumer_key="k", oauth_token="t""#]

    static func board(_ tool: BoardTool) -> String {
        switch tool {
        case .miro: return "uXjVTest="
        case .mural: return "workspace1.1700000000000"
        case .trello: return "5abbe4b7ddc1b351ef961414"
        }
    }

    func push(_ tool: BoardTool, run: String, server: LoopbackServer, sleeps: Sleeps, mappingPath: String) throws -> BoardPush {
        let mapping = try PushMapping.load(mappingPath, tool: tool, board: Self.board(tool))
        let push = try BoardPush(tool: tool, runFolder: run, board: Self.board(tool), mapping: mapping)
        push.apiBase = server.baseURL
        push.authorization = Self.credentials[tool]
        push.transport = URLSessionTransport(timeout: 30)
        push.mappingPath = mappingPath
        push.sleep = { sleeps.record($0) }
        return push
    }

    /// Groups first, items inside them, one busy answer retried after its Retry-After; a second push
    /// updates every item in place; an item deleted on the board is created again.
    @Test(arguments: BoardTool.allCases)
    func pushCreatesThenUpdatesWithoutDuplicating(_ tool: BoardTool) throws {
        let wall = BoardFixtures.wall()
        let run = try BoardFixtures.runFolder(wall)
        let fake = try FakeBoard(tool, board: Self.board(tool), authorization: Self.credentials[tool]!)
        switch tool {
        case .miro: fake.busyOnce = ["create-items"]
        case .mural: fake.busyOnce = ["createstickynote"]
        case .trello: fake.busyOnce = ["post-cards"]; fake.busyStatus = 503; fake.retryAfter = nil
        }
        let server = try LoopbackServer { fake.handle($0) }
        defer { server.stop() }
        let sleeps = Sleeps()
        let mappingPath = PushMapping.path(runFolder: run, tool: tool, board: Self.board(tool))
        #expect(mappingPath.hasPrefix((run as NSString).deletingLastPathComponent + "/run.push-\(tool.rawValue)-"))

        let first = try push(tool, run: run, server: server, sleeps: sleeps, mappingPath: mappingPath).run()
        #expect(fake.errors.isEmpty, "\(fake.errors.prefix(5))")
        let groups = tool == .trello ? wall.columns.count : wall.boardGroups.count
        #expect(first.created == groups + wall.cards.count && first.updated == 0 && first.retries == 1)
        // 429 with Retry-After: 7 waits 7 s; a 503 without it waits the first backoff step.
        #expect(sleeps.all == [tool == .trello ? PushSettings().initialWait : 7])
        let items = fake.items
        #expect(items.count == groups + wall.cards.count)
        let groupKind = ["miro": "frame", "mural": "area", "trello": "list"][tool.rawValue]!
        let containers = Set(items.filter { $0.value.kind == groupKind }.keys)
        #expect(containers.count == groups)
        #expect(items.values.filter { $0.kind != groupKind }.allSatisfy { $0.parent.map(containers.contains) == true }, "every item in a group")
        let mapping = try PushMapping.load(mappingPath, tool: tool, board: Self.board(tool))
        #expect(mapping.items.count == items.count && Set(mapping.items.values) == Set(items.keys))

        // Again: every item is updated in place, nothing is created.
        let second = try push(tool, run: run, server: server, sleeps: sleeps, mappingPath: mappingPath).run()
        #expect(fake.errors.isEmpty, "\(fake.errors.prefix(5))")
        #expect(second.created == 0 && second.updated == items.count)
        #expect(fake.items.count == items.count)

        // A card deleted on the board since is created again (and only it).
        let deleted = try #require(mapping.items.first { $0.key.hasPrefix("card:") })
        fake.delete(deleted.value)
        let third = try push(tool, run: run, server: server, sleeps: sleeps, mappingPath: mappingPath).run()
        #expect(fake.errors.filter { !$0.contains("no item") }.isEmpty, "\(fake.errors.prefix(5))")
        #expect(third.recreated == 1 && third.created == 1 && fake.items.count == items.count)
    }

    /// A dry run prints every request with its body and sends nothing; ids not known yet stay placeholders.
    @Test func dryRunPrintsEveryRequest() throws {
        let wall = BoardFixtures.wall()
        let run = try BoardFixtures.runFolder(wall)
        for tool in BoardTool.allCases {
            let push = try BoardPush(tool: tool, runFolder: run, board: "B")
            var lines: [String] = []
            push.output = { lines.append($0) }
            let summary = try push.run()
            #expect(summary.requests == push.plan.calls.count && summary.created == 0)
            let requestLines = lines.filter { $0.hasPrefix("POST ") }
            #expect(requestLines.count == push.plan.calls.count)
            switch tool {
            case .miro:
                #expect(requestLines.first?.hasPrefix("POST https://api.miro.com/v2/boards/B/frames") == true)
                #expect(lines.contains { $0.contains(#""parent":{"id":"{id:frame:"#) })
            case .mural:
                #expect(requestLines.first == "POST https://app.mural.co/api/public/v1/murals/B/widgets/area")
            case .trello:
                #expect(requestLines.first?.hasPrefix("POST https://api.trello.com/1/lists?idBoard=B&name=S27%20%C2%B7%20") == true)
            }
        }
    }

    /// A board that keeps answering 503 is given up on after the set number of attempts, with backoff,
    /// and what was created before stays in the mapping.
    @Test func persistentFailureStopsAfterTheAttempts() throws {
        let run = try BoardFixtures.runFolder()
        let fake = try FakeBoard(.miro, board: Self.board(.miro), authorization: Self.credentials[.miro]!)
        let server = try LoopbackServer { request in
            request.path.hasSuffix("/items/bulk") ? .json(503, #"{"message":"down"}"#) : fake.handle(request)
        }
        defer { server.stop() }
        let sleeps = Sleeps()
        let mappingPath = PushMapping.path(runFolder: run, tool: .miro, board: Self.board(.miro))
        let push = try push(.miro, run: run, server: server, sleeps: sleeps, mappingPath: mappingPath)
        push.settings.attempts = 4
        #expect(throws: BoardPushError.self) { try push.run() }
        #expect(sleeps.all == [1, 2, 4])
        let mapping = try PushMapping.load(mappingPath, tool: .miro, board: Self.board(.miro))
        #expect(mapping.items.keys.allSatisfy { $0.hasPrefix("frame:") } && mapping.items.count == BoardFixtures.wall().boardGroups.count)
    }

    @Test func credentialsComeFromTheEnvironment() throws {
        #expect(throws: BoardPushError.self) { try BoardTool.miro.authorization(from: [:]) }
        #expect(throws: BoardPushError.self) { try BoardTool.trello.authorization(from: ["TESSERA_TRELLO_KEY": "k"]) }
        #expect(try BoardTool.miro.authorization(from: ["TESSERA_MIRO_TOKEN": "abc"]) == "Bearer abc")
        #expect(try BoardTool.trello.authorization(from: ["TESSERA_TRELLO_KEY": "k", "TESSERA_TRELLO_TOKEN": "t"]) == #"OAuth oauth_consumer_key="k", oauth_token="t""#)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(BoardPush.retryAfter("12", now: now) == 12)
        #expect(BoardPush.retryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now: now) == 20)
        #expect(BoardPush.retryAfter("soon", now: now) == nil && BoardPush.retryAfter(nil) == nil)
    }

    /// Card text that looks like a placeholder is sent as written: only reference fields are filled.
    @Test func placeholdersAreFilledOnlyInReferenceFields() throws {
        let run = try BoardFixtures.runFolder()
        let push = try BoardPush(tool: .miro, runFolder: run, board: "B")
        let body = BoardJSON.object(["data": .object(["content": .string("{board_id}")]), "parent": .object(["id": .string("{board_id}")])])
        let request = try push.request("POST", path: "/v2/boards/{board_id}/items/bulk", id: nil, query: nil, body: body)
        let sent = try J.parse(try #require(request.body))
        #expect(sent["data"]?["content"]?.string == "{board_id}" && sent["parent"]?["id"]?.string == "B")
    }
}
