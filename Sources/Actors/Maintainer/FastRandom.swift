/// xoshiro256** (Blackman and Vigna, 2018) seeded from the system generator: the address
/// manager's draws without a `getrandom` system call each (the system generator's calls were
/// half of a plan's time). The owner reseeds it from the system generator every cycle, so
/// the picks of one cycle say nothing about the next, and the seed is 256 secret bits.
package struct FastRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)

    package init() {
        reseed()
    }

    /// Fresh state from the system generator (4 system calls at most).
    package mutating func reseed() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next())
        // The all-zero state is xoshiro's one fixed point.
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    package mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
