import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run folder replaced in one step, so a reader only ever sees all of the old run or all of the new
/// one: the whole run is written into a staging folder beside the run folder (`.NAME.tessera-staging-PID`),
/// then the two are exchanged by one `renameat2(RENAME_EXCHANGE)` and the old run is deleted. A run
/// killed before the exchange leaves the old folder untouched and a staging folder that the next run
/// into the same place removes; killed after it, the new run is in place and the old one is a leftover
/// that is removed the same way. Where the exchange is not available, the old folder is renamed aside
/// first (`.NAME.tessera-old-PID`) and restored by the next run if the swap did not finish.
struct StagedFolder {
    /// The run folder, as the user named it.
    let final: String
    /// Where the run is written until `commit`.
    let staging: String

    static let stagingMarker = ".tessera-staging-"
    static let oldMarker = ".tessera-old-"

    /// Names Tessera writes into a run folder; a non-empty folder holding anything else is not replaced.
    static let knownNames: Set<String> = [
        "segments.json", "segments.schema.json", "run.json", SegmentModel.fileName, "assignments.csv",
        "wall.html", "report.html", "report.md", "cards.csv", "miro-paste.tsv", "trello-cards.csv", "figjam.csv",
        "miro-bulk", "mural-stickies", "trello",
    ]

    /// Cleans leftovers of interrupted runs, checks that `final` may be replaced, and creates the staging folder.
    static func begin(_ final: String) throws -> StagedFolder {
        let manager = FileManager.default
        let url = URL(fileURLWithPath: final).standardized
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        do { try manager.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw AtomicFileError(path: parent, reason: "cannot create the folder that holds the run (\(SystemError.reason(error)))")
        }
        cleanLeftovers(parent: parent, name: name)
        try checkReplaceable(url.path)
        let staging = (parent as NSString).appendingPathComponent(".\(name)\(stagingMarker)\(getpid())")
        try? manager.removeItem(atPath: staging)
        do { try manager.createDirectory(atPath: staging, withIntermediateDirectories: false) } catch {
            throw AtomicFileError(path: staging, reason: "cannot create the staging folder (\(SystemError.reason(error)))")
        }
        return StagedFolder(final: url.path, staging: staging)
    }

    /// The path of `name` inside the staging folder.
    func path(_ name: String) -> String { (staging as NSString).appendingPathComponent(name) }

    /// Puts the staged run in place of the run folder in one step and deletes the old run.
    func commit() throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: final) else {
            guard rename(staging, final) == 0 else { throw AtomicFileError(path: final, reason: "cannot move the new run into place (\(SystemError.text(errno)))") }
            return
        }
        if Self.exchange(staging, final) {
            try? manager.removeItem(atPath: staging)   // now the old run
            return
        }
        let old = ((final as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(".\((final as NSString).lastPathComponent)\(Self.oldMarker)\(getpid())")
        try? manager.removeItem(atPath: old)
        guard rename(final, old) == 0 else { throw AtomicFileError(path: final, reason: "cannot move the previous run aside (\(SystemError.text(errno)))") }
        guard rename(staging, final) == 0 else {
            let error = SystemError.text(errno)
            _ = rename(old, final)
            throw AtomicFileError(path: final, reason: "cannot move the new run into place (\(error))")
        }
        try? manager.removeItem(atPath: old)
    }

    /// The error with the staging folder's path replaced by the run folder's, which is what the user named.
    func naming(_ error: Error) -> Error {
        guard var e = error as? AtomicFileError, e.path.hasPrefix(staging) else { return error }
        e.path = final + e.path.dropFirst(staging.count)
        e.reason += " (the previous run in \(final) is unchanged)"
        return e
    }

    /// Removes the staging folder (the run failed; the run folder is untouched).
    func abandon() { try? FileManager.default.removeItem(atPath: staging) }

    /// Staging folders of interrupted runs are removed; an old run moved aside by an unfinished swap is
    /// put back when the run folder is missing, removed otherwise.
    static func cleanLeftovers(parent: String, name: String) {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: parent) else { return }
        let final = (parent as NSString).appendingPathComponent(name)
        for entry in entries.sorted() where entry.hasPrefix("." + name) {
            let rest = entry.dropFirst(name.count + 1)
            let path = (parent as NSString).appendingPathComponent(entry)
            if rest.hasPrefix(stagingMarker) {
                try? manager.removeItem(atPath: path)
            } else if rest.hasPrefix(oldMarker) {
                if !manager.fileExists(atPath: final) { _ = rename(path, final) } else { try? manager.removeItem(atPath: path) }
            }
        }
    }

    /// A folder is replaced only if it is missing, empty, or a Tessera run folder: everything in it is
    /// a file Tessera writes or a file its run.json lists. Anything else would be deleted by the swap.
    static func checkReplaceable(_ final: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: final, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw AtomicFileError(path: final, reason: "exists and is not a folder; choose another --out") }
        let entries = (try? manager.contentsOfDirectory(atPath: final)) ?? []
        guard !entries.isEmpty else { return }
        let listed = Set(RunFolder.listedFiles(in: final) ?? [])
        let foreign = entries.filter { !knownNames.contains($0) && !listed.contains($0) }.sorted()
        guard foreign.isEmpty else {
            throw AtomicFileError(path: final, reason: "holds files Tessera did not write (\(foreign.prefix(5).joined(separator: ", "))\(foreign.count > 5 ? ", …" : "")); a run replaces its whole folder, so choose a new or empty --out")
        }
    }

    /// Exchanges two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`); false where unsupported.
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        let atCurrentDirectory: Int32 = -100   // AT_FDCWD
        let renameExchange: UInt32 = 2         // RENAME_EXCHANGE
        return tessera_renameat2(atCurrentDirectory, a, atCurrentDirectory, b, renameExchange) == 0
        #else
        return false
        #endif
    }

}

#if os(Linux)
// glibc ≥ 2.28 declares renameat2 in <stdio.h> behind _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("renameat2")
private func tessera_renameat2(_ oldDirectory: Int32, _ oldPath: UnsafePointer<CChar>, _ newDirectory: Int32,
                               _ newPath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
#endif
