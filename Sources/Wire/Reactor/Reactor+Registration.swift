/// A socket owner the reactor delivers readiness to. Both calls come on the loop thread.
public protocol ReactorSelectable: AnyObject, Sendable {
    /// The descriptor became ready; `events` is the epoll mask.
    func reactorEvents(_ events: UInt32)
    /// The reactor is shutting down: fail every waiter, then close the descriptor.
    func reactorClosing()
}

/// A connection with buffered output, flushed once at the end of a loop pass.
public protocol ReactorFlushable: AnyObject, Sendable {
    /// Writes what is buffered (called on the loop thread).
    func reactorFlush()
}

/// A registration's identity: the descriptor and a generation, so that an event for a
/// descriptor number that was closed and reused is recognised and dropped.
public struct RegistrationID: Hashable, Sendable {
    public let fd: Int32
    public let generation: UInt32

    init(fd: Int32, generation: UInt32) {
        self.fd = fd
        self.generation = generation
    }

    init(token: UInt64) {
        self.fd = Int32(truncatingIfNeeded: token & 0xFFFF_FFFF)
        self.generation = UInt32(truncatingIfNeeded: token >> 32)
    }

    var token: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd)) }
}

struct Registration {
    let id: RegistrationID
    let handler: any ReactorSelectable
}

/// Readiness masks for `Reactor.register`.
public enum ReactorEvents {
    /// Edge-triggered read and write readiness plus hang-ups: registered once, never modified.
    public static let readWrite: UInt32 =
        Epoll.readable | Epoll.writable | Epoll.readHangup | Epoll.edgeTriggered
    /// Edge-triggered read readiness (listeners).
    public static let read: UInt32 = Epoll.readable | Epoll.edgeTriggered

    public static func isReadable(_ mask: UInt32) -> Bool {
        mask & (Epoll.readable | Epoll.readHangup | Epoll.hangup | Epoll.error) != 0
    }

    public static func isHangup(_ mask: UInt32) -> Bool {
        mask & (Epoll.readHangup | Epoll.hangup | Epoll.error) != 0
    }

    public static func isWritable(_ mask: UInt32) -> Bool {
        mask & (Epoll.writable | Epoll.hangup | Epoll.error) != 0
    }
}

extension Reactor {
    /// Adds `fd` to epoll with `handler` as its owner. Loop thread only.
    public func register(
        _ fd: Int32, events: UInt32, handler: any ReactorSelectable
    ) throws(SyscallError) -> RegistrationID {
        assertInLoop()
        guard !ioShutDown else { throw SyscallError("register", errno: Posix.shutdownErrno) }
        generationCounter &+= 1
        let id = RegistrationID(fd: fd, generation: generationCounter)
        try epoll.add(fd, events: events, token: id.token)
        let index = Int(fd)
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: index + 1 - registrations.count))
        }
        registrations[index] = Registration(id: id, handler: handler)
        return id
    }

    /// Removes a registration; the caller closes the descriptor afterwards. Loop thread only.
    public func deregister(_ id: RegistrationID) {
        assertInLoop()
        let index = Int(id.fd)
        guard index < registrations.count, registrations[index]?.id == id else { return }
        registrations[index] = nil
        epoll.remove(id.fd)
    }

    /// Asks for `target.reactorFlush()` at the end of this loop pass. Loop thread only.
    public func scheduleFlush(_ target: any ReactorFlushable) {
        assertInLoop()
        flushQueue.append(target)
    }

    func flushPending() {
        while !flushQueue.isEmpty {
            let batch = flushQueue
            flushQueue.removeAll(keepingCapacity: true)
            for target in batch { target.reactorFlush() }
        }
    }

    /// The shared read buffer. Loop thread only; valid only inside the current call.
    public var scratchBuffer: UnsafeMutableRawBufferPointer {
        assertInLoop()
        return scratch
    }
}
