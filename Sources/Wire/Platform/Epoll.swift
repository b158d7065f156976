import CLinuxShims
import Glibc

/// An epoll instance with an eventfd for cross-thread wake-ups. Owned by one reactor thread;
/// only `wake()` may be called from other threads.
struct Epoll {
    let fd: Int32
    let wakeFD: Int32

    /// The epoll user data reserved for the wake-up eventfd.
    static let wakeToken: UInt64 = .max

    static let readable = UInt32(EPOLLIN.rawValue)
    static let writable = UInt32(EPOLLOUT.rawValue)
    static let readHangup = UInt32(EPOLLRDHUP.rawValue)
    static let hangup = UInt32(EPOLLHUP.rawValue)
    static let error = UInt32(EPOLLERR.rawValue)
    static let edgeTriggered = UInt32(EPOLLET.rawValue)

    init() throws(SyscallError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SyscallError("epoll_create1", errno: errno) }
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            let code = errno
            Glibc.close(fd)
            throw SyscallError("eventfd", errno: code)
        }
        self.fd = fd
        self.wakeFD = wakeFD
        guard cshim_epoll_ctl(fd, EPOLL_CTL_ADD, wakeFD, Epoll.readable | Epoll.edgeTriggered, Epoll.wakeToken) == 0
        else {
            let code = errno
            Glibc.close(wakeFD)
            Glibc.close(fd)
            throw SyscallError("epoll_ctl", errno: code)
        }
    }

    func add(_ target: Int32, events: UInt32, token: UInt64) throws(SyscallError) {
        guard cshim_epoll_ctl(fd, EPOLL_CTL_ADD, target, events, token) == 0 else {
            throw SyscallError("epoll_ctl(add)", errno: errno)
        }
    }

    func remove(_ target: Int32) {
        _ = cshim_epoll_ctl(fd, EPOLL_CTL_DEL, target, 0, 0)
    }

    /// Waits up to `timeoutNanoseconds` (-1: forever, 0: only polls) and calls
    /// `body(token, events)` per event.
    func wait(into buffer: borrowing EventBuffer, timeoutNanoseconds: Int64, _ body: (UInt64, UInt32) -> Void) {
        let buffer = buffer.events
        let count = cshim_epoll_wait_ns(fd, buffer.baseAddress!, Int32(buffer.count), timeoutNanoseconds)
        guard count > 0 else { return }  // EINTR: the loop simply comes round again
        for index in 0..<Int(count) {
            withUnsafePointer(to: &buffer[index]) { event in
                body(cshim_epoll_event_data(event), cshim_epoll_event_events(event))
            }
        }
    }

    /// Wakes a thread blocked in `wait`. Safe from any thread.
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Consumes pending wake-ups.
    func drainWakeups() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
    }

    func close() {
        Glibc.close(wakeFD)
        Glibc.close(fd)
    }

    /// Room for the events of one `epoll_wait`; owned by the loop thread.
    struct EventBuffer: ~Copyable {
        let events: UnsafeMutableBufferPointer<epoll_event>

        init(capacity: Int) {
            events = .allocate(capacity: capacity)
        }

        deinit { events.deallocate() }
    }
}
