import Foundation
@testable import WallExport

/// A board's REST API as its vendored document describes it, served on a loopback port: each request
/// must name a documented operation, carry the expected credentials, and have a body (or query) that
/// validates against the operation's schema; created items get ids of the vendor's shape, and the
/// answer has the documented shape (checked against the response schema too). It can answer one
/// chosen request with 429 + Retry-After (or 503 without it) first, as a busy API does.
final class FakeBoard: @unchecked Sendable {
    struct Item { var kind: String; var parent: String?; var body: J }

    let tool: BoardTool
    let document: OpenAPIDocument
    let board: String
    let authorization: String
    private let lock = NSLock()
    private var _items: [String: Item] = [:]
    private var _errors: [String] = []
    private var _requests: [String] = []
    private var counter = 0
    /// Operation ids to answer once with `busyStatus` before serving them.
    var busyOnce: Set<String> = []
    var busyStatus = 429
    var retryAfter: String? = "7"

    init(_ tool: BoardTool, board: String, authorization: String) throws {
        self.tool = tool
        self.board = board
        self.authorization = authorization
        switch tool {
        case .miro: document = try OpenAPIDocument("miro/openapi-subset.json")
        case .mural: document = try OpenAPIDocument("mural/documented-requests.json")
        case .trello: document = try OpenAPIDocument("trello/openapi-subset.json")
        }
    }

    var items: [String: Item] { lock.lock(); defer { lock.unlock() }; return _items }
    var errors: [String] { lock.lock(); defer { lock.unlock() }; return _errors }
    var requests: [String] { lock.lock(); defer { lock.unlock() }; return _requests }
    func delete(_ id: String) { lock.lock(); _items[id] = nil; lock.unlock() }

    private func nextID() -> String {
        counter += 1
        return BoardFixtures.fakeID(tool, counter)
    }

