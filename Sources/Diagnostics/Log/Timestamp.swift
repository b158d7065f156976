import Wire

/// ISO 8601 UTC timestamps (`2026-11-21T12:39:43.123Z`) computed without Foundation's
/// formatters, which are neither cheap nor Sendable.
public enum Timestamp {
    /// Now, to the millisecond.
    public static func now() -> String {
        format(unixNanoseconds: Posix.wallClockNanoseconds())
    }

    /// Seconds since the Unix epoch, now.
    public static func unixSeconds() -> Int {
        Int(Posix.wallClockNanoseconds() / 1_000_000_000)
    }

    /// Formats nanoseconds since the epoch, to the millisecond.
    public static func format(unixNanoseconds: UInt64) -> String {
        let seconds = Int64(unixNanoseconds / 1_000_000_000)
        let milliseconds = Int(unixNanoseconds / 1_000_000 % 1000)
        let days = seconds / 86_400
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(milliseconds, 3))Z"
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
