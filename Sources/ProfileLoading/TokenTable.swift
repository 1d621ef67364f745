/// An open-addressing hash table from byte strings to dense local ids (0, 1, 2, … in order of
/// first insertion). It stores bytes in one arena, so looking up a token costs no allocation.
struct TokenTable {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = []
    private(set) var lengths: [Int32] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]   // id + 1, 0 = empty
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 12)
    }

    var count: Int { offsets.count }

    /// The id of the bytes `[start, start + length)`, inserting them if new.
    @inline(__always)
    mutating func id(of start: UnsafePointer<UInt8>, length: Int) -> Int32 {
        let h = Self.hash(start, length)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let id = Int(entry - 1)
            if hashes[id] == h, Int(lengths[id]) == length, equals(id, start, length) { return Int32(id) }
            slot = (slot + 1) & mask
        }
        let id = Int32(offsets.count)
        offsets.append(arena.count)
        lengths.append(Int32(length))
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        slots[slot] = id + 1
        if offsets.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of `bytes`, inserting them if new.
    mutating func id(of bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else {
                var empty: UInt8 = 0
                return id(of: &empty, length: 0)
            }
            return id(of: base, length: b.count)
        }
    }

    /// The bytes of token `id`.
    func bytes(of id: Int) -> ArraySlice<UInt8> {
        arena[offsets[id]..<(offsets[id] + Int(lengths[id]))]
    }

    func string(of id: Int) -> String {
        String(decoding: bytes(of: id), as: UTF8.self)
    }

    @inline(__always)
    private func equals(_ id: Int, _ start: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        arena.withUnsafeBufferPointer { a in
            // Word-at-a-time compare: tokens are short, so a libc call would cost more than the work.
            let x = UnsafeRawPointer(a.baseAddress! + offsets[id]), y = UnsafeRawPointer(start)
            var i = 0
            while i + 8 <= length {
                if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            while i < length {
                if x.load(fromByteOffset: i, as: UInt8.self) != y.load(fromByteOffset: i, as: UInt8.self) { return false }
                i += 1
            }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for id in 0..<offsets.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id + 1)
        }
    }

    /// A fast 64-bit hash of a short byte string (8 bytes at a time, multiply-xorshift mixing).
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        let raw = UnsafeRawPointer(start)
        var i = 0
        while i + 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < length {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < length { tail |= UInt64(start[i]) << shift; shift += 8; i += 1 }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }
}

#if canImport(Glibc)
import Glibc
#endif
