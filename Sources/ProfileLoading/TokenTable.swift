import CTesseraKernels

/// An open-addressing hash table from byte strings to dense local ids (0, 1, 2, … in order of
/// first insertion). It stores bytes in one arena, so looking up a token costs no allocation.
///
/// Lookups are bound by cache misses, so a hit touches one slot and nothing else: a slot is 32
/// bytes (half a cache line) holding a hash fingerprint, the length, the id and, for tokens of up
/// to 24 bytes (nearly every handle and hashtag), the token's bytes themselves. Longer tokens are
/// compared against the arena.
struct TokenTable {
    private(set) var arena: [UInt8] = []
    /// Per token: arena offset in the high 32 bits, length in the low 32 bits.
    private var spans: [UInt64] = []
    /// Four words per slot: header, then the token's first 24 bytes zero-padded (inline tokens
    /// only). Header 0 = empty; otherwise fingerprint << 40 | length code << 32 | (id + 1), where
    /// the length code is the length for inline tokens and `longCode` for longer ones.
    private var slots: [UInt64]
    private var mask: Int

    private static let inlineBytes = 24
    private static let longCode: UInt64 = 255

    init(capacity: Int = 1024) {
        var size = 16
        while size * 5 < capacity * 8 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: 4 * size)
        mask = size - 1
        arena.reserveCapacity(capacity * 12)
        spans.reserveCapacity(capacity)
    }

    var count: Int { spans.count }

    /// The tokens (arena and spans) for another process; the hash slots are not sent, so a decoded
    /// table can be read (`range(of:)`, `string(of:)`) but not inserted into.
    func encode(into writer: inout ByteWriter) {
        writer.put(arena)
        writer.put(spans)
    }

    static func decode(from reader: inout ByteReader) -> TokenTable {
        var table = TokenTable(capacity: 1)
        table.arena = reader.array()
        table.spans = reader.array()
        return table
    }

    /// Where token `id`'s bytes are in `arena`.
    func range(of id: Int) -> Range<Int> {
        let span = spans[id]
        let offset = Int(span >> 32)
        return offset..<(offset + Int(span & 0xFFFF_FFFF))
    }

    /// A token's hash, its header tag (fingerprint and length code, without the id) and, for
    /// inline tokens, its bytes as three zero-padded words.
    struct Key {
        var hash: UInt64
        var tag: UInt64
        var w0: UInt64, w1: UInt64, w2: UInt64
    }

    @inline(__always)
    static func key(_ start: UnsafePointer<UInt8>, _ length: Int) -> Key {
        if length <= inlineBytes {
            let w0 = word(start, min(length, 8))
            let w1 = length > 8 ? word(start + 8, min(length - 8, 8)) : 0
            let w2 = length > 16 ? word(start + 16, length - 16) : 0
            return inlineKey(w0, w1, w2, length)
        }
        let h = longHash(start, length)
        return Key(hash: h, tag: (h >> 40) << 40 | longCode << 32, w0: 0, w1: 0, w2: 0)
    }

    /// `key(start, length)` for a token followed by at least `inlineBytes` readable bytes (a
    /// parser's padded block), read as three masked words without branching on the length.
    /// `masks` is `inlineMasks`.
    @inline(__always)
    static func key(padded start: UnsafePointer<UInt8>, _ length: Int, masks: UnsafePointer<UInt64>) -> Key {
        guard length <= inlineBytes else { return key(start, length) }
        let raw = UnsafeRawPointer(start), m = masks + 3 &* length
        return inlineKey(raw.loadUnaligned(as: UInt64.self) & m[0],
                         raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & m[1],
                         raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & m[2],
                         length)
    }

    /// For each inline length n (0…24), three words: which bytes of the token's words 0, 1 and 2
    /// belong to it (`inlineMasks[3n + k]`).
    static let inlineMasks: [UInt64] = (0...inlineBytes).flatMap { n in
        (0..<3).map { k -> UInt64 in
            let bytes = min(max(n - 8 * k, 0), 8)
            return bytes == 8 ? UInt64.max : (UInt64(1) << UInt64(8 * bytes)) - 1
        }
    }

    /// The key of an inline token from its zero-padded words: three independent multiplies, then
    /// one fold.
    @inline(__always)
    private static func inlineKey(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ length: Int) -> Key {
        let a = (w0 ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        let b = (w1 ^ 0x6A09_E667_F3BC_C909) &* 0x94D0_49BB_1331_11EB
        let c = (w2 ^ 0xBB67_AE85_84CA_A73B) &* 0xD6E8_FEB8_6659_FD93
        let x = a ^ ((b << 21) | (b >> 43)) ^ ((c << 42) | (c >> 22)) ^ UInt64(length)
        let h = x ^ (x >> 32)   // the products' well-mixed high bits into the slot bits
        return Key(hash: h, tag: (h >> 40) << 40 | UInt64(length) << 32, w0: w0, w1: w1, w2: w2)
    }

    /// The hash of a token longer than the inline bytes, 8 bytes at a time.
    @inline(never)
    private static func longHash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        var i = 0
        while i < length {
            x = (x ^ word(start + i, min(length - i, 8))) &* 0xBF58_476D_1CE4_E5B9
            x ^= x >> 29
            i += 8
        }
        x ^= x >> 32
        x = x &* 0xD6E8_FEB8_6659_FD93
        return x ^ (x >> 29)
    }

    /// The `n` (0…8) bytes at `p` as a little-endian word, zero-padded, reading no byte outside them.
    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        if n >= 8 { return raw.loadUnaligned(as: UInt64.self) }
        if n >= 4 {   // two overlapping 4-byte loads
            let lo = UInt64(raw.loadUnaligned(as: UInt32.self))
            let hi = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            return lo | hi << UInt64(8 * (n - 4))
        }
        if n > 0 {   // first, middle and last byte cover 1…3 bytes
            return UInt64(p[0]) | UInt64(p[n >> 1]) << UInt64(8 * (n >> 1)) | UInt64(p[n - 1]) << UInt64(8 * (n - 1))
        }
        return 0
    }

    /// Starts loading the slot where `key` is looked up first, so that a lookup a few tokens
    /// later finds it in cache (lookups are independent, so several misses overlap).
    @inline(__always)
    func prefetch(_ key: Key) {
        slots.withUnsafeBufferPointer { s in
            tessera_prefetch(s.baseAddress! + 4 &* (Int(truncatingIfNeeded: key.hash) & mask))
        }
    }

    /// The id of the bytes `[start, start + length)`, inserting them if new.
    @inline(__always)
    mutating func id(of start: UnsafePointer<UInt8>, length: Int) -> Int32 {
        id(of: start, length: length, key: Self.key(start, length))
    }

    /// The id of the bytes `[start, start + length)` whose `key` is already computed.
    @inline(__always)
    mutating func id(of start: UnsafePointer<UInt8>, length: Int, key: Key) -> Int32 {
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        let found: Int32? = slots.withUnsafeBufferPointer { s in
            while true {
                let header = s[4 &* slot]
                if header == 0 { return nil }
                if header & 0xFFFF_FFFF_0000_0000 == key.tag {
                    let id = Int(header & 0xFFFF_FFFF) &- 1
                    if length <= Self.inlineBytes {
                        if s[4 &* slot &+ 1] == key.w0 && s[4 &* slot &+ 2] == key.w1 && s[4 &* slot &+ 3] == key.w2 {
                            return Int32(id)
                        }
                    } else if longTokenEquals(id, start, length) {
                        return Int32(id)
                    }
                }
                slot = (slot &+ 1) & mask
            }
        }
        if let found { return found }
        let id = Int32(spans.count)
        spans.append(UInt64(arena.count) << 32 | UInt64(length))
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        store(key, id: id, at: slot, in: &slots)
        if spans.count * 8 > (mask + 1) * 5 { grow() }   // load factor ≤ 0.625
        return id
    }

    @inline(__always)
    private func store(_ key: Key, id: Int32, at slot: Int, in table: inout [UInt64]) {
        table[4 * slot] = key.tag | UInt64(id + 1)
        table[4 * slot + 1] = key.w0
        table[4 * slot + 2] = key.w1
        table[4 * slot + 3] = key.w2
    }

    private func longTokenEquals(_ id: Int, _ start: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let span = spans[id]
        guard Int(span & 0xFFFF_FFFF) == length else { return false }
        return arena.withUnsafeBufferPointer { Self.equal($0.baseAddress! + Int(span >> 32), start, length) }
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
        let size = (mask + 1) * 2
        var newSlots = [UInt64](repeating: 0, count: 4 * size)
        let newMask = size - 1
        arena.withUnsafeBufferPointer { a in
            for id in 0..<spans.count {
                let span = spans[id]
                let key = Self.key(a.baseAddress! + Int(span >> 32), Int(span & 0xFFFF_FFFF))
                var slot = Int(truncatingIfNeeded: key.hash) & newMask
                while newSlots[4 * slot] != 0 { slot = (slot + 1) & newMask }
                store(key, id: Int32(id), at: slot, in: &newSlots)
            }
        }
        slots = newSlots
        mask = newMask
    }
}
