import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct SegmentCommandTests {
    /// A generated audience with planted segments and its ground truth, in a fresh folder.
    func plantedInput(profiles: Int = 3000, segments: Int = 6) throws -> (dir: String, input: String, labels: String) {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl", labels = dir + "/labels.csv"
        let r = try CLI.run(["generate", "--profiles", "\(profiles)", "--segments", "\(segments)", "--interests", "2000",
                             "--seed", "5", "--out", input, "--labels", labels, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, input, labels)
    }

    func csvRows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func jsonObject(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    @Test func segmentWritesTheContractFiles() throws {
        let (dir, input, labels) = try plantedInput()
        let out = dir + "/run"
        let r = try CLI.run(["segment", input, "--k", "6", "--seed", "3", "--out", out, "--assignments", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["k"] as? Int == 6)
        #expect(r.json["rows"] as? Int == 3000)

        let segments = try jsonObject(out + "/segments.json")
        let list = try #require(segments["segments"] as? [[String: Any]])
        #expect(list.count == 6)
        #expect(list.map { $0["id"] as? Int } == (0..<6).map { $0 })
        #expect(list.reduce(0) { $0 + ($1["size"] as? Int ?? 0) } == 3000)
        let shares = list.reduce(0.0) { $0 + ($1["share"] as? Double ?? 0) }
        #expect(abs(shares - 1) < 1e-4)
        for segment in list {
            let top = try #require(segment["top_interests"] as? [[String: Any]])
            #expect(top.count == 10)
            #expect(top.allSatisfy { ($0["interest"] as? String)?.isEmpty == false && ($0["weight"] as? Double ?? 0) > 0 })
        }

        // Descriptions: unique evidence-backed labels, affinity with intervals, the merge tree and map.
        #expect(Set(list.compactMap { $0["label"] as? String }).count == 6)
        for segment in list {
            let distinctive = try #require(segment["distinctive_interests"] as? [[String: Any]])
            #expect(!distinctive.isEmpty)
            for a in distinctive {
                let index = a["index"] as? Double ?? 0, low = a["index_low"] as? Double ?? 0, high = a["index_high"] as? Double ?? 0
                #expect(low <= index && index <= high && (a["shrunk_index"] as? Double ?? 0) > 100)
            }
            #expect((segment["label_evidence"] as? [[String: Any]])?.isEmpty == false)
            #expect((segment["tags"] as? [[String: Any]])?.count == 3)
            // Planted segments survive resampling.
            let stability = try #require(segment["stability"] as? Double)
            #expect(stability > 0.75 && stability <= 1)
        }
        #expect((segments["merge_tree"] as? [[String: Any]])?.count == 5)
        #expect((segments["map"] as? [[Double]])?.count == 6)

        let run = try jsonObject(out + "/run.json")
        let timings = try #require(run["timings"] as? [String: Double])
        for key in ["load", "fit", "total"] { #expect(timings[key] != nil, "timings.\(key)") }
        #expect((run["iterations"] as? Int ?? 0) >= 1)
        #expect((run["objective"] as? Double ?? -1) > 0)
        #expect(run["seed"] as? Int == 3)
        #expect((run["parameters"] as? [String: Any])?["k"] as? Int == 6)
        #expect(FileManager.default.fileExists(atPath: out + "/model.tessera"))

        let assignments = try csvRows(out + "/assignments.csv")
        #expect(assignments[0] == ["id", "segment"])
        #expect(assignments.count == 3001)
        // The planted segments are found (ids of a planted segment share one found segment).
        let truth = Dictionary(uniqueKeysWithValues: try csvRows(labels).dropFirst().map { ($0[0], $0[1]) })
        var pairs: [String: [String: Int]] = [:]
        for row in assignments.dropFirst() { pairs[truth[row[0]]!, default: [:]][row[1], default: 0] += 1 }
        let purity = Double(pairs.values.reduce(0) { $0 + $1.values.max()! }) / 3000
        #expect(purity > 0.9, "purity \(purity)")
    }

    @Test func sameSeedSameSegmentsOnAnyThreadCount() throws {
        let (dir, input, _) = try plantedInput(profiles: 2000, segments: 5)
        var documents: [Data] = []
        for (t, threads) in ["1", "2", "2"].enumerated() {
            let r = try CLI.run(["segment", input, "--k", "5", "--seed", "8", "--out", dir + "/r\(t)", "--threads", threads, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            documents.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/r\(t)/segments.json")))
        }
        #expect(documents[0] == documents[1])
        #expect(documents[1] == documents[2])
        let other = try CLI.run(["segment", input, "--k", "5", "--seed", "9", "--init", "random", "--out", dir + "/other", "--quiet"])
        #expect(other.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/other/segments.json")) != documents[0])
    }

    @Test func assignPlacesProfilesLikeTheFit() throws {
        let (dir, input, _) = try plantedInput(profiles: 2000, segments: 5)
        let out = dir + "/run"
        #expect(try CLI.run(["segment", input, "--k", "5", "--out", out, "--assignments", "--quiet"]).status == 0)
        let placed = dir + "/placed.csv"
        let r = try CLI.run(["assign", out + "/model.tessera", input, "--out", placed, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["placed"] as? Int == 2000)
        let fitted = Dictionary(uniqueKeysWithValues: try csvRows(out + "/assignments.csv").dropFirst().map { ($0[0], $0[1]) })
        let rows = try csvRows(placed)
        #expect(rows[0] == ["id", "segment", "distance"])
        let agree = rows.dropFirst().filter { fitted[$0[0]] == $0[1] }.count
        #expect(agree == 2000)

        // New followers with unknown interests only are reported, not silently dropped.
        let fresh = dir + "/fresh.jsonl"
        try ##"{"id": "n1", "interests": ["#never-seen-before"]}"##.appending("\n").write(toFile: fresh, atomically: true, encoding: .utf8)
        let unknown = try CLI.run(["assign", out + "/model.tessera", fresh])
        #expect(unknown.status == 0)
        #expect(unknown.stdout.contains("n1,,"))
        #expect(unknown.stderr.contains("1 without any interest the model knows"))
    }

    @Test func miniBatchStreamsFromACache() throws {
        let (dir, input, _) = try plantedInput(profiles: 3000, segments: 6)
        let cache = dir + "/audience.cache"
        #expect(try CLI.run(["load", input, "--cache", cache, "--quiet"]).status == 0)
        let r = try CLI.run(["segment", cache, "--k", "6", "--algorithm", "minibatch", "--batch-size", "500",
                             "--out", dir + "/mb", "--assignments", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["rows"] as? Int == 3000)
        #expect(try csvRows(dir + "/mb/assignments.csv").count == 3001)
    }

    @Test func nmfWritesSoftMembershipAndAssignsNewProfiles() throws {
        let (dir, input, labels) = try plantedInput(profiles: 3000, segments: 6)
        let out = dir + "/nmf"
        let r = try CLI.run(["segment", input, "--method", "nmf", "--k", "6", "--out", out, "--assignments", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["method"] as? String == "nmf")
        let rows = try csvRows(out + "/assignments.csv")
        #expect(rows[0] == ["id", "segment", "strength", "secondary", "secondary_strength"])
        #expect(rows.count == 3001)
        for row in rows.dropFirst() {
            let strength = try #require(Double(row[2]))
            #expect(strength > 0 && strength <= 1)
            if !row[3].isEmpty {
                #expect(row[3] != row[1])
                #expect(Double(row[4])! <= strength)
            }
        }
        let truth = Dictionary(uniqueKeysWithValues: try csvRows(labels).dropFirst().map { ($0[0], $0[1]) })
        var pairs: [String: [String: Int]] = [:]
        for row in rows.dropFirst() { pairs[truth[row[0]]!, default: [:]][row[1], default: 0] += 1 }
        let purity = Double(pairs.values.reduce(0) { $0 + $1.values.max()! }) / 3000
        #expect(purity > 0.9, "purity \(purity)")
        let run = try jsonObject(out + "/run.json")
        let parameters = run["parameters"] as? [String: Any]
        #expect(parameters?["method"] as? String == "nmf" && (parameters?["nmf"] as? [String: Any])?["solver"] as? String == "hals")
        #expect(((run["history"] as? [[String: Any]])?.first?["error"] as? Double ?? 0) > 0)
        let segments = try #require(try jsonObject(out + "/segments.json")["segments"] as? [[String: Any]])
        #expect(segments.count == 6)
        #expect(segments.allSatisfy { ($0["top_interests"] as? [[String: Any]])?.count == 10 })

        // The model places the training profiles where the fit put them (W recomputed with H fixed).
        let placed = dir + "/placed.csv"
        let assign = try CLI.run(["assign", out + "/model.tessera", input, "--out", placed, "--quiet"])
        #expect(assign.status == 0, "\(assign.stderr)")
        let fitted = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0[1]) })
        let again = try csvRows(placed)
        #expect(again[0] == ["id", "segment", "strength", "secondary", "secondary_strength"])
        let agree = again.dropFirst().filter { fitted[$0[0]] == $0[1] }.count
        #expect(Double(agree) / 3000 > 0.98, "\(agree) of 3000")
    }

    @Test func clearErrorsAndExitCodes() throws {
        let (dir, input, _) = try plantedInput(profiles: 200, segments: 3)
        let tooMany = try CLI.run(["segment", input, "--k", "500", "--out", dir + "/x", "--quiet"])
        #expect(tooMany.status == 3)
        #expect(tooMany.stderr.contains("at least 500"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/x/segments.json"))
        let zero = try CLI.run(["segment", input, "--k", "0"])
        #expect(zero.status == 2)
        let notAModel = try CLI.run(["assign", input, input])
        #expect(notAModel.status == 1)
        #expect(notAModel.stderr.contains("not a Tessera model"))
    }
}

@Suite struct SweepCommandTests {
    @Test func sweepRecommendsThePlantedNumberOfSegments() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "6000", "--segments", "8", "--interests", "3000", "--seed", "3", "--out", input, "--quiet"]).status == 0)
        let r = try CLI.run(["sweep", input, "--k", "4...12", "--step", "2", "--out", dir + "/sweep", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["recommended_k"] as? Int == 8)
        let points = try #require(r.json["points"] as? [[String: Any]])
        #expect(points.map { $0["k"] as? Int } == [4, 6, 8, 10, 12])
        for point in points {
            for key in ["objective", "silhouette", "calinski_harabasz", "davies_bouldin", "stability"] { #expect(point[key] is Double, "\(key)") }
        }
        // The objective falls as k grows.
        let objectives = points.compactMap { $0["objective"] as? Double }
        #expect(zip(objectives, objectives.dropFirst()).allSatisfy { $0 > $1 })
        #expect(FileManager.default.fileExists(atPath: dir + "/sweep/sweep.json"))
        let html = try Data(contentsOf: URL(fileURLWithPath: dir + "/sweep/sweep.html"))
        #expect(XMLParser(data: html).parse())
        #expect(String(decoding: html, as: UTF8.self).components(separatedBy: "class=\"sweep-chart\"").count - 1 == 5)
        #expect(try CLI.run(["sweep", input, "--k", "1...3"]).status == 2)
        #expect(try CLI.run(["sweep", input, "--k", "ten"]).status == 2)
    }
}

@Suite struct ThreadCountTests {
    /// The same job on 1, 2, 3, 5 and 8 threads writes the same segments, assignments and wall, for
    /// k-means and NMF (Tessera's reductions run in fixed chunks; OpenBLAS stays on one thread).
    @Test func sameOutputsOnAnyThreadCount() throws {
        let dir = CLI.folder()
        let input = CLI.dataset("lastfm-2k/user_artist_plays.csv.gz")
        for method in ["kmeans", "nmf"] {
            var reference: [String: Data] = [:]
            for threads in [1, 2, 3, 5, 8] {
                let out = dir + "/\(method)-\(threads)"
                let r = try CLI.run(["segment", input, "--k", "8", "--method", method, "--stability", "1", "--assignments",
                                     "--threads", String(threads), "--out", out, "--quiet"])
                #expect(r.status == 0, "\(r.stderr)")
                for file in ["segments.json", "assignments.csv", "wall.html", "report.html"] {
                    let data = try Data(contentsOf: URL(fileURLWithPath: out + "/" + file))
                    if let expected = reference[file] { #expect(data == expected, "\(method) \(file) on \(threads) threads") } else { reference[file] = data }
                }
            }
        }
    }
}

@Suite struct RealNarrowDataTests {
    /// Deezer: 84 genres. NMF with k = 77 used to fail with "rank 77 with oversampling 8 for a
    /// 47538×84 matrix"; the SVD now shrinks its oversampling to fit.
    @Test func nmfWithKNearTheNumberOfGenres() throws {
        let dir = CLI.folder()
        let r = try CLI.run(["segment", CLI.dataset("deezer/hu_genres.jsonl.gz"), "--method", "nmf", "--k", "77", "--max-iterations", "5",
                             "--stability", "0", "--out", dir + "/run", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["k"] as? Int == 77)
        // Five iterations do not meet the stopping rule: run.json says so.
        let run = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/run.json"))) as? [String: Any])
        #expect(run["converged"] as? Bool == false)
        #expect(run["iterations"] as? Int == 5)
        #expect(((run["history"] as? [[String: Any]])?.last?["violation"] as? Double ?? 0) > 1e-4)
    }
}
