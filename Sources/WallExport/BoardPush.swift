import Foundation
import ProfileLoading

/// The boards `tessera push` can send a wall to, with the export folder it reads and the environment
/// variables that hold its credentials (never a flag, never a file in the run).
public enum BoardTool: String, CaseIterable, Sendable {
    case miro, mural, trello

    /// The folder of the run that holds this tool's `calls.json`.
    public var folder: String {
        switch self {
        case .miro: return MiroExport.folder
        case .mural: return MuralExport.folder
        case .trello: return TrelloExport.folder
        }
    }

    public var credentialVariables: [String] {
        switch self {
        case .miro: return ["TESSERA_MIRO_TOKEN"]
        case .mural: return ["TESSERA_MURAL_TOKEN"]
        case .trello: return ["TESSERA_TRELLO_KEY", "TESSERA_TRELLO_TOKEN"]
        }
    }

    /// The `Authorization` header from the environment: a bearer token for Miro and Mural (OAuth access
    /// token), Trello's `OAuth oauth_consumer_key=…, oauth_token=…` form (API key and token).
    public func authorization(from environment: [String: String]) throws -> String {
        let values = credentialVariables.map { environment[$0]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        guard values.allSatisfy({ !$0.isEmpty }) else { throw BoardPushError.missingCredentials(tool: rawValue, variables: credentialVariables) }
        switch self {
        case .miro, .mural: return "Bearer " + values[0]
        case .trello: return "OAuth oauth_consumer_key=\"\(values[0])\", oauth_token=\"\(values[1])\""
        }
    }
}

public enum BoardPushError: Error, CustomStringConvertible, Equatable {
    case missingCredentials(tool: String, variables: [String])
    case missingPlan(path: String)
    case badPlan(path: String, reason: String)
    /// The board answered 4xx (other than a 404 for an item to update, which is created again).
    case refused(method: String, url: String, status: Int, message: String)
    /// 429, 5xx or no answer on every attempt.
    case gaveUp(method: String, url: String, attempts: Int, last: String)
    case badResponse(method: String, url: String, reason: String)
    case unresolved(key: String)

    public var description: String {
        switch self {
        case .missingCredentials(let tool, let variables):
            return "pushing to \(tool) needs \(variables.joined(separator: " and ")) in the environment (see README, \"Putting the wall on a board\"); credentials are never read from a flag or a file"
        case .missingPlan(let path):
            return "\(path) is missing: the run was exported by an older Tessera; re-export its wall with `tessera wall RUN_DIR`"
        case .badPlan(let path, let reason):
            return "\(path) cannot be used (\(reason)); re-export the wall with `tessera wall RUN_DIR`"
        case .refused(let method, let url, let status, let message):
            return "the board refused \(method) \(url) with HTTP \(status): \(message)"
        case .gaveUp(let method, let url, let attempts, let last):
            return "\(method) \(url) failed \(attempts) times (\(last)); nothing is lost: push again later and the items already on the board are updated, not duplicated"
        case .badResponse(let method, let url, let reason):
            return "unexpected answer to \(method) \(url): \(reason)"
        case .unresolved(let key):
            return "no board id for \(key): the call that creates it did not succeed"
        }
    }
}

/// Retries and waits of a push.
public struct PushSettings: Sendable {
    /// Attempts per request while the board answers 429 or 5xx or cannot be reached (default 6).
    public var attempts = 6
    /// Wait before the first retry when the answer carries no `Retry-After`, in seconds (default 1);
    /// doubled at each further retry up to `maxWait`.
    public var initialWait = 1.0
    /// Longest wait between two attempts, in seconds, including a `Retry-After` (default 120).
    public var maxWait = 120.0
    public init() {}
}

/// Which board item each stable key became: kept beside the run folder (never inside it, which a new
/// run replaces as a whole), so pushing the same run, or a refreshed run, again updates items instead
/// of creating them twice.
public struct PushMapping: Codable, Sendable, Equatable {
    public var tool: String
    public var board: String
    /// Stable key (`card:…`, `frame:…`, `area:…`, `list:…`) → the board's item id.
    public var items: [String: String]

    public init(tool: String, board: String, items: [String: String] = [:]) {
        self.tool = tool
        self.board = board
        self.items = items
    }

    /// `PARENT/RUN.push-TOOL-BOARD.json` for the run folder `PARENT/RUN`.
    public static func path(runFolder: String, tool: BoardTool, board: String) -> String {
        let url = URL(fileURLWithPath: runFolder).standardized
        var safe = String(board.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        if safe != board || safe.isEmpty { safe += "-" + StableID.of(board).prefix(8) }
        return url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).push-\(tool.rawValue)-\(safe).json").path
    }

