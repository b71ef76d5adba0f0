import Foundation

/// Set by the SIGINT/SIGTERM handler; polled by the executors (a signal handler may only
/// store to a plain global).
nonisolated(unsafe) private var receivedSignal: Int32 = 0

/// Signal handling for sweeps: Ctrl-C or `kill` stop launching runs, stop the workers,
/// write the manifest and exit with 128 + signal.
public enum SweepSignals {
    /// Installs handlers for SIGINT and SIGTERM and ignores SIGPIPE (a dead worker's pipe).
    public static func install() {
        signal(SIGINT) { receivedSignal = $0 }
        signal(SIGTERM) { receivedSignal = $0 }
        signal(SIGPIPE, SIG_IGN)
    }

    /// The signal received so far, or 0.
    public static var received: Int32 { receivedSignal }
}

/// How an execution ended.
public struct SweepOutcome: Sendable {
    /// The signal that interrupted the sweep, or nil when every queued run was attempted.
    public var interruptedBy: Int32?
    public init(interruptedBy: Int32?) { self.interruptedBy = interruptedBy }
}

/// Runs a sweep's queued runs on `jobs` long-lived worker processes.
///
/// Each worker is this executable started with a hidden subcommand (`workerArguments`), reading
/// `RUN <index>` lines on stdin and answering `DONE <index> <wall>` or
/// `FAIL <index> <wall> <message>` on stdout; a worker takes many runs, so the process
/// start-up cost is paid once per worker, not per run. The coordinator multiplexes the
/// workers with `poll(2)`, writes the manifest after each batch of status changes, and
/// replaces a worker that dies (its run is recorded failed with the exit status).
public final class LocalSweepExecutor {
    public let coordinator: SweepCoordinator
    public let jobs: Int
    public let executable: String
    public let workerArguments: [String]
    public var progress: SweepProgress?

    private struct Worker {
        var pid: pid_t
        var input: Int32    // our end of the worker's stdin
        var output: Int32   // our end of the worker's stdout
        var buffer: [UInt8] = []
        var current: Int?   // run index in progress
    }
    private var workers: [Worker] = []

    public init(coordinator: SweepCoordinator, jobs: Int, executable: String, workerArguments: [String]) {
        self.coordinator = coordinator
        self.jobs = max(1, jobs)
        self.executable = executable
        self.workerArguments = workerArguments
    }

