/// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Validation {
    /// The offset of the first invalid byte in `[start, end)`, or nil when the bytes are valid UTF-8.
    @inline(__always)
    static func firstInvalidOffset(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        // Fast path: 8 bytes at a time while everything is ASCII.
        var i = 0
        let raw = UnsafeRawPointer(base)
        while i + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < count {
            let b0 = base[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return i
            }
            guard i + need < count else { return i }   // sequence cut off by the end
            let b1 = base[i + 1]
            guard b1 >= lower && b1 <= upper else { return i }
            var t = 2
            while t <= need {
                guard base[i + t] & 0xC0 == 0x80 else { return i }
                t += 1
            }
            i += need + 1
        }
        return nil
    }
}