    public static func load(_ path: String, tool: BoardTool, board: String) throws -> PushMapping {
        guard FileManager.default.fileExists(atPath: path) else { return PushMapping(tool: tool.rawValue, board: board) }
        do {
            let mapping = try JSONDecoder().decode(PushMapping.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard mapping.tool == tool.rawValue, mapping.board == board else {
                throw BoardPushError.badPlan(path: path, reason: "it maps items of \(mapping.tool) board \(mapping.board)")
            }
            return mapping
        } catch let error as BoardPushError {
            throw error
        } catch {
            throw BoardPushError.badPlan(path: path, reason: "not a push mapping: \(error); move it away to push as new")
        }
    }

    func save(to path: String) throws {
        try AtomicFile.write(try JSONFiles.encode(self), to: path)
    }
}

/// What a push did.
public struct PushSummary: Sendable, Equatable {
    public var created = 0, updated = 0, recreated = 0, requests = 0, retries = 0
}

/// Sends a run's `calls.json` to a board: groups (frames, areas, lists) first, their returned ids
/// filled into the items that belong to them; items already on the board (by the mapping file) are
/// updated in place; 429 and 5xx answers are retried, honouring `Retry-After`.
public final class BoardPush {
    public let tool: BoardTool
    public let plan: BoardPlan
    public let board: String
    public var apiBase: String
    /// `Authorization` header value; nil for a dry run.
    public var authorization: String?
    /// nil: dry run, every request is printed through `output` and nothing is sent.
    public var transport: HTTPTransport?
    public var settings = PushSettings()
    /// Where the mapping is kept; nil keeps it in memory only.
    public var mappingPath: String?
    public private(set) var mapping: PushMapping
    public var sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    /// Dry-run requests (stdout).
    public var output: (String) -> Void = { print($0) }
    /// Progress lines (stderr).
    public var progress: (String) -> Void = { _ in }
    public private(set) var summary = PushSummary()
    private let folder: String

    /// Fields whose string may be a placeholder; no other text (a card's name or body) is ever rewritten.
    static let referenceFields: Set<String> = ["id", "parentId", "idBoard", "idList"]

    /// Reads `RUN_DIR/<tool folder>/calls.json`.
    public init(tool: BoardTool, runFolder: String, board: String, mapping: PushMapping? = nil) throws {
        self.tool = tool
        self.board = board
        folder = (runFolder as NSString).appendingPathComponent(tool.folder)
        let planPath = (folder as NSString).appendingPathComponent(BoardPlan.fileName)
        guard FileManager.default.fileExists(atPath: planPath) else { throw BoardPushError.missingPlan(path: planPath) }
        do {
            plan = try JSONDecoder().decode(BoardPlan.self, from: Data(contentsOf: URL(fileURLWithPath: planPath)))
        } catch {
            throw BoardPushError.badPlan(path: planPath, reason: "\(error)")
        }
        guard plan.tool == tool.rawValue else { throw BoardPushError.badPlan(path: planPath, reason: "it is a \(plan.tool) plan") }
        apiBase = plan.api
        self.mapping = mapping ?? PushMapping(tool: tool.rawValue, board: board)
    }

    public func run() throws -> PushSummary {
        for call in plan.calls { try perform(call) }
        return summary
    }

