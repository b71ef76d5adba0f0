import CMPI
import Foundation

/// Runs a sweep over MPI ranks (`mpirun -np K citytwin sweep FILE --out DIR --mpi`).
///
/// Rank 0 coordinates: it validates the sweep, owns the manifest (the same `SweepCoordinator`
/// as a local run) and answers each worker's message with the next run index or "stop".
/// Ranks 1…K−1 pull work: they send `READY`, then after each run `DONE <index> <wall>` or
/// `FAIL <index> <wall> <message>` (the local worker protocol), so fast ranks take more runs
/// and uneven run times balance. Workers run in-process with `CityRun.execute`. With one rank,
/// rank 0 runs everything itself. Messages are `MPI_CHAR` strings (worker → 0: tag 1;
/// 0 → worker: tag 2, `RUN <index>` or `STOP`).
public enum SweepMPI {
    static let toCoordinator: Int32 = 1
    static let toWorker: Int32 = 2

    /// What rank 0 hands back to the command line.
    public enum Role {
        /// This process is rank 0; `coordinator` holds the manifest and KPIs (nil when setup failed with `error`).
        case coordinator(SweepCoordinator?, Error?)
        /// This process was a worker and has finished.
        case worker
    }

    /// Initializes MPI, runs the sweep and finalizes MPI.
    /// - Parameter setup: called on rank 0 only: loads, validates and opens the directory.
    public static func run(directory: String, progress: SweepProgress?,
                           setup: () throws -> SweepCoordinator,
                           loadPlan: () throws -> SweepPlan) -> Role {
        MPI_Init(nil, nil)
        defer { MPI_Finalize() }
        var rank: Int32 = 0, size: Int32 = 1
        MPI_Comm_rank(ct_mpi_comm_world(), &rank)
        MPI_Comm_size(ct_mpi_comm_world(), &size)
        if rank != 0 {
            workerLoop(loadPlan: loadPlan, directory: directory)
            return .worker
        }
        let coordinator: SweepCoordinator
        do { coordinator = try setup() } catch {
            stopAll(workers: Int(size) - 1)
            return .coordinator(nil, error)
        }
        if size == 1 {
            while let run = coordinator.nextRun() {
                try? coordinator.flush()
                let o = SweepRunner.execute(plan: coordinator.plan, runIndex: run.index, directory: directory)
                coordinator.complete(runIndex: run.index, succeeded: o.succeeded, wallSeconds: o.wallSeconds, error: o.error)
                try? coordinator.flush()
                progress?.draw(coordinator: coordinator, running: 0)
            }
        } else {
            var active = Int(size) - 1
            var running = 0
            while active > 0 {
                let (source, text) = receive(from: ct_mpi_any_source(), tag: toCoordinator, sleepingPoll: true)
                if let reply = WorkerReply(parsing: text) {
                    coordinator.complete(runIndex: reply.index, succeeded: reply.succeeded,
                                         wallSeconds: reply.wallSeconds, error: reply.error)
                    running -= 1
                }
                if let run = coordinator.nextRun() {
                    send("RUN \(run.index)", to: source, tag: toWorker)
                    running += 1
                } else {
                    send("STOP", to: source, tag: toWorker)
                    active -= 1
                }
                do { try coordinator.flush() } catch {
                    FileHandle.standardError.write(Data("error: \(oneLine(error))\n".utf8))
                }
                progress?.draw(coordinator: coordinator, running: max(0, running))
            }
        }
        progress?.draw(coordinator: coordinator, running: 0, force: true)
        progress?.finish()
        return .coordinator(coordinator, nil)
    }

    private static func workerLoop(loadPlan: () throws -> SweepPlan, directory: String) {
        var plan: Result<SweepPlan, Error>?
        send("READY", to: 0, tag: toCoordinator)
        while true {
            let (_, text) = receive(from: 0, tag: toWorker)
            let parts = text.split(separator: " ")
            guard parts.count == 2, parts[0] == "RUN", let index = Int(parts[1]) else { return }
            if plan == nil { plan = Result { try loadPlan() } }  // only once work arrives (rank 0 validated)
            let outcome: SweepRunner.Outcome
            switch plan {
            case let .success(p)?: outcome = SweepRunner.execute(plan: p, runIndex: index, directory: directory)
            case let .failure(e)?: outcome = .init(succeeded: false, wallSeconds: 0, error: "rank cannot load the sweep: \(oneLine(e))")
            case nil: return
            }
            let line = WorkerReply.line(index: index, outcome: outcome)
            send(String(line.dropLast()), to: 0, tag: toCoordinator)
        }
    }

    /// Answers every worker's first message with STOP (setup failed on rank 0).
    private static func stopAll(workers: Int) {
        for _ in 0..<max(0, workers) {
            let (source, _) = receive(from: ct_mpi_any_source(), tag: toCoordinator)
            send("STOP", to: source, tag: toWorker)
        }
    }

    private static func send(_ text: String, to rank: Int32, tag: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            _ = MPI_Send(buf.baseAddress, Int32(buf.count), ct_mpi_char(), rank, tag, ct_mpi_comm_world())
        }
    }

    /// Receives one string message. With `sleepingPoll`, waits by `MPI_Iprobe` + 1 ms sleeps
    /// instead of a busy `MPI_Probe`, so rank 0 does not take a core from the workers.
    private static func receive(from source: Int32, tag: Int32, sleepingPoll: Bool = false) -> (Int32, String) {
        var status = MPI_Status()
        if sleepingPoll {
            var flag: Int32 = 0
            while true {
                MPI_Iprobe(source, tag, ct_mpi_comm_world(), &flag, &status)
                if flag != 0 { break }
                usleep(1000)
            }
        } else {
            MPI_Probe(source, tag, ct_mpi_comm_world(), &status)
        }
        var count: Int32 = 0
        MPI_Get_count(&status, ct_mpi_char(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(max(count, 1)))
        let from = status.MPI_SOURCE
        bytes.withUnsafeMutableBytes { buf in
            _ = MPI_Recv(buf.baseAddress, count, ct_mpi_char(), from, tag, ct_mpi_comm_world(), ct_mpi_status_ignore())
        }
        return (from, String(decoding: bytes[0..<Int(max(count, 0))], as: UTF8.self))
    }
}
