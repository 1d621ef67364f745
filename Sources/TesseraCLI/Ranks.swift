import Foundation
import LinearAlgebra
import Tessera
#if TESSERA_MPI
import MPIBackend
#endif

/// The ranks of this process's job: MPI when launched by mpirun/srun in an MPI build, else one process.
///
/// Touch `communicator` first from the main thread (MPI runs at `MPI_THREAD_FUNNELED`). Every rank
/// runs the same command; only rank 0 should print or write shared files.
enum Ranks {
    /// Started once, on first use; `SingleProcessCommunicator()` unless this is an MPI build
    /// (`make mpi`) started by `mpirun` or `srun`.
    static let communicator: Communicator = {
        #if TESSERA_MPI
        if let mpi = MPIRuntime.startIfLaunched() { return mpi }
        #endif
        return SingleProcessCommunicator()
    }()

    static var isDistributed: Bool { communicator.size > 1 }

    /// "mpi" or "single-process".
    static var backend: String { communicator.backend }

    /// Payload bytes this rank has sent through collectives so far (0 on one process).
    static var bytesCommunicated: Int { communicator.bytesCommunicated }

    /// Stops the job: under MPI, `tessera (rank R of N): message` on stderr and every rank stops
    /// (`mpirun` exits with `code`); else `error: message` on stderr and exit with `code`.
    static func fail(_ message: String, code: Int32) -> Never {
        let safe = TerminalText.safe(message)
        #if TESSERA_MPI
        if MPIRuntime.isRunning { MPIRuntime.fail(message: safe, code: code) }
        #endif
        FileHandle.standardError.write(Data("error: \(safe)\n".utf8))
        exit(code)
    }

    /// Ends MPI if it was started (every rank, before a normal exit); nothing on one process.
    static func finish() {
        #if TESSERA_MPI
        MPIRuntime.finish()
        #endif
    }
}
