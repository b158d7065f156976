extension String {
    /// Left-aligned in a column of `width` characters (at least one space after).
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

extension String {
    /// Without leading and trailing ASCII whitespace (spaces, tabs, CR, LF).
    func trimmingWhitespace() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}

extension Double {
    /// Fixed-point text with `decimals` digits after the point (what `%.Nf` prints), without
    /// Foundation. Non-finite values print as "—".
    func formatted(decimals: Int) -> String {
        guard isFinite else { return "—" }
        let scale = (0..<max(0, min(decimals, 9))).reduce(1.0) { result, _ in result * 10 }
        let magnitude = (abs(self) * scale).rounded()
        guard magnitude < 9e15 else { return String(self) }
        let units = Int(magnitude)
        let whole = units / Int(scale)
        let sign = self < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(units % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
