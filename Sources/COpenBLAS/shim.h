// Bridge to the system's OpenBLAS (CBLAS) and LAPACKE.
// Debian: libopenblas-dev provides cblas.h (via pkg-config "openblas"); liblapacke-dev provides lapacke.h.
#ifndef TESSERA_COPENBLAS_SHIM_H
#define TESSERA_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/// Hint the CPU to fetch the cache line at `address` for reading (no-op where unsupported).
static inline void tessera_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#endif
}
#endif
