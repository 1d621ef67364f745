/// An open-addressing hash table from byte strings to dense local ids (0, 1, 2, … in order of
/// first insertion). It stores bytes in one arena, so looking up a token costs no allocation.
///
/// Lookups are bound by cache misses, so each probe touches as little memory as possible: a slot
/// is one 64-bit word (32-bit hash fingerprint, id + 1), and each token's place in the arena is
/// one 64-bit span (offset, length). A hit costs one slot, one span and the token's bytes.
struct TokenTable {
    private(set) var arena: [UInt8] = []
    /// Per token: arena offset in the high 32 bits, length in the low 32 bits.
    private var spans: [UInt64] = []
    /// 0 = empty; otherwise fingerprint << 32 | (id + 1).
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size * 5 < capacity * 8 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 12)
        spans.reserveCapacity(capacity)
    }

    var count: Int { spans.count }

    /// Where token `id`'s bytes are in `arena`.
    func range(of id: Int) -> Range<Int> {
        let span = spans[id]
        let offset = Int(span >> 32)
        return offset..<(offset + Int(span & 0xFFFF_FFFF))
    }

    /// The id of the bytes `[start, start + length)`, inserting them if new.
    @inline(__always)
    mutating func id(of start: UnsafePointer<UInt8>, length: Int) -> Int32 {
        let h = Self.hash(start, length)
        let fingerprint = h >> 32
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: Int32? = slots.withUnsafeBufferPointer { s in
            spans.withUnsafeBufferPointer { sp in
                arena.withUnsafeBufferPointer { a in
                    while true {
                        let entry = s[slot]
                        if entry == 0 { return nil }
                        if entry >> 32 == fingerprint {
                            let id = Int(entry & 0xFFFF_FFFF) - 1
                            let span = sp[id]
                            if Int(span & 0xFFFF_FFFF) == length, Self.equal(a.baseAddress! + Int(span >> 32), start, length) {
                                return Int32(id)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if let found { return found }
        let id = Int32(spans.count)
        spans.append(UInt64(arena.count) << 32 | UInt64(length))
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        slots[slot] = fingerprint << 32 | UInt64(id + 1)
        if spans.count * 8 > slots.count * 5 { grow() }   // load factor ≤ 0.625
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
    func bytes(of id: Int) -> ArraySlice<UInt8> { arena[range(of: id)] }

    func string(of id: Int) -> String { String(decoding: bytes(of: id), as: UTF8.self) }

    /// Word-at-a-time compare: tokens are short, so a libc call would cost more than the work.
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= length {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < length {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        arena.withUnsafeBufferPointer { a in
            for id in 0..<spans.count {
                let span = spans[id]
                let h = Self.hash(a.baseAddress! + Int(span >> 32), Int(span & 0xFFFF_FFFF))
                var slot = Int(truncatingIfNeeded: h) & newMask
                while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
                newSlots[slot] = (h >> 32) << 32 | UInt64(id + 1)
            }
        }
        slots = newSlots
        mask = newMask
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