    private func perform(_ call: BoardCall) throws {
        let body = try call.body.map { name -> BoardJSON in
            let path = (folder as NSString).appendingPathComponent(name)
            do { return try BoardJSON.decode(Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw BoardPushError.badPlan(path: path, reason: "\(error)")
            }
        }
        // One body element per created key: a bulk body is an array, a single item's body an object.
        var elements: [BoardJSON?] = Array(repeating: body, count: call.creates.count)
        if let items = body?.elements {
            guard items.count == call.creates.count else {
                throw BoardPushError.badPlan(path: call.body ?? "", reason: "\(items.count) items for \(call.creates.count) keys")
            }
            elements = items
        } else if call.creates.count != 1 {
            throw BoardPushError.badPlan(path: call.body ?? BoardPlan.fileName, reason: "\(call.creates.count) keys for one item")
        }
        var create: [Int] = []
        for (index, key) in call.creates.enumerated() {
            guard let id = mapping.items[key] else { create.append(index); continue }
            let request = try self.request(call.update.method, path: call.update.path, id: id,
                                           query: call.query?.filter { !call.update.omit.contains($0.key) },
                                           body: elements[index]?.removing(call.update.omit))
            let response = try send(request)
            guard transport != nil else { summary.updated += 1; continue }   // dry run
            if response.status == 404 {
                // Deleted on the board since the last push: create it again.
                mapping.items[key] = nil
                summary.recreated += 1
                create.append(index)
                continue
            }
            try requireSuccess(response, request)
            summary.updated += 1
        }
        guard !create.isEmpty else { return }
        let createBody: BoardJSON? = body?.elements != nil ? .array(create.map { elements[$0]! }) : body
        let request = try self.request(call.method, path: call.path, id: nil, query: call.query, body: createBody)
        let response = try send(request)
        guard transport != nil else { return }
        try requireSuccess(response, request)
        let answer = try? BoardJSON.decode(response.body)
        let ids = answer?.values(at: call.ids).compactMap { value -> String? in
            switch value {
            case .string(let s): return s
            case .number(let n): return String(format: "%.0f", n)
            default: return nil
            }
        } ?? []
        guard ids.count == create.count else {
            throw BoardPushError.badResponse(method: request.method, url: request.url.absoluteString,
                                             reason: "\(ids.count) ids at `\(call.ids)` for \(create.count) created items")
        }
        for (index, id) in zip(create, ids) { mapping.items[call.creates[index]] = id }
        summary.created += create.count
        if let mappingPath { try mapping.save(to: mappingPath) }
        progress("\(call.purpose): \(create.count) created")
    }

    /// Fills `{board_id}` and `{id:KEY}` placeholders (only in `referenceFields`) and builds the request.
    func request(_ method: String, path: String, id: String?, query: [String: String]?, body: BoardJSON?) throws -> HTTPRequest {
        func fill(_ text: String) throws -> String {
            if text == "{board_id}" { return board }
            guard text.hasPrefix("{id:"), text.hasSuffix("}") else { return text }
            let key = String(text.dropFirst(4).dropLast())
            if let id = mapping.items[key] { return id }
            if transport == nil { return text }   // dry run: the id is not known yet
            throw BoardPushError.unresolved(key: key)
        }
        func filled(_ value: BoardJSON, field: String?) throws -> BoardJSON {
            switch value {
            case .string(let s): return field.map(Self.referenceFields.contains) == true ? .string(try fill(s)) : value
            case .array(let a): return .array(try a.map { try filled($0, field: nil) })
            case .object(let o): return .object(Dictionary(uniqueKeysWithValues: try o.map { ($0.key, try filled($0.value, field: $0.key)) }))
            default: return value
            }
        }
        var resolvedPath = path.replacingOccurrences(of: "{board_id}", with: Self.escape(board))
        if let id { resolvedPath = resolvedPath.replacingOccurrences(of: "{id}", with: Self.escape(id)) }
        var text = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        text += resolvedPath
        if let query, !query.isEmpty {
            let pairs = try query.sorted { $0.key < $1.key }.map { key, value in
                Self.escape(key) + "=" + Self.escape(Self.referenceFields.contains(key) ? try fill(value) : value)
            }
            text += "?" + pairs.joined(separator: "&")
        }
        guard let url = URL(string: text) else { throw BoardPushError.badPlan(path: BoardPlan.fileName, reason: "not a URL: \(text)") }
        var headers = ["Accept": "application/json"]
        if let authorization { headers["Authorization"] = authorization }
        var data: Data?
        if let body {
            data = try filled(body, field: nil).data()
            headers["Content-Type"] = "application/json"
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: data)
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded (UTF-8).
    static func escape(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Sends with retries on 429, 5xx and connection failures; a dry run prints instead.
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        summary.requests += 1
        guard let transport else {
            output(request.method + " " + request.url.absoluteString)
            if let body = request.body { output(String(decoding: body, as: UTF8.self)) }
            return HTTPResponse(status: 0)
        }
        var attempt = 0
        while true {
            attempt += 1
            var wait: Double?
            var last: String
            do {
                let response = try transport.send(request)
                guard response.status == 429 || (500...599).contains(response.status) else { return response }
                last = "HTTP \(response.status)"
                wait = Self.retryAfter(response.headers["retry-after"])
            } catch {
                last = "\(error)"
            }
            guard attempt < settings.attempts else {
                throw BoardPushError.gaveUp(method: request.method, url: request.url.absoluteString, attempts: attempt, last: last)
            }
            let delay = min(wait ?? settings.initialWait * pow(2, Double(attempt - 1)), settings.maxWait)
            progress("\(request.method) \(request.url.path): \(last), retrying in \(Int(delay.rounded(.up))) s")
            summary.retries += 1
            sleep(delay)
        }
    }

    /// `Retry-After`: whole seconds, or an HTTP date.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }

    private func requireSuccess(_ response: HTTPResponse, _ request: HTTPRequest) throws {
        guard !(200...299).contains(response.status) else { return }
        let message = WallText.clean(String(decoding: response.body.prefix(2000), as: UTF8.self), maxLength: 300)
        throw BoardPushError.refused(method: request.method, url: request.url.absoluteString, status: response.status,
                                     message: message.isEmpty ? "(no message)" : message)
    }
}
