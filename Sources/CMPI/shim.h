// Open MPI for Swift: the handles (MPI_COMM_WORLD, MPI_BYTE, MPI_SUM, …) are C macros over
// library globals, which Swift cannot import, so every call Tessera makes goes through one of
// these functions. All collectives run on MPI_COMM_WORLD and return an MPI error code
// (MPI_SUCCESS = 0). Counts are `int` as in MPI; callers split larger transfers into pieces.
#ifndef TESSERA_CMPI_SHIM_H
#define TESSERA_CMPI_SHIM_H

#include <mpi.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

// MARK: lifecycle

/// The exact sum of 128-bit integers stored as (low, high) 64-bit words, wrapping (two's complement).
static void tessera_mpi_int128_add(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const unsigned char *a = (const unsigned char *)in;
    unsigned char *b = (unsigned char *)inout;
    for (int i = 0; i < *len; i++) {
        unsigned __int128 x, y;
        memcpy(&x, a + 16 * (size_t)i, 16);
        memcpy(&y, b + 16 * (size_t)i, 16);
        y += x;   // unsigned: wraps, and equals the two's-complement sum
        memcpy(b + 16 * (size_t)i, &y, 16);
    }
}

/// Starts MPI with MPI_THREAD_FUNNELED (only the thread that started MPI calls it) unless it is
/// already running; `provided` receives the thread level granted.
static inline int tessera_mpi_init(int *provided) {
    int flag = 0;
    MPI_Initialized(&flag);
    if (flag) return MPI_Query_thread(provided);
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, provided);
}

/// The 128-bit sum: a datatype of two 64-bit words and a commutative reduction over it. Created
/// once after start-up; the caller keeps the handles (a header has no single place for globals).
static inline int tessera_mpi_int128_sum_create(MPI_Op *op, MPI_Datatype *type) {
    int rc = MPI_Type_contiguous(2, MPI_UINT64_T, type);
    if (rc == MPI_SUCCESS) rc = MPI_Type_commit(type);
    if (rc == MPI_SUCCESS) rc = MPI_Op_create(tessera_mpi_int128_add, 1 /* commutative */, op);
    return rc;
}

static inline int tessera_mpi_int128_sum_free(MPI_Op *op, MPI_Datatype *type) {
    int rc = MPI_Op_free(op);
    int rc2 = MPI_Type_free(type);
    return rc != MPI_SUCCESS ? rc : rc2;
}

static inline int tessera_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

static inline int tessera_mpi_finalize(void) { return MPI_Finalize(); }

static inline int tessera_mpi_initialized(void) { int flag = 0; MPI_Initialized(&flag); return flag; }
static inline int tessera_mpi_finalized(void) { int flag = 0; MPI_Finalized(&flag); return flag; }

static inline int tessera_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int tessera_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }

static inline int tessera_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }

/// Writes the host's name (NUL-terminated) into `name`, which holds MPI_MAX_PROCESSOR_NAME bytes.
static inline int tessera_mpi_processor_name(char *name) {
    int length = 0;
    int rc = MPI_Get_processor_name(name, &length);
    name[rc == MPI_SUCCESS && length >= 0 && length < MPI_MAX_PROCESSOR_NAME ? length : 0] = 0;
    return rc;
}

static inline int tessera_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/// A barrier that waits asleep: MPI_Ibarrier, then MPI_Test every `sleep_us` microseconds. Open MPI's
/// blocking calls poll and keep a core busy; ranks waiting a long time for rank 0 (merging the
/// load, describing, writing) would take that core from rank 0's own threads.
static inline int tessera_mpi_barrier_sleeping(long sleep_us) {
    MPI_Request request;
    int rc = MPI_Ibarrier(MPI_COMM_WORLD, &request);
    if (rc != MPI_SUCCESS) return rc;
    int done = 0;
    struct timespec pause = { sleep_us / 1000000, (sleep_us % 1000000) * 1000 };
    while (1) {
        rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS || done) return rc;
        nanosleep(&pause, NULL);
    }
}

/// Stops every rank of the job; mpirun exits with `errorcode`.
static inline int tessera_mpi_abort(int errorcode) { return MPI_Abort(MPI_COMM_WORLD, errorcode); }

// MARK: reductions (in place)

static inline int tessera_mpi_allreduce_sum_double(double *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

static inline int tessera_mpi_allreduce_sum_float(float *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

static inline int tessera_mpi_allreduce_sum_int64(int64_t *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
}

/// `count` 128-bit integers (16 bytes each, low word first) summed exactly over ranks, with the
/// handles from `tessera_mpi_int128_sum_create`.
static inline int tessera_mpi_allreduce_sum_int128(void *buffer, int count, MPI_Datatype type, MPI_Op op) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, type, op, MPI_COMM_WORLD);
}

// MARK: byte movement

/// Every rank's `value` in rank order in `out` (one per rank).
static inline int tessera_mpi_allgather_int64(int64_t value, int64_t *out) {
    return MPI_Allgather(&value, 1, MPI_INT64_T, out, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

/// Rank r's `count` bytes land at `receive + displacements[r]` (`counts[r]` bytes) on every rank.
static inline int tessera_mpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements) {
    return MPI_Allgatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

static inline int tessera_mpi_bcast_bytes(void *buffer, int count, int root) {
    return MPI_Bcast(buffer, count, MPI_BYTE, root, MPI_COMM_WORLD);
}

/// Root's `send + displacements[r]` (`counts[r]` bytes) lands in rank r's `receive` (`count` bytes).
static inline int tessera_mpi_scatterv_bytes(const void *send, const int *counts, const int *displacements, void *receive, int count, int root) {
    return MPI_Scatterv(send, counts, displacements, MPI_BYTE, receive, count, MPI_BYTE, root, MPI_COMM_WORLD);
}

/// Rank r's `count` bytes land at root's `receive + displacements[r]` (`counts[r]` bytes).
static inline int tessera_mpi_gatherv_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements, int root) {
    return MPI_Gatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, root, MPI_COMM_WORLD);
}

#endif
