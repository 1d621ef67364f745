import Foundation
/// A seeded, portable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random API in Tessera takes `inout some RandomNumberGenerator`; pass one of these
/// so that the same seed gives the same result on every machine and thread count.
/// Independent streams (one per row chunk, per restart, …) come from `init(seed:stream:)`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// Creates the generator of an independent stream derived from `seed`; streams with different
    /// numbers are statistically independent, so parallel work can draw from one each.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = mixer.next()
        self.init(seed: mixer.next() ^ stream)
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller).
    package mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 1e-300), u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fills `values` with independent standard normal values, two per Box–Muller draw (half the
    /// uniform draws and logarithms of calling `nextGaussian` for each).
    package mutating func fillGaussian(_ values: UnsafeMutableBufferPointer<Float>) {
        var t = 0
        while t < values.count {
            let u1 = max(nextUnit(), 1e-300), u2 = nextUnit()
            let radius = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
            values[t] = Float(radius * cos(angle))
            if t + 1 < values.count { values[t + 1] = Float(radius * sin(angle)) }
            t += 2
        }
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// SplitMix64: used to expand a 64-bit seed into generator state.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package var state: UInt64
    package init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable
    package mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
