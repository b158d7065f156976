/// SplitMix64: a small, fast generator whose whole sequence follows from one seed, so a
/// failing random test is replayed exactly from the seed it prints.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// The seeds a model test runs: `MESHNODE_MODEL_SEED` replays one, else `count` fixed ones.
    static func seeds(count: Int, environment: [String: String]) -> [UInt64] {
        if let text = environment["MESHNODE_MODEL_SEED"], let seed = UInt64(text) { return [seed] }
        return (1...UInt64(count)).map { $0 &* 0x1000_0001 }
    }
}
