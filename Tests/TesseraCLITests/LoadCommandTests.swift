import Foundation
import Testing

@Suite struct LoadCommandTests {
    @Test func jsonSummaryHasTheContractKeys() throws {
        let r = try CLI.run(["load", CLI.dataset("deezer/hu_genres.jsonl.gz"), "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = r.json
        for key in ["profiles", "interests", "nonzeros", "rejected", "empty", "seconds"] {
            #expect(j[key] != nil, "missing key \(key)")
        }
        #expect(j["profiles"] as? Int == 47_538)
        #expect(j["interests"] as? Int == 84)
        #expect(j["nonzeros"] as? Int == 284_901)
        #expect(j["rejected"] as? Int == 0)
        #expect(r.stderr.isEmpty)
    }

    @Test func rejectsAreWrittenAndNeverSilent() throws {
        let dir = CLI.folder()
        let input = dir + "/in.jsonl"
        try ##"""
        {"id": "a", "interests": ["#nba"]}
        {"id": "b", "interests": 3}
        =HYPERLINK("http://x")
        {"id": "c", "interests": ["#golf"]}
        """##.write(toFile: input, atomically: true, encoding: .utf8)
        // Without --rejects: the first rejects go to stderr.
        let plain = try CLI.run(["load", input])
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("\(input):2"))
        #expect(plain.stderr.contains("--rejects"))
        // With --rejects: a CSV a spreadsheet can open safely.
        let rejects = dir + "/rejects.csv"
        let r = try CLI.run(["load", input, "--rejects", rejects, "--json", "--quiet"])
        #expect(r.json["rejected"] as? Int == 2)
        #expect(r.json["profiles"] as? Int == 2)
        let csv = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0] == "file,line,kind,reason,excerpt")
        #expect(csv[1].hasPrefix("\(input),2,wrong-type,"))
        #expect(csv[2].hasSuffix(",\"'=HYPERLINK(\"\"http://x\"\")\""))   // formula neutralised, quotes doubled
    }

    @Test func strictModeExitsWithFileAndLine() throws {
        let dir = CLI.folder()
        let input = dir + "/bad.jsonl"
        try "{\"id\": \"a\", \"interests\": [\"#nba\"]}\n{\"id\": \"b\"\n".write(toFile: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["load", input, "--strict"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(input):2:"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        #expect(try CLI.run(["load", "x.jsonl", "--max-df", "3"]).status == 2)
        #expect(try CLI.run(["load", "x.jsonl", "--weighting", "magic"]).status == 2)
        #expect(try CLI.run(["load", "/nonexistent/file.jsonl"]).status == 1)
    }

    @Test func cacheRoundTripThroughTheCLI() throws {
        let dir = CLI.folder()
        let cache = dir + "/lastfm.tcache"
        let first = try CLI.run(["load", CLI.dataset("lastfm-2k/user_artist_plays.csv.gz"), "--cache", cache, "--json", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["load", cache, "--json", "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        for key in ["profiles", "interests", "nonzeros", "rejected", "empty"] {
            #expect(first.json[key] as? Int == second.json[key] as? Int, "\(key)")
        }
        #expect(first.json["profiles"] as? Int == 1_892)
    }

    /// Hygiene is on by default, says what it dropped in the summary, sends emptied profiles to the
    /// empty-ids file, and a cache is only reused by runs that ask for the same hygiene.
    @Test func interestHygieneIsReportedAndItsCacheIsNotMixedUp() throws {
        let dir = CLI.folder()
        let input = dir + "/in.jsonl"
        var text = ##"{"id": "debris", "interests": ["@...", "#1", "@the", "@gmail.com"]}"## + "\n"
        for i in 0..<30 { text += ##"{"id": "p\##(i)", "interests": ["@mashable\##(i % 2 == 0 ? ":" : "")", "#topic\##(i % 3)", "Deezer"]}"## + "\n" }
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let on = try CLI.run(["load", input, "--json", "--quiet", "--empty-ids", dir + "/empty.csv", "--cache", dir + "/on.tcache"])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.json["interest_hygiene"] as? Bool == true)
        #expect(on.json["hygiene_dropped"] as? [String: Int] == ["sigil-only": 1, "hashtag-without-letter": 1, "at-word": 1, "email-domain": 1])
        #expect(on.json["hygiene_reduced"] as? Int == 15)
        #expect(on.json["interests"] as? Int == 5)   // @mashable, #topic0…2, deezer
        #expect(on.json["empty"] as? Int == 1)
        #expect(try String(contentsOfFile: dir + "/empty.csv", encoding: .utf8) == "id\ndebris\n")
        let widespread = try #require(on.json["widespread_interests"] as? [[String: Any]])
        #expect(widespread.map { $0["interest"] as? String } == ["@mashable", "deezer"])
        let plain = try CLI.run(["load", input])
        #expect(plain.stdout.contains("interest hygiene: 4 interest occurrences dropped (sigil-only 1, hashtag-without-letter 1, email-domain 1, at-word 1), 15 reduced to their valid form and kept"), "\(plain.stdout)")
        #expect(plain.stdout.contains("widespread") && plain.stdout.contains("--max-df 0.5"))

        let off = try CLI.run(["load", input, "--no-interest-hygiene", "--json", "--quiet", "--cache", dir + "/off.tcache"])
        #expect(off.json["interest_hygiene"] as? Bool == false)
        #expect(off.json["hygiene_dropped"] as? [String: Int] == [:])
        #expect(off.json["interests"] as? Int == 10)
        #expect(off.json["empty"] as? Int == 0)

        // Each cache serves runs with its own setting and is refused, with what to do, by the others.
        #expect(try CLI.run(["load", dir + "/on.tcache", "--quiet"]).status == 0)
        #expect(try CLI.run(["load", dir + "/off.tcache", "--no-interest-hygiene", "--quiet"]).status == 0)
        let mixed = try CLI.run(["segment", dir + "/off.tcache", "--k", "2", "--stability", "0", "--out", dir + "/run", "--quiet"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("without interest hygiene") && mixed.stderr.contains("--no-interest-hygiene"), "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"))
        let reverse = try CLI.run(["load", dir + "/on.tcache", "--no-interest-hygiene", "--quiet"])
        #expect(reverse.status == 1 && reverse.stderr.contains("was built with interest hygiene"), "\(reverse.stderr)")
    }

    @Test func failedWriteLeavesNoPartialFile() throws {
        let dir = CLI.folder()
        // The cache's folder is a regular file: the write must fail cleanly.
        FileManager.default.createFile(atPath: dir + "/blocker", contents: Data())
        let r = try CLI.run(["load", CLI.dataset("deezer/hu_genres.jsonl.gz"), "--cache", dir + "/blocker/x.tcache", "--quiet"])
        #expect(r.status != 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(leftovers == ["blocker"])
    }
}

@Suite struct GenerateCommandTests {
    @Test func generateThenLoad() throws {
        let dir = CLI.folder()
        let out = dir + "/p.jsonl", labels = dir + "/labels.csv"
        let g = try CLI.run(["generate", "--profiles", "3000", "--segments", "6", "--seed", "11", "--out", out, "--labels", labels, "--quiet"])
        #expect(g.status == 0, "\(g.stderr)")
        let again = dir + "/q.jsonl"
        _ = try CLI.run(["generate", "--profiles", "3000", "--segments", "6", "--seed", "11", "--out", again, "--quiet"])
        #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: again))
        let lines = try String(contentsOfFile: labels, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "id,segment,secondary,segment_name")
        #expect(lines.count == 3001)
        let l = try CLI.run(["load", out, "--json", "--quiet"])
        #expect(l.json["profiles"] as? Int == 3000)
        #expect(l.json["rejected"] as? Int == 0)
    }

    /// An output path ending in `.gz` is written gzip-compressed (one member per chunk, several chunks
    /// here): smaller, and it loads to exactly the plain file's audience.
    @Test func generateGzipLoadsLikeThePlainFile() throws {
        let dir = CLI.folder()
        let plain = dir + "/p.jsonl", gzip = dir + "/p.jsonl.gz"
        for out in [plain, gzip] {
            let g = try CLI.run(["generate", "--profiles", "30000", "--segments", "5", "--seed", "6", "--out", out, "--quiet"])
            #expect(g.status == 0, "\(g.stderr)")
        }
        let gz = try #require(FileManager.default.contents(atPath: gzip)), text = try #require(FileManager.default.contents(atPath: plain))
        #expect(gz.prefix(2) == Data([0x1F, 0x8B]) && gz.count * 3 < text.count)
        let a = try CLI.run(["load", plain, "--json", "--quiet", "--cache", dir + "/a.tcache"])
        let b = try CLI.run(["load", gzip, "--json", "--quiet", "--cache", dir + "/b.tcache"])
        #expect(a.json["profiles"] as? Int == 30000 && b.json["profiles"] as? Int == 30000 && b.json["rejected"] as? Int == 0)
        #expect(a.json["nonzeros"] as? Int == b.json["nonzeros"] as? Int && a.json["interests"] as? Int == b.json["interests"] as? Int)
    }

    /// `--size-ratio R`: the labels file's segment sizes run from the smallest to about R times it;
    /// a ratio below 1 is a usage error that names the setting.
    @Test func sizeRatioMakesUnevenSegments() throws {
        let dir = CLI.folder()
        let out = dir + "/p.jsonl", labels = dir + "/labels.csv"
        let g = try CLI.run(["generate", "--profiles", "20000", "--segments", "5", "--interests", "2000", "--seed", "4",
                             "--size-ratio", "16", "--out", out, "--labels", labels, "--quiet"])
        #expect(g.status == 0, "\(g.stderr)")
        var sizes = [Int](repeating: 0, count: 5)
        for line in try String(contentsOfFile: labels, encoding: .utf8).split(separator: "\n").dropFirst() {
            sizes[try #require(Int(line.split(separator: ",")[1]))] += 1
        }
        // Expected 1 : 2 : 4 : 8 : 16 of 20,000 (645 … 10,323 profiles); sampling error is a few percent.
        #expect(sizes == sizes.sorted(), "\(sizes)")
        let ratio = Double(sizes[4]) / Double(sizes[0])
        #expect(ratio > 13 && ratio < 19.5, "\(sizes)")
        let bad = try CLI.run(["generate", "--profiles", "100", "--size-ratio", "0.5", "--out", dir + "/x.jsonl", "--quiet"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("size ratio"), "\(bad.stderr)")
    }
}
