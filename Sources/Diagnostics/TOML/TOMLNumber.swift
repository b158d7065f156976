/// TOML 1.0 integers and floats, by the spec's ABNF rather than Swift's `Int()`/`Double()`
/// (which accept `+01`, hex floats and more, and would read `2^63` as a float):
///
///     dec-int   = [ "-" / "+" ] ( DIGIT / digit1-9 1*( DIGIT / "_" DIGIT ) )
///     hex-int   = "0x" HEXDIG *( HEXDIG / "_" HEXDIG )     (likewise "0o" octal, "0b" binary; no sign)
///     float     = dec-int ( exp / frac [ exp ] ) / [ "-" / "+" ] ( "inf" / "nan" )
///     frac      = "." DIGIT *( DIGIT / "_" DIGIT )
///     exp       = ( "e" / "E" ) [ "-" / "+" ] DIGIT *( DIGIT / "_" DIGIT )
///
/// An integer outside 64 bits and a float outside binary64's range are errors, not rounded.
enum TOMLNumber {
    struct Failure: Error {
        let reason: String
    }

    /// The number `token` spells; nil when it does not start like a number at all; throws
    /// when it does but breaks the grammar.
    static func parse(_ token: ArraySlice<UInt8>) throws(Failure) -> TOMLDocument.Value? {
        var rest = token
        var sign: UInt8?
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first
            rest = rest.dropFirst()
        }
        let negative = sign == UInt8(ascii: "-")
        if rest.elementsEqual("inf".utf8) { return .double(negative ? -.infinity : .infinity) }
        if rest.elementsEqual("nan".utf8) { return .double(negative ? -.nan : .nan) }
        guard let first = rest.first, isDigit(first) || first == UInt8(ascii: ".") || sign != nil else { return nil }
        guard isDigit(first) else { throw Failure(reason: "a number starts with a digit") }
        for (prefix, radix, name) in [("0x", 16, "hexadecimal"), ("0o", 8, "octal"), ("0b", 2, "binary")]
        where rest.starts(with: prefix.utf8) {
            guard sign == nil else { throw Failure(reason: "a \(name) integer cannot have a sign") }
            return .integer(try radixInteger(rest.dropFirst(2), radix: radix, name: name))
        }
        let integerPart = rest.prefix { isDigit($0) || $0 == UInt8(ascii: "_") }
        try checkDigitRun(integerPart, what: "the integer part")
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") {
            throw Failure(reason: "leading zeros are not allowed")
        }
        rest = rest[integerPart.endIndex...]
        if rest.isEmpty { return .integer(try decimalInteger(integerPart, negative: negative)) }
        if rest.first == UInt8(ascii: ".") {
            let fraction = rest.dropFirst().prefix { isDigit($0) || $0 == UInt8(ascii: "_") }
            try checkDigitRun(fraction, what: "the fraction after '.'")
            rest = rest[fraction.endIndex...]
        }
        if let marker = rest.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            var exponent = rest.dropFirst()
            if let first = exponent.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
                exponent = exponent.dropFirst()
            }
            let digits = exponent.prefix { isDigit($0) || $0 == UInt8(ascii: "_") }
            try checkDigitRun(digits, what: "the exponent")
            rest = rest[digits.endIndex...]
        }
        if let stray = rest.first {
            let shown = stray < 0x80 ? "'\(String(Unicode.Scalar(stray)))'" : "a non-ASCII character"
            throw Failure(reason: "unexpected \(shown) in a number")
        }
        // The grammar is checked: what remains is a plain decimal float that Double reads exactly.
        let text = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw Failure(reason: "out of range for a 64-bit float")
        }
        return .double(value)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// At least one digit, and every '_' between two digits.
    static func checkDigitRun(_ run: ArraySlice<UInt8>, what: String) throws(Failure) {
        guard !run.isEmpty else { throw Failure(reason: "\(what) needs at least one digit") }
        var previousWasDigit = false
        for byte in run {
            let isUnderscore = byte == UInt8(ascii: "_")
            if isUnderscore && !previousWasDigit { throw Failure(reason: "'_' must sit between two digits") }
            previousWasDigit = !isUnderscore
        }
        guard previousWasDigit else { throw Failure(reason: "'_' must sit between two digits") }
    }

    static func decimalInteger(_ digits: ArraySlice<UInt8>, negative: Bool) throws(Failure) -> Int {
        var value = 0
        for byte in digits where byte != UInt8(ascii: "_") {
            let digit = Int(byte - UInt8(ascii: "0"))
            let shifted = value.multipliedReportingOverflow(by: 10)
            // Accumulate toward the sign, so Int.min (-2^63) is reachable.
            let next =
                negative
                ? shifted.partialValue.subtractingReportingOverflow(digit)
                : shifted.partialValue.addingReportingOverflow(digit)
            guard !shifted.overflow, !next.overflow else {
                throw Failure(reason: "out of range for a 64-bit integer")
            }
            value = next.partialValue
        }
        return value
    }

    static func radixInteger(_ digits: ArraySlice<UInt8>, radix: Int, name: String) throws(Failure) -> Int {
        try checkDigitRun(digits, what: "a \(name) integer")
        var value = 0
        for byte in digits where byte != UInt8(ascii: "_") {
            guard let digit = TOMLScanner.hexValue(byte).map(Int.init), digit < radix else {
                throw Failure(reason: "'\(String(Unicode.Scalar(byte)))' is not a \(name) digit")
            }
            let shifted = value.multipliedReportingOverflow(by: radix)
            let next = shifted.partialValue.addingReportingOverflow(digit)
            guard !shifted.overflow, !next.overflow else { throw Failure(reason: "out of range for a 64-bit integer") }
            value = next.partialValue
        }
        return value
    }
}
