import Foundation
import ProfileLoading
import SegmentInsights

/// Writes every wall export into a folder. Each file is written atomically (temporary file, then
/// rename); the batch folders (`miro-bulk/`, `mural-stickies/`, `trello/`) are built under a temporary
/// name and renamed into place, so a failed run never leaves a half-written export.
public enum WallExporter {
    /// Builds all files of the export (nothing is written).
    public static func files(_ wall: WallModel) throws -> [WallFile] {
        var files: [WallFile] = [
            WallHTML.render(wall), ReportHTML.render(wall), ReportMarkdown.render(wall),
            MiroExport.pasteGrid(wall), TabularExports.trelloCSV(wall), TabularExports.figjam(wall), TabularExports.cards(wall),
        ]
        files += try MiroExport.plan(wall)
        files += try MuralExport.plan(wall)
        files += try TrelloExport.plan(wall)
        files += TabularExports.trelloLists(wall)
        return files
    }

    /// Writes `files` into `directory`; returns the paths written (folders once).
    @discardableResult
    public static func write(_ files: [WallFile], to directory: String) throws -> [String] {
        let manager = FileManager.default
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var folders: [String: [WallFile]] = [:]
        var written: [String] = []
        for file in files {
            if let slash = file.path.firstIndex(of: "/") {
                folders[String(file.path[..<slash]), default: []].append(file)
            } else {
                try AtomicFile.write(file.data, to: path(file.path))
                written.append(path(file.path))
            }
        }
        for (folder, members) in folders.sorted(by: { $0.key < $1.key }) {
            let staging = path(".\(folder).partial-\(ProcessInfo.processInfo.processIdentifier)")
            try? manager.removeItem(atPath: staging)
            do {
                try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
                for file in members {
                    try file.data.write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(String(file.path.dropFirst(folder.count + 1)))))
                }
                let final = path(folder)
                if manager.fileExists(atPath: final) { try manager.removeItem(atPath: final) }
                try manager.moveItem(atPath: staging, toPath: final)
            } catch {
                try? manager.removeItem(atPath: staging)
                throw AtomicFileError(path: path(folder), reason: SystemError.reason(error))
            }
            written.append(path(folder) + "/")
        }
        return written
    }
}
