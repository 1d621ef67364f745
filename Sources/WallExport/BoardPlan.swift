import Foundation

/// The REST calls that put a wall on a board, in the order they must be made. Each board export folder
/// (`miro-bulk/`, `mural-stickies/`, `trello/`) holds one as `calls.json` beside the request bodies, so
/// the files say which call each is for; `tessera push` reads and sends exactly these.
///
/// Placeholders: `{board_id}` in a path or query is the board named on the command line; a string
/// `{id:KEY}` in a body or query is the id the board returned for the item created under `KEY` by an
/// earlier call (a frame, area or list), so stickies and cards land in their group.
public struct BoardPlan: Codable, Sendable, Equatable {
    public var tool: String
    /// The API's base URL (`https://api.miro.com`); `tessera push --api-base` replaces it.
    public var api: String
    /// Where the endpoints are documented.
    public var reference: String
    public var placeholders = "{board_id}: the board given to `tessera push --board`; \"{id:KEY}\" (only in parent.id, parentId, idBoard, idList): the id the board returned for the item created under KEY by an earlier call"
    public var calls: [BoardCall]

    public static let fileName = "calls.json"

    public init(tool: String, api: String, reference: String, calls: [BoardCall]) {
        self.tool = tool
        self.api = api
        self.reference = reference
        self.calls = calls
    }

    /// The placeholder that stands for the board id of the item created under `key`.
    public static func reference(to key: String) -> String { "{id:\(key)}" }

    /// Every stable key the plan creates, in order.
    public var keys: [String] { calls.flatMap(\.creates) }
}

/// One create call and how to update what it created.
public struct BoardCall: Codable, Sendable, Equatable {
    /// What the call is for, in words ("frame 3 of 12: S27 · @hazyipahunters · #ipa").
    public var purpose: String
    public var method: String
    /// Path below the API base, with `{board_id}`.
    public var path: String
    /// The JSON body's file in the same folder (nil for query-only calls such as Trello's).
    public var body: String?
    /// Query parameters (Trello takes its fields as query parameters).
    public var query: [String: String]?
    /// Stable keys of the created items, in the order the response lists them (a bulk call's body is
    /// an array with one element per key).
    public var creates: [String]
    /// Where the response carries the new ids: `id`, `data[].id`, `value.id` or `value[].id`.
    public var ids: String
    /// How an item this call created is updated on a later push (instead of being created again).
    public var update: BoardUpdate

    public init(purpose: String, method: String, path: String, body: String? = nil, query: [String: String]? = nil,
                creates: [String], ids: String, update: BoardUpdate) {
        self.purpose = purpose
        self.method = method
        self.path = path
        self.body = body
        self.query = query
        self.creates = creates
        self.ids = ids
        self.update = update
    }
}

/// The update call for one item: `{id}` in the path is the item's board id; the body (or query) is
/// the item's create body (or query) without the `omit` fields, which the update endpoint does not take.
public struct BoardUpdate: Codable, Sendable, Equatable {
    public var method: String
    public var path: String
    public var omit: [String]
    public init(method: String, path: String, omit: [String] = []) {
        self.method = method
        self.path = path
        self.omit = omit
    }
}

enum BoardPlanFiles {
    /// `plan` as `folder/calls.json`, followed by the body files.
    static func files(_ plan: BoardPlan, folder: String, bodies: [(name: String, data: Data)]) throws -> [WallFile] {
        [WallFile(path: folder + "/" + BoardPlan.fileName, data: try JSONFiles.encode(plan))]
            + bodies.map { WallFile(path: folder + "/" + $0.name, data: $0.data) }
    }
}
