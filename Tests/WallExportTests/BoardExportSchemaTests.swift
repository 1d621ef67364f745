import Foundation
import Testing
import SegmentInsights
@testable import WallExport

/// Every board export against the vendors' own published request schemas (Tests/WallExportTests/
/// Fixtures/vendor, see SOURCE.md there), with placeholders filled as `tessera push` fills them.
@Suite struct BoardExportSchemaTests {
    let wall = BoardFixtures.wall()

    func files() throws -> [WallFile] { try WallExporter.files(wall) }

    /// The operation a call's path template is for, in the tool's vendored document.
    func operation(_ document: OpenAPIDocument, _ tool: BoardTool, _ method: String, _ path: String) -> J? {
        var concrete = path.replacingOccurrences(of: "{board_id}", with: "b").replacingOccurrences(of: "{id}", with: "i")
        // Trello's document is relative to https://api.trello.com/1.
        if tool == .trello, concrete.hasPrefix("/1/") { concrete.removeFirst(2) }
        return document.match(method, path: concrete)?.operation
    }

    func document(_ tool: BoardTool) throws -> OpenAPIDocument {
        switch tool {
        case .miro: return try OpenAPIDocument("miro/openapi-subset.json")
        case .mural: return try OpenAPIDocument("mural/documented-requests.json")
        case .trello: return try OpenAPIDocument("trello/openapi-subset.json")
        }
    }

    /// Every create and update request of every call, filled in, validates against its operation's schema.
    @Test(arguments: BoardTool.allCases)
    func everyRequestValidatesAgainstTheVendorSchema(_ tool: BoardTool) throws {
        let files = try files()
        let plan = try BoardFixtures.plan(files, tool)
        let document = try document(tool)
        var ids: [String: String] = [:]
        for (n, key) in plan.keys.enumerated() { ids[key] = BoardFixtures.fakeID(tool, n) }
        var checked = 0
        for call in plan.calls {
            let create = try #require(operation(document, tool, call.method, call.path), "\(call.method) \(call.path) is not in \(document.name)")
            let update = try #require(operation(document, tool, call.update.method, call.update.path),
                                      "\(call.update.method) \(call.update.path) is not in \(document.name)")
            if let name = call.body {
                let body = BoardFixtures.filled(try BoardFixtures.body(files, tool, name), ids: ids, board: "b")
                let schema = try #require(document.requestSchema(create))
                let errors = document.validate(body, against: schema)
                #expect(errors.isEmpty, "\(name): \(errors.prefix(5))")
                let elements = body.array ?? [body]
                #expect(elements.count == call.creates.count)
                // Miro tells item data apart by `type`: a sticky note's data and style are its own schemas'.
                for element in elements where tool == .miro && element["type"]?.string == "sticky_note" {
                    for (field, schema) in [("data", "StickyNoteData"), ("style", "StickyNoteStyle"), ("geometry", "FixedRatioNoRotationGeometry")] {
                        let errors = document.validate(element[field] ?? .null, against: try #require(document.resolve("#/components/schemas/" + schema)))
                        #expect(errors.isEmpty, "\(name) \(field): \(errors.prefix(3))")
                    }
                }
                let updateSchema = try #require(document.requestSchema(update))
                for element in elements {
                    guard case .object(var object) = element else { Issue.record("not an object"); continue }
                    for field in call.update.omit { object[field] = nil }
                    let errors = document.validate(.object(object), against: updateSchema)
                    #expect(errors.isEmpty, "update from \(name): \(errors.prefix(5))")
                }
                checked += elements.count
            }
            if let query = call.query {
                var values: [String: String] = [:]
                for (k, v) in query { values[k] = BoardFixtures.filled(.string(v), ids: ids, board: BoardFixtures.fakeID(.trello, 999_999)).string }
                let errors = document.validateQuery(values, operation: create)
                #expect(errors.isEmpty, "\(call.purpose): \(errors)")
                let updateErrors = document.validateQuery(values.filter { !call.update.omit.contains($0.key) }, operation: update)
                #expect(updateErrors.isEmpty, "update of \(call.purpose): \(updateErrors)")
                checked += 1
            }
        }
        #expect(checked >= wall.cards.count)
        // Every card and every group is created exactly once.
        #expect(Set(plan.keys).count == plan.keys.count)
        #expect(plan.keys.filter { $0.hasPrefix("card:") }.count == wall.cards.count)
    }

