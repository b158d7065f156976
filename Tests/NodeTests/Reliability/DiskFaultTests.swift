import Foundation
import Testing

@testable import Actors
@testable import Wire

/// The disk refuses the node's writes (ENOSPC on a full tmpfs, EIO from fsync): the node
/// says so once, keeps serving peers, keeps the previous peers.json intact, and writes
/// again as soon as it can.
@Suite(.serialized, .enabled(if: NodeProcess.binary != nil)) struct DiskFaultTests {
    /// Root with tmpfs mounts (this machine and CI); elsewhere the ENOSPC test is skipped.
    static let canMountTmpfs: Bool = {
        let probe = NSTemporaryDirectory() + "meshnode-mount-probe-\(getpid())"
        defer { rmdir(probe) }
        guard getuid() == 0, mkdir(probe, 0o755) == 0 else { return false }
        guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(probe)
        return true
    }()

    static let strace = "/usr/bin/strace"

    /// Metric `meshnode_file_write_failures_total{file="FILE"}` from the debug endpoint.
    static func writeFailures(_ debug: SocketAddress, file: String) async -> Int? {
        await metricSample(debug, "meshnode_file_write_failures_total{file=\"\(file)\"}").map { Int($0) }
    }

    @Test(.enabled(if: DiskFaultTests.canMountTmpfs, "needs root to mount a small tmpfs"))
    func fullDisk_keepsTheOldPeerBook_andServing_untilSpaceReturns() async throws {
        try await withChildProcesses {
            let dir = BinaryTests.temporaryDirectory()
            let peerDir = BinaryTests.temporaryDirectory()
            try Posix.makeDirectories(dir)
            #expect(mount("tmpfs", dir, "tmpfs", 0, "size=512k") == 0)
            defer {
                umount2(dir, Int32(MNT_DETACH))
                for path in [dir, peerDir] { try? FileManager.default.removeItem(atPath: path) }
            }
            let original = encodedLoopbackBook(count: 100)
            try Posix.writeFileAtomically(dir + "/peers.json", original)
            try Posix.makeDirectories(dir + "/public")
            // Fill every remaining block.
            let filler = open(dir + "/filler", O_WRONLY | O_CREAT, 0o644)
            let chunk = [UInt8](repeating: 0, count: 4096)
            while chunk.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
            #expect(errno == ENOSPC)
            close(filler)

            let node = try NodeProcess([
                "run", "--listen", "127.0.47.1:7071", "--debug-listen", "127.0.47.1:7070", "--lan", "--tick", "0.1",
                "--data-dir", dir,
            ])
            defer { node.stop() }
            let debug = address("127.0.47.1:7070")
            #expect(await waitFor { (try? await http(debug, "/health").0) == 200 })
            let peer = try NodeProcess([
                "run", "--listen", "127.0.47.2:7071", "--debug-listen", "off", "--lan", "--tick", "0.1",
                "--data-dir", peerDir, "--peer", "127.0.47.1:7071",
            ])
            defer { peer.stop() }
            // Full disk: the failure is named once, counted every tick, and peers still join.
            #expect(await waitFor { (await Self.writeFailures(debug, file: "peers.json") ?? 0) >= 5 }, "\(node.log)")
            let failed = node.events("peerbook.save_failed")
            #expect(failed.count == 1, "\(failed)")
            #expect(failed.first?["errno"] as? Int == Int(ENOSPC), "\(failed)")
            #expect(node.events("reports.write_failed").count == 1)
            #expect(!node.events("peer.connected").isEmpty, "\(node.log)")
            #expect(try Posix.readFile(dir + "/peers.json") == original, "the old peer book changed")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") } == [])

            // Space again: the next tick writes, and the log says it recovered.
            unlink(dir + "/filler")
            #expect(await waitFor { !node.events("peerbook.save_recovered").isEmpty }, "\(node.log)")
            let saved = try PeerBookStore.decode(try Posix.readFile(dir + "/peers.json") ?? [])
            #expect(saved.contains { $0.address.description == "127.0.47.2:7071" }, "the new peer was not saved")
            #expect(node.process.isRunning)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: DiskFaultTests.strace), "needs strace"))
    func failingFsync_isReportedOnce_andTheOldFileStays() async throws {
        try await withChildProcesses {
            let dir = BinaryTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Posix.makeDirectories(dir)
            let original = encodedLoopbackBook(count: 100)
            try Posix.writeFileAtomically(dir + "/peers.json", original)
            // Every fsync of the node fails with EIO, as on a dying disk.
            let node = try NodeProcess(
                [
                    "run", "--listen", "127.0.47.3:7071", "--debug-listen", "127.0.47.3:7070", "--tick", "0.1",
                    "--data-dir", dir,
                ],
                wrapper: [
                    Self.strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:error=EIO",
                ])
            defer { node.stop() }
            let debug = address("127.0.47.3:7070")
            #expect(await waitFor { (await Self.writeFailures(debug, file: "peers.json") ?? 0) >= 3 }, "\(node.log)")
            let failed = node.events("peerbook.save_failed")
            #expect(failed.count == 1 && failed.first?["errno"] as? Int == Int(EIO), "\(failed)")
            #expect(try Posix.readFile(dir + "/peers.json") == original)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") } == [])
            #expect(try await http(debug, "/health").0 == 200)
        }
    }
}
