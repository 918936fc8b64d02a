/// Comparisons whose running time does not depend on where two secrets first differ, so an attacker
/// timing failed requests learns nothing about a signature's bytes. (The length is not secret.)
enum ConstantTime {
    static func equals<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    static func equals(_ a: String, _ b: String) -> Bool {
        equals(a.utf8, b.utf8)
    }
}