    /// The validator is strict: an unknown field (`position.origin`, which `PositionChange` lacks), an
    /// oversized batch, a placeholder parent id and a wrong colour are each rejected.
    @Test func theValidatorRejectsWhatTheSchemaDoesNot() throws {
        let miro = try OpenAPIDocument("miro/openapi-subset.json")
        let bulkOperation = try #require(miro.operation("POST", "/v2/boards/{board_id}/items/bulk"))
        let bulk = try #require(miro.requestSchema(bulkOperation))
        func sticky(_ extra: String = "", parent: String = "3458764517517000001", color: String = "light_yellow") -> String {
            #"{"type":"sticky_note","data":{"content":"x","shape":"rectangle"},"style":{"fillColor":"\#(color)"},"position":{"x":1,"y":2\#(extra)},"parent":{"id":"\#(parent)"}}"#
        }
        #expect(miro.validate(try J.parse(Data("[\(sticky())]".utf8)), against: bulk).isEmpty)
        #expect(!miro.validate(try J.parse(Data("[\(sticky(#","origin":"center""#))]".utf8)), against: bulk).isEmpty)
        #expect(!miro.validate(try J.parse(Data("[\(Array(repeating: sticky(), count: 21).joined(separator: ","))]".utf8)), against: bulk).isEmpty)
        #expect(!miro.validate(try J.parse(Data("[\(sticky(parent: "frame-abc"))]".utf8)), against: bulk).isEmpty)
        // `style` is a oneOf over every item type's style (a hex colour is a shape's), so the colour is
        // checked against the sticky note's own style, as the item's `type` selects it.
        let stickyStyle = try #require(miro.resolve("#/components/schemas/StickyNoteStyle"))
        #expect(miro.validate(try J.parse(Data(#"{"fillColor":"light_yellow"}"#.utf8)), against: stickyStyle).isEmpty)
        #expect(!miro.validate(try J.parse(Data(##"{"fillColor":"#ff0000"}"##.utf8)), against: stickyStyle).isEmpty)
        #expect(!miro.validate(try J.parse(Data(#"[{"type":"sticky","data":{"content":"x"}}]"#.utf8)), against: bulk).isEmpty)
        let trello = try OpenAPIDocument("trello/openapi-subset.json")
        let cards = try #require(trello.operation("POST", "/cards"))
        #expect(trello.validateQuery(["idList": "5abbe4b7ddc1b351ef961414", "name": "x", "pos": "1"], operation: cards).isEmpty)
        #expect(!trello.validateQuery(["idList": "{id:list:x}", "name": "x"], operation: cards).isEmpty)
        #expect(!trello.validateQuery(["idList": "5abbe4b7ddc1b351ef961414", "title": "x"], operation: cards).isEmpty)
        #expect(!trello.validateQuery(["name": "x"], operation: cards).isEmpty)
    }

