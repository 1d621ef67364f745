import Foundation
import Testing
@testable import ProfileLoading
#if canImport(Glibc)
import Glibc
#endif

/// FIFOs, pipes and process substitutions (`<(zcat …)`) are streams: read once, from the start,
/// never sniffed as a cache (which would take their first bytes or wait for a writer).
@Suite struct StreamInputTests {
    static func lines(_ count: Int) -> String {
        // Ids repeat (lines merge), which keeps the debug-build tests quick.
        (0..<count).map { ##"{"id": "p\##($0 % 50)", "interests": ["#t\##($0 % 97)", "@a\##($0 % 13)"]}"## }.joined(separator: "\n") + "\n"
    }

    /// A FIFO at `name` in a fresh folder, fed `bytes` by a writer thread once a reader opens it.
    static func fifo(_ name: String, feeding bytes: [UInt8]) -> String {
        let path = TestFiles.folder() + "/" + name
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            let fd = open(path, O_WRONLY)   // waits for the loader to open the other end
            guard fd >= 0 else { return }
            var done = 0
            bytes.withUnsafeBytes { raw in
                while done < raw.count {
                    let n = write(fd, raw.baseAddress! + done, min(4096, raw.count - done))
                    if n <= 0 { break }
                    done += n
                }
            }
            close(fd)
        }
        writer.start()
        return path
    }

    @Test func aFIFOIsLoadedLineByLineFromItsFirstByte() throws {
        let count = 3_000   // 160 KB: well over a pipe's buffer and several blocks
        let path = Self.fifo("profiles.jsonl", feeding: Array(Self.lines(count).utf8))
        #expect(!ProfileCache.isCache(path), "a stream is never a cache (and is not opened to find out)")
        let a = try ProfileLoader.load([path]) { $0.blockBytes = 1 << 16 }
        #expect(a.report.linesRead == count)
        #expect(a.report.linesLoaded == count, "line 1 is not lost: \(a.rejects.prefix(3))")
        #expect(a.rejects.isEmpty)
        #expect(a.profileIds.first == "p0" && a.profileIds.count == 50)
        #expect(a.report.files[0].gzip == false)
    }

    @Test func aGzipStreamIsRecognisedWithoutRereading() throws {
        let count = 3_000
        let path = Self.fifo("profiles.jsonl.gz", feeding: Zlib.gzip(Self.lines(count)))
        let a = try ProfileLoader.load([path])
        #expect(a.report.files[0].gzip)
        #expect(a.report.linesLoaded == count && a.rejects.isEmpty)
    }

    @Test func aShortStreamIsReadWhole() throws {
        // Fewer bytes than the gzip magic: the sniffed byte is still served.
        let path = Self.fifo("one.csv", feeding: Array("a".utf8))
        let a = try ProfileLoader.load([path]) { $0.header = .absent }
        #expect(a.report.linesRead == 1 && a.rejects.first?.kind == .truncated)
    }
}
