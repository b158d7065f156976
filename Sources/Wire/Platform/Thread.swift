import CLinuxShims
import Glibc

/// A plain OS thread for the reactor loop (the cooperative pool must never block in epoll).
// @unchecked Sendable: pthread_t is an integer handle, written once before the value is shared.
struct OSThread: @unchecked Sendable {
    let handle: pthread_t

    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept).
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(SyscallError) -> OSThread {
        // @unchecked Sendable: written before pthread_create and read once by the new thread.
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            let name: String
            init(_ body: @escaping @Sendable () -> Void, _ name: String) {
                self.body = body
                self.name = name
            }
        }
        let box = Unmanaged.passRetained(Box(body, name)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                cshim_set_thread_name(String(box.name.utf8.prefix(15))!)
                box.body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SyscallError("pthread_create", errno: result)
        }
        return OSThread(handle: handle)
    }

    func join() {
        _ = pthread_join(handle, nil)
    }
}

/// The reactor pointer the calling thread runs, if any (a thread-local in the C shim).
enum CurrentReactor {
    static func get() -> UnsafeMutableRawPointer? { cshim_current_reactor() }
    static func set(_ value: UnsafeMutableRawPointer?) { cshim_set_current_reactor(value) }
}