    /// Miro: frames first (one call each, through the frames endpoint), then stickies in bulk (≤ 20)
    /// whose parent is a frame created earlier; no sticky overlaps another or leaves its frame, frames
    /// don't overlap, and the calls say what each file is for, in order.
    @Test func miroFramesThenStickiesWithoutOverlap() throws {
        let files = try files()
        let plan = try BoardFixtures.plan(files, .miro)
        let groups = wall.boardGroups
        let frameCalls = plan.calls.prefix { $0.path.hasSuffix("/frames") }
        #expect(frameCalls.count == groups.count && frameCalls.allSatisfy { $0.creates.count == 1 && $0.ids == "id" })
        let bulkCalls = plan.calls.dropFirst(frameCalls.count)
        #expect(bulkCalls.allSatisfy { $0.path == "/v2/boards/{board_id}/items/bulk" && $0.creates.count <= 20 && $0.ids == "data[].id" })
        #expect(plan.calls.allSatisfy { !$0.purpose.isEmpty })
        var frames: [String: (x: Double, y: Double, w: Double, h: Double)] = [:]
        for call in frameCalls {
            let body = try BoardFixtures.body(files, .miro, try #require(call.body))
            guard case .number(let x)? = body["position"]?["x"], case .number(let y)? = body["position"]?["y"],
                  case .number(let w)? = body["geometry"]?["width"], case .number(let h)? = body["geometry"]?["height"] else { Issue.record("frame geometry"); continue }
            frames[call.creates[0]] = (x - w / 2, y - h / 2, w, h)
        }
        let boxes = Array(frames.values)
        for i in boxes.indices { for j in boxes.indices where j > i {
            #expect(boxes[i].x + boxes[i].w <= boxes[j].x || boxes[j].x + boxes[j].w <= boxes[i].x, "frames overlap")
        } }
        // A rectangle sticky is drawn about 0.65 × its width high; check with a margin (0.7).
        var stickies: [String: [(x: Double, y: Double, w: Double, h: Double)]] = [:]
        for call in bulkCalls {
            for item in try BoardFixtures.body(files, .miro, try #require(call.body)).array ?? [] {
                let parent = try #require(item["parent"]?["id"]?.string)
                let frameKey = String(parent.dropFirst(4).dropLast())
                #expect(parent.hasPrefix("{id:frame:") && frames[frameKey] != nil, "parent \(parent)")
                guard case .number(let x)? = item["position"]?["x"], case .number(let y)? = item["position"]?["y"],
                      case .number(let w)? = item["geometry"]?["width"] else { Issue.record("sticky geometry"); continue }
                #expect(item["position"]?["origin"] == nil)
                let h = w * 0.7
                stickies[frameKey, default: []].append((x - w / 2, y - h / 2, w, h))
                if let frame = frames[frameKey] {
                    #expect(x - w / 2 >= 0 && y - h / 2 >= 0 && x + w / 2 <= frame.w && y + h / 2 <= frame.h, "sticky leaves its frame")
                }
            }
        }
        #expect(stickies.values.map(\.count).reduce(0, +) == wall.cards.count)
        for list in stickies.values {
            for i in list.indices { for j in list.indices where j > i {
                let a = list[i], b = list[j]
                let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y
                #expect(apart, "stickies overlap: \(a) \(b)")
            } }
        }
    }

    /// Mural: one area per group; every sticky inside its area, its visible text starting with the
    /// card's name; batches ≤ 1,000; the bodies also fit the types of Mural's certified Power Platform
    /// connector (whole-number coordinates, a shape it knows).
    @Test func muralAreasAndNamedStickies() throws {
        let files = try files()
        let plan = try BoardFixtures.plan(files, .mural)
        let areaCalls = plan.calls.filter { $0.path.hasSuffix("/widgets/area") }
        #expect(areaCalls.count == wall.boardGroups.count)
        let connector = try OpenAPIDocument("mural/powerplatform-connector-subset.json")
        let connectorOperation = try #require(connector.operation("POST", "/api/public/v1/murals/{muralId}/widgets/sticky-note"))
        let connectorSchema = try #require(connector.requestSchema(connectorOperation))
        let connectorFields = Set(connectorSchema["properties"]?.object?.keys.map { $0 } ?? [])
        #expect(connectorFields.contains("text") && connectorFields.contains("shape"))
        var areas: [String: (w: Double, h: Double)] = [:]
        for call in areaCalls {
            let body = try BoardFixtures.body(files, .mural, try #require(call.body))
            guard case .number(let w)? = body["width"], case .number(let h)? = body["height"] else { Issue.record("area size"); continue }
            areas[call.creates[0]] = (w, h)
            // Each area is one of the wall's groups (a theme, "other" or the cross-segment section), titled as on the wall.
            #expect(wall.boardGroups.map(\.title).contains(body["title"]?.string ?? ""), "area title \(body["title"]?.string ?? "")")
        }
        let boardCards = wall.boardGroups.flatMap { $0.columns.flatMap(\.cards) }
        let cardsByID = Dictionary(uniqueKeysWithValues: boardCards.map { ("card:" + $0.id, $0) })
        var count = 0
        for call in plan.calls where call.path.hasSuffix("/widgets/sticky-note") {
            let items = try BoardFixtures.body(files, .mural, try #require(call.body)).array ?? []
            #expect(items.count <= 1000)
            for (key, item) in zip(call.creates, items) {
                let card = try #require(cardsByID[key])
                #expect(item["text"]?.string?.hasPrefix(card.title + "\n") == true, "the visible text names the card")
                #expect(item["title"]?.string == card.title)
                let parent = try #require(item["parentId"]?.string)
                let area = try #require(areas[String(parent.dropFirst(4).dropLast())], "parent \(parent)")
                guard case .number(let x)? = item["x"], case .number(let y)? = item["y"],
                      case .number(let w)? = item["width"], case .number(let h)? = item["height"] else { Issue.record("sticky geometry"); continue }
                #expect(x >= 0 && y >= 0 && x + w <= area.w && y + h <= area.h)
                let subset = J.object((item.object ?? [:]).filter { connectorFields.contains($0.key) })
                #expect(connector.validate(subset, against: connectorSchema).isEmpty, "\(connector.validate(subset, against: connectorSchema))")
                count += 1
            }
        }
        #expect(count == boardCards.count && boardCards.count >= wall.cards.count)
    }

    /// Trello: list names unique and never cut into each other (two labels sharing their first 200
    /// characters); card text raw, without the spreadsheet guard, in the API calls and in trello-cards.csv.
    @Test func trelloListsAreUniqueAndTextIsRaw() throws {
        let files = try files()
        let plan = try BoardFixtures.plan(files, .trello)
        let names = plan.calls.filter { $0.path == "/1/lists" }.compactMap { $0.query?["name"] }
        #expect(names.count == wall.columns.count && Set(names).count == names.count, "\(names)")
        for (name, column) in zip(names, wall.columns) { #expect(name.hasPrefix("S\(column.segment) · ")) }
        let cards = plan.calls.filter { $0.path == "/1/cards" }
        #expect(cards.count == wall.cards.count)
        let titles = Set(wall.cards.map(\.title))
        for call in cards {
            let name = try #require(call.query?["name"])
            #expect(titles.contains(name))
            #expect(!name.hasPrefix("'"), "guard character in \(name)")
        }
        // A formula-like asset name reaches Trello as written.
        #expect(cards.contains { $0.query?["name"] == hostile[3] })
        let csv = parseCSV(String(decoding: try #require(files.first { $0.path == "trello-cards.csv" }).data, as: UTF8.self))
        #expect(csv[0] == ["name", "description", "list", "labels"])
        #expect(csv.dropFirst().allSatisfy { $0.count == 4 && !$0[0].hasPrefix("'") && !$0[2].hasPrefix("'") })
        #expect(Set(csv.dropFirst().map { $0[2] }) == Set(names))
        #expect(csv.contains { $0[0] == hostile[3] })
    }

    /// FigJam: a header and one row of four cells per card, as a spreadsheet pastes a table.
    @Test func figjamCSVHasTheTableShape() throws {
        let rows = parseCSV(String(decoding: try #require(try files().first { $0.path == "figjam.csv" }).data, as: UTF8.self))
        #expect(rows.first == ["Segment", "Card", "Details", "Kind"])
        #expect(rows.count == wall.cards.count + 1)
        #expect(rows.allSatisfy { $0.count == 4 })
        for row in rows.dropFirst() {
            #expect(CardKind(rawValue: row[3]) != nil)
            for cell in row { if let first = cell.unicodeScalars.first { #expect(!["=", "+", "-", "@"].contains(first), "\(cell)") } }
        }
    }

    /// Segments whose labels are permutations of each other get different keys, frames, lists and
    /// card ids; cards.csv has no duplicate id.
    @Test func permutedLabelsGetTheirOwnIds() throws {
        let first = try #require(wall.columns.first { $0.title == "@hazyipahunters · #ipa" })
        let second = try #require(wall.columns.first { $0.title == "#ipa · @hazyipahunters" })
        #expect(first.frameID != second.frameID)
        #expect(Set(first.cards.map(\.id)).isDisjoint(with: second.cards.map(\.id)))
        let rows = parseCSV(String(decoding: try #require(try files().first { $0.path == "cards.csv" }).data, as: UTF8.self)).dropFirst()
        #expect(rows.count == wall.cards.count && Set(rows.map { $0[0] }).count == rows.count)
        let groups = wall.boardGroups.map(\.key)
        #expect(Set(groups).count == groups.count)
        // The key follows the label's order, so it stays the same across runs.
        #expect(BoardFixtures.wall().columns.map(\.frameID) == wall.columns.map(\.frameID))
    }
}
