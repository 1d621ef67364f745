import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is wrong with a gzip file, in words a person can act on. The loader adds how many lines
/// were read before it and reports it as `LoadError.damagedGzip`.
struct GzipProblem: Error, Equatable {
    var text: String
}

/// Decompresses a gzip file of one or more members (RFC 1952; `cat a.gz b.gz` is one valid file)
/// with zlib's `inflate`, and refuses — instead of ending quietly as `gzread` does — a stream that
/// stops before a member's end (truncated), bytes after the last member that are not a member
/// (trailing garbage), and a member that fails its CRC, its length or its inflation.
final class GzipDecoder {
    private var stream = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private static let inputSize = 1 << 18
    /// Reads raw (compressed) bytes from the file; 0 at its end.
    private let readRaw: (UnsafeMutableRawPointer, Int) throws -> Int
    /// Compressed bytes taken from the file so far.
    private var taken = 0
    /// Inside a member (its end not reached yet); false between members.
    private var inMember = true
    private var member = 1
    private var memberStart = 0
    private var finished = false
    /// Damage met after some bytes of a read were decompressed: thrown by the next read.
    private var problem: GzipProblem?

    /// - Parameters:
    ///   - initial: compressed bytes already read from the file (the sniffed magic of a stream).
    ///   - read: reads the next compressed bytes; returns 0 at the end of the file.
    init(initial: [UInt8], read: @escaping (UnsafeMutableRawPointer, Int) throws -> Int) throws {
        readRaw = read
        input = .allocate(capacity: Self.inputSize)
        input.update(from: initial, count: initial.count)
        taken = initial.count
        stream.next_in = input
        stream.avail_in = uInt(initial.count)
        // 15 + 16: a 32 KiB window, gzip wrapper only (a zlib or raw stream is not a .gz file).
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            input.deallocate()
            throw GzipProblem(text: "cannot be decompressed: zlib could not start (out of memory?)")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// Compressed bytes consumed so far (for progress).
    var position: Int { taken - Int(stream.avail_in) }

    /// Decompresses up to `count` bytes into `buffer`; returns 0 only at the clean end of the last
    /// member. Throws `GzipProblem` when the file is damaged.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if let problem {
            self.problem = nil
            finished = true
            throw problem
        }
        guard !finished, count > 0 else { return 0 }
        let want = uInt(min(count, Int(UInt32.max)))
        stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = want
        do {
            try inflateMore()
        } catch let problem as GzipProblem where stream.avail_out < want {
            // The bytes decompressed before the damage go out first; the problem comes next call.
            self.problem = problem
        }
        return Int(want - stream.avail_out)
    }

    /// Inflates into `stream.next_out` until it is full or the last member has ended.
    private func inflateMore() throws {
        while stream.avail_out > 0 {
            if !inMember {
                // Between members: the file may end here, or another member must start.
                guard try fill(atLeast: 1) else { finished = true; break }
                guard try fill(atLeast: 2), stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B else {
                    throw try trailingGarbage()
                }
                inflateReset(&stream)
                inMember = true
                member += 1
                memberStart = position
            }
            if stream.avail_in == 0, try !fill(atLeast: 1) {
                let which = member == 1 ? "the stream" : "its member \(member) (which starts at byte \(memberStart))"
                throw GzipProblem(text: "is a truncated gzip file: it ends after \(taken) bytes of compressed data, before the end of \(which)")
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                inMember = false
            case Z_MEM_ERROR:
                throw GzipProblem(text: "cannot be decompressed: out of memory")
            default:
                // Z_DATA_ERROR (bad header, data, CRC or length), Z_NEED_DICT, or no progress
                // possible (Z_BUF_ERROR with input and room left: the data is not a valid stream).
                throw corrupt(status)
            }
        }
    }

    /// Makes at least `n` unread input bytes available (moving the unread rest to the front);
    /// false when the file ends first.
    private func fill(atLeast n: Int) throws -> Bool {
        while Int(stream.avail_in) < n {
            let unread = Int(stream.avail_in)
            if unread > 0, stream.next_in != input { memmove(input, stream.next_in, unread) }
            stream.next_in = input
            let got = try readRaw(input + unread, Self.inputSize - unread)
            if got == 0 { return false }
            taken += got
            stream.avail_in = uInt(unread + got)
        }
        return true
    }

    /// The problem of bytes after the last member that do not start another member. Reads the rest
    /// of the file to say how many there are.
    private func trailingGarbage() throws -> GzipProblem {
        let start = position
        var count = Int(stream.avail_in)
        var allZero = UnsafeBufferPointer(start: stream.next_in, count: count).allSatisfy { $0 == 0 }
        while true {
            let got = try readRaw(input, Self.inputSize)
            if got == 0 { break }
            count += got
            if allZero { allZero = UnsafeBufferPointer(start: input, count: got).allSatisfy { $0 == 0 } }
        }
        stream.avail_in = 0
        let what = allZero ? "\(count) zero byte\(count == 1 ? "" : "s")" : "\(count) byte\(count == 1 ? "" : "s") of trailing garbage"
        return GzipProblem(text: "has \(what) after the end of its last gzip member (from byte \(start)): they are not a gzip member, so the file is damaged or was joined to something else")
    }

    private func corrupt(_ status: Int32) -> GzipProblem {
        let zlibText = stream.msg.map { String(cString: $0) } ?? "error \(status)"
        let what: String
        switch zlibText {
        case "incorrect data check": what = "its CRC-32 does not match its data"
        case "incorrect length check": what = "its recorded length does not match its data"
        case "incorrect header check", "unknown compression method", "unknown header flags set", "header crc mismatch":
            what = "its header is not a valid gzip header"
        default: what = "its compressed data is invalid"
        }
        let which = member == 1 ? "it" : "its member \(member) (which starts at byte \(memberStart))"
        return GzipProblem(text: "is a corrupt gzip file: \(which) is damaged near byte \(position): \(what) (zlib: \(zlibText))")
    }
}
