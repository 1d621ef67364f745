import CMPI
import Foundation

/// Starting and stopping Open MPI for this process.
///
/// MPI is started only when a launcher started the process (`mpirun`, `srun`): a plain `tessera`
/// from an MPI build never touches MPI.
public enum MPIRuntime {
    /// True when `environment` shows a launcher: Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`), a PMIx
    /// or PMI launcher (`PMIX_RANK`, `PMI_RANK`; `srun --mpi=pmix`), or SLURM (`SLURM_PROCID` with
    /// `SLURM_NTASKS`).
    public static func isLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil || environment["PMI_RANK"] != nil { return true }
        return environment["SLURM_PROCID"] != nil && environment["SLURM_NTASKS"] != nil
    }

    /// Starts MPI (`MPI_Init_thread`, `MPI_THREAD_FUNNELED`; a running MPI is kept) and returns the
    /// communicator over all ranks, or nil when no launcher started this process. Call it from the
    /// main thread; every collective must then come from that thread.
    public static func startIfLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) -> MPICommunicator? {
        guard isLaunched(environment: environment) else { return nil }
        precondition(Thread.isMainThread, "start MPI from the main thread (MPI_THREAD_FUNNELED)")
        var provided: Int32 = 0
        let code = tessera_mpi_init(&provided)
        guard code == 0 else {
            FileHandle.standardError.write(Data("tessera: MPI could not start (MPI error \(code))\n".utf8))
            exit(1)
        }
        if provided < tessera_mpi_thread_funneled() {
            fail(message: "this MPI library grants thread level \(provided), below MPI_THREAD_FUNNELED", code: 1)
        }
        if int128Sum == nil {
            var sum = Int128Sum()
            let created = tessera_mpi_int128_sum_create(&sum.op, &sum.type)
            if created != 0 { fail(message: "could not create the 128-bit sum (MPI error \(created))", code: 1) }
            int128Sum = sum
        }
        return MPICommunicator()
    }

    /// True between a start and `finish()`.
    public static var isRunning: Bool { tessera_mpi_initialized() != 0 && tessera_mpi_finalized() == 0 }

    /// Ends MPI (`MPI_Finalize`) if it is running. Every rank must call it before exiting normally:
    /// a rank that exits without it makes `mpirun` report the job as failed.
    public static func finish() {
        guard isRunning else { return }
        if var sum = int128Sum {
            _ = tessera_mpi_int128_sum_free(&sum.op, &sum.type)
            int128Sum = nil
        }
        _ = tessera_mpi_finalize()
    }

    /// The handles of the exact 128-bit sum (an `MPI_Op` over a 16-byte datatype), made at start.
    struct Int128Sum {
        var op: MPI_Op?
        var type: MPI_Datatype?
    }

    /// Set and cleared on the main thread only (start and finish), like every MPI call.
    nonisolated(unsafe) static var int128Sum: Int128Sum?

    /// Writes `tessera (rank R of N): message` to stderr and stops every rank of the job
    /// (`MPI_Abort(MPI_COMM_WORLD, code)`); `mpirun` then exits with `code`. Without a running MPI,
    /// writes `error: message` and exits with `code`.
    public static func fail(message: String, code: Int32) -> Never {
        if isRunning {
            FileHandle.standardError.write(Data("tessera (rank \(tessera_mpi_rank()) of \(tessera_mpi_size())): \(message)\n".utf8))
            _ = tessera_mpi_abort(code)
        } else {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
        exit(code)
    }
}
