import CLinuxShims
import Glibc

extension Posix {
    /// Standard error's descriptor.
    public static let standardError: Int32 = 2
    /// Standard output's descriptor.
    public static let standardOutput: Int32 = 1

    /// Writes all of `bytes` to `fd` (blocking descriptors), retrying short writes and EINTR.
    /// Returns false if the descriptor refused (closed pipe, full disk).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        writeFully(fd, bytes) == 0
    }

    /// The one write-all loop: writes all of `bytes` to `fd`, retrying short writes and EINTR.
    /// Returns 0, or the errno that stopped it (EIO when the descriptor took nothing).
    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return written < 0 ? errno : EIO }
            offset += written
        }
        return 0
    }

    /// Writes `line` and a newline to `fd`, unbuffered.
    public static func writeLine(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = writeAll(fd, $0) }
    }

    /// True if `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME): for timestamps, never for timing.
    public static func wallClockNanoseconds() -> UInt64 {
        nanoseconds(of: CLOCK_REALTIME)
    }

    /// The value of environment variable `name`, if set.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

extension Posix {
    /// Keeps freed memory in the allocator instead of returning it to the kernel at once, up
    /// to a bound.
    ///
    /// Read batches and outbound chunks are short-lived buffers of tens of KiB; with glibc's
    /// defaults the heap top is trimmed and regrown around them, and every regrowth costs
    /// page faults and page clearing (measured: ~15% of the reactor's CPU on a 4 KiB-frame
    /// stream). Buffers of 4 MiB and more are still mapped and unmapped individually.
    ///
    /// The trim threshold is 4 MiB, not more: every thread but the main one allocates from an
    /// arena of its own, whose free top only this threshold gives back (`malloc_trim` leaves
    /// it alone). At 32 MiB each pool thread that once saved a 10,000-entry peer book (12 MiB
    /// of garbage) kept its 12 MiB: an idle node grew from 36 to 64 MiB in two ticks. At
    /// 4 MiB it stays at 24–30 MiB, and the echo and broadcast paths make the same mapping
    /// calls as at 32 MiB (strace: no trim-and-regrow).
    public static func tuneAllocatorForBuffers() {
        cshim_tune_allocator(4 << 20, 4 << 20, 1 << 20)
    }

    /// Gives freed memory back to the kernel (malloc_trim(0)): after a peer that moved many
    /// megabytes leaves, the allocator would otherwise keep its buffers resident (issue #12:
    /// 707 MiB still resident 33 s after the attackers left). It releases the free chunks
    /// inside every arena (the free tops of the threads' own arenas are the trim threshold's,
    /// ``tuneAllocatorForBuffers()``). Costs a walk of the arenas' free lists (0.4–0.8 ms
    /// measured at a 10,000-entry book): call it after large frees, not per message.
    public static func releaseFreeMemory() {
        _ = cshim_malloc_trim()
    }
}