    func handle(_ request: LoopbackServer.Request) -> LoopbackServer.Response {
        lock.lock(); defer { lock.unlock() }
        _requests.append(request.method + " " + request.path)
        func fail(_ status: Int, _ message: String) -> LoopbackServer.Response {
            _errors.append("\(request.method) \(request.path): \(message)")
            return .json(status, #"{"status":\#(status),"message":"\#(message.replacingOccurrences(of: "\"", with: "'"))"}"#)
        }
        guard request.headers["authorization"] == authorization else { return fail(401, "bad credentials") }
        var path = request.path
        if tool == .trello {
            guard path.hasPrefix("/1/") else { return fail(404, "no such endpoint") }
            path.removeFirst(2)
        }
        guard let (template, operation) = document.match(request.method, path: path) else { return fail(404, "undocumented endpoint") }
        let operationID = operation["operationId"]?.string ?? template
        let parts = path.split(separator: "/").map(String.init)
        let templateParts = template.split(separator: "/").map(String.init)
        var parameters: [String: String] = [:]
        for (t, p) in zip(templateParts, parts) where t.hasPrefix("{") { parameters[String(t.dropFirst().dropLast())] = p.removingPercentEncoding ?? p }
        if let boardParameter = parameters["board_id"] ?? parameters["muralId"], boardParameter != board { return fail(404, "no board \(boardParameter)") }
        if busyOnce.remove(operationID) != nil {
            return .json(busyStatus, #"{"message":"busy"}"#, headers: retryAfter.map { ["Retry-After": $0] } ?? [:])
        }
        // The request itself, against the document.
        var body: J?
        if let schema = document.requestSchema(operation) {
            guard let parsed = try? J.parse(request.body) else { return fail(400, "body is not JSON") }
            let errors = document.validate(parsed, against: schema)
            guard errors.isEmpty else { return fail(400, errors.prefix(3).joined(separator: "; ")) }
            guard request.headers["content-type"]?.hasPrefix("application/json") == true else { return fail(415, "content type") }
            body = parsed
        }
        if tool == .trello {
            let errors = document.validateQuery(request.query, operation: operation)
            guard errors.isEmpty else { return fail(400, errors.prefix(3).joined(separator: "; ")) }
            body = .object(request.query.mapValues { J.string($0) })
            if let idBoard = request.query["idBoard"], idBoard != board { return fail(400, "no board \(idBoard)") }
        }
        let itemID = parameters["item_id"] ?? parameters["widgetId"] ?? parameters["id"]
        if let itemID, _items[itemID] == nil { return fail(404, "no item \(itemID)") }
        func parentOK(_ parent: String?, kind: String) -> Bool { parent == nil || _items[parent!]?.kind == kind }
        let answer: J
        switch (tool, operationID) {
        case (.miro, "create-frame-item"):
            let id = nextID()
            _items[id] = Item(kind: "frame", parent: nil, body: body!)
            answer = .object(["id": .string(id), "type": .string("frame")])
        case (.miro, "create-items"):
            var created: [J] = []
            for element in body?.array ?? [] {
                let parent = element["parent"]?["id"]?.string
                guard parentOK(parent, kind: "frame") else { return fail(400, "parent \(parent ?? "") is not a frame") }
                let id = nextID()
                _items[id] = Item(kind: element["type"]?.string ?? "", parent: parent, body: element)
                created.append(.object(["id": .string(id), "type": element["type"] ?? .null,
                                        "links": .object(["self": .string("https://api.miro.com/v2/boards/\(board)/items/\(id)")])]))
            }
            answer = .object(["type": .string("bulk-list"), "data": .array(created)])
        case (.miro, "update-frame-item"), (.miro, "update-sticky-note-item"):
            let parent = body?["parent"]?["id"]?.string
            guard parentOK(parent, kind: "frame") else { return fail(400, "parent is not a frame") }
            _items[itemID!]!.body = body!
            answer = .object(["id": .string(itemID!), "type": .string(_items[itemID!]!.kind)])
        case (.mural, "createarea"):
            let id = nextID()
            _items[id] = Item(kind: "area", parent: nil, body: body!)
            answer = .object(["value": .object(["id": .string(id), "type": .string("area")])])
        case (.mural, "createstickynote"):
            var created: [J] = []
            for element in body?.array ?? [] {
                let parent = element["parentId"]?.string
                guard parentOK(parent, kind: "area") else { return fail(400, "parentId \(parent ?? "") is not an area") }
                let id = nextID()
                _items[id] = Item(kind: "sticky note", parent: parent, body: element)
                created.append(.object(["id": .string(id), "type": .string("sticky note"), "parentId": .string(parent ?? "")]))
            }
            answer = .object(["value": .array(created)])
        case (.mural, "updatearea"), (.mural, "updatestickynote"):
            guard parentOK(body?["parentId"]?.string, kind: "area") else { return fail(400, "parentId is not an area") }
            _items[itemID!]!.body = body!
            answer = .object(["value": .object(["id": .string(itemID!), "type": .string(_items[itemID!]!.kind)])])
        case (.trello, "post-lists"):
            let id = nextID()
            _items[id] = Item(kind: "list", parent: nil, body: body!)
            answer = .object(["id": .string(id), "name": body?["name"] ?? .null, "idBoard": .string(board)])
        case (.trello, "post-cards"):
            let parent = request.query["idList"]
            guard parentOK(parent, kind: "list") else { return fail(400, "idList \(parent ?? "") is not a list") }
            let id = nextID()
            _items[id] = Item(kind: "card", parent: parent, body: body!)
            answer = .object(["id": .string(id), "name": body?["name"] ?? .null, "idList": .string(parent ?? "")])
        case (.trello, "put-lists-id"), (.trello, "put-cards-id"):
            if let list = request.query["idList"], !parentOK(list, kind: "list") { return fail(400, "idList is not a list") }
            _items[itemID!]!.body = body!
            answer = .object(["id": .string(itemID!)])
        default:
            return fail(404, "operation \(operationID) not served")
        }
        // The answer has the documented shape.
        if let schema = document.responseSchema(operation) {
            let errors = document.validate(answer, against: schema)
            if !errors.isEmpty { _errors.append("answer to \(operationID): \(errors.prefix(3))") }
        }
        let status = operation["responses"]?["201"] != nil ? 201 : 200
        return .json(status, String(decoding: try! JSONEncoder().encode(AnyJ(answer)), as: UTF8.self))
    }
}

/// Encodes a `J` (tests only).
struct AnyJ: Encodable {
    let value: J
    init(_ value: J) { self.value = value }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .object(let o): try c.encode(o.mapValues(AnyJ.init))
        case .array(let a): try c.encode(a.map(AnyJ.init))
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }
}
