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

/// Whether this CPU has AVX2 and FMA (the instruction sets the default build of the kernels uses).
static inline int tessera_cpu_has_avx2_fma(void) {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 1;
#endif
}
#endif