    /// Runs until every queued run was attempted or a signal arrives.
    /// - Throws: `SweepError` when no worker can be started or the manifest cannot be written.
    public func run() throws -> SweepOutcome {
        defer { shutdown(signal: nil) }
        var spawnFailures = 0
        while true {
            if SweepSignals.received != 0 { break }
            // Hand runs to idle workers; start workers while runs wait and slots are free.
            for w in workers.indices where workers[w].current == nil {
                guard let run = coordinator.nextRun() else { break }
                assign(run.index, to: w)
            }
            while workers.count < jobs, coordinator.remaining > 0 {
                do { workers.append(try spawn()) } catch {
                    spawnFailures += 1
                    if workers.isEmpty || spawnFailures > 3 { throw error }
                    break
                }
                if let run = coordinator.nextRun() { assign(run.index, to: workers.count - 1) }
            }
            try coordinator.flush()
            if workers.allSatisfy({ $0.current == nil }) && coordinator.remaining == 0 { break }

            var fds = workers.map { pollfd(fd: $0.output, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 250)
            if n > 0 {
                var dead: [Int] = []
                for (w, p) in fds.enumerated() where p.revents != 0 {
                    if !readLines(from: w) { dead.append(w) }
                }
                for w in dead.reversed() { reap(w) }
            }
            try coordinator.flush()
            progress?.draw(coordinator: coordinator, running: workers.filter { $0.current != nil }.count)
        }
        let signal = SweepSignals.received
        if signal != 0 {
            let running = workers.compactMap(\.current)
            shutdown(signal: SIGTERM)
            coordinator.requeue(runIndices: running)
            try coordinator.flush()
            progress?.finish()
            return SweepOutcome(interruptedBy: signal)
        }
        progress?.draw(coordinator: coordinator, running: 0, force: true)
        progress?.finish()
        return SweepOutcome(interruptedBy: nil)
    }

    private func assign(_ runIndex: Int, to w: Int) {
        workers[w].current = runIndex
        let line = Array("RUN \(runIndex)\n".utf8)
        let written = line.withUnsafeBytes { write(workers[w].input, $0.baseAddress, $0.count) }
        if written != line.count {
            // The worker is gone; poll reports its EOF and `reap` records the failure.
            return
        }
    }

    /// Reads available output; returns false at EOF (the worker exited).
    private func readLines(from w: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(workers[w].output, $0.baseAddress, $0.count) }
        if n < 0 { return errno == EINTR || errno == EAGAIN }
        if n == 0 { return false }
        workers[w].buffer += chunk[0..<n]
        while let nl = workers[w].buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: workers[w].buffer[..<nl], as: UTF8.self)
            workers[w].buffer.removeSubrange(...nl)
            handle(line, from: w)
        }
        return true
    }

    private func handle(_ line: String, from w: Int) {
        guard let reply = WorkerReply(parsing: line) else { return }
        coordinator.complete(runIndex: reply.index, succeeded: reply.succeeded, wallSeconds: reply.wallSeconds, error: reply.error)
        if workers[w].current == reply.index { workers[w].current = nil }
    }

    /// A worker's stdout closed: wait for it and fail its current run.
    private func reap(_ w: Int) {
        let worker = workers.remove(at: w)
        close(worker.input)
        close(worker.output)
        var status: Int32 = 0
        waitpid(worker.pid, &status, 0)
        if let run = worker.current {
            if SweepSignals.received != 0 {  // killed by the same Ctrl-C: not the run's fault
                coordinator.requeue(runIndices: [run])
                return
            }
            let how = (status & 0x7f) == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
            coordinator.complete(runIndex: run, succeeded: false, wallSeconds: 0, error: "worker process \(how) during the run")
        }
    }

    private func spawn() throws -> Worker {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw SweepError(file: executable, message: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SweepError(file: executable, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        // Our ends must not leak into other workers (else a worker never sees EOF on stdin).
        for fd in [toChild[0], toChild[1], fromChild[0], fromChild[1]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + workerArguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SweepError(file: executable, message: "cannot start a worker process: \(String(cString: strerror(rc)))")
        }
        return Worker(pid: pid, input: toChild[1], output: fromChild[0])
    }

    /// Closes every worker's stdin (they exit after their current run) or, with a signal,
    /// sends it first; then waits for all of them.
    private func shutdown(signal: Int32?) {
        for w in workers {
            if let signal { kill(w.pid, signal) }
            close(w.input)
        }
        for w in workers {
            var status: Int32 = 0
            waitpid(w.pid, &status, 0)
            close(w.output)
        }
        workers.removeAll()
    }
}

/// A worker's answer line.
struct WorkerReply {
    var index: Int
    var succeeded: Bool
    var wallSeconds: Double
    var error: String?

    init?(parsing line: String) {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, let i = Int(parts[1]), let wall = Double(parts[2]) else { return nil }
        switch parts[0] {
        case "DONE": succeeded = true
        case "FAIL": succeeded = false
        default: return nil
        }
        index = i
        wallSeconds = wall
        error = parts.count == 4 ? String(parts[3]) : nil
    }

    static func line(index: Int, outcome: SweepRunner.Outcome) -> String {
        let wall = String(format: "%.6f", outcome.wallSeconds)
        if outcome.succeeded { return "DONE \(index) \(wall)\n" }
        let message = (outcome.error ?? "failed").split(whereSeparator: \.isNewline).joined(separator: " ")
        return "FAIL \(index) \(wall) \(message)\n"
    }
}

/// The worker side of `LocalSweepExecutor`: serves `RUN <index>` requests from stdin until EOF.
public enum SweepWorker {
    /// Serves runs of `plan` into `directory`. Protocol replies go to the original stdout; the
    /// process's stdout is redirected to stderr first so stray prints cannot corrupt them.
    /// `expectedHash` guards against a sweep file edited while the sweep runs.
    public static func serve(plan: Result<SweepPlan, Error>, expectedHash: String, directory: String) {
        let reply = dup(1)
        dup2(2, 1)
        // Ctrl-C reaches the whole process group; the coordinator decides and sends SIGTERM.
        signal(SIGINT, SIG_IGN)
        while let line = readLine() {
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0] == "RUN", let index = Int(parts[1]) else { continue }
            let outcome: SweepRunner.Outcome
            switch plan {
            case let .failure(error):
                outcome = .init(succeeded: false, wallSeconds: 0, error: "worker cannot load the sweep: \(oneLine(error))")
            case let .success(p) where p.hashText != expectedHash:
                outcome = .init(succeeded: false, wallSeconds: 0, error: "the sweep file or its base scenario changed since the sweep started (hash \(p.hashText), expected \(expectedHash))")
            case let .success(p):
                outcome = SweepRunner.execute(plan: p, runIndex: index, directory: directory)
            }
            let bytes = Array(WorkerReply.line(index: index, outcome: outcome).utf8)
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBytes { write(reply, $0.baseAddress, $0.count) }
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}

/// A one-line progress bar on stderr: runs done, failed, running, and the ETA from this
/// invocation's completion rate. Redrawn at most every 0.2 s.
public final class SweepProgress {
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var initialFinished: Int?

    public init() {}

    /// A bar when stderr is a terminal (`mode` auto), always, or never.
    public static func make(mode: String) -> SweepProgress? {
        switch mode {
        case "always": return SweepProgress()
        case "never": return nil
        default: return isatty(STDERR_FILENO) != 0 ? SweepProgress() : nil
        }
    }

    public func draw(coordinator c: SweepCoordinator, running: Int, force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let total = c.manifest.entries.count
        let done = c.count(.done), failed = c.count(.failed)
        let finished = done + failed
        if initialFinished == nil { initialFinished = finished }
        let thisSession = finished - (initialFinished ?? 0)
        let elapsed = now.timeIntervalSince(start)
        let left = max(0, total - finished)
        let eta = thisSession > 0 ? elapsed / Double(thisSession) * Double(left) : .nan
        let width = 30
        let filled = total > 0 ? min(width, finished * width / total) : width
        let etaText = eta.isNaN ? "--" : String(format: "%.0fs", eta)
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(finished)/\(total)  done \(done)  failed \(failed)  running \(running)  ETA \(etaText)   "
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    public func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
