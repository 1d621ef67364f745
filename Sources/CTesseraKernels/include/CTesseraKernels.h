// Small C helpers for the hot loops that Swift cannot express directly: cache prefetch hints, an SSE2
// scan of JSON string bytes and a CPU feature check. Kept apart from COpenBLAS so that the system
// bridge stays only cblas.h + lapacke.h and modules that need a helper do not see BLAS.
#ifndef TESSERA_CTESSERAKERNELS_H
#define TESSERA_CTESSERAKERNELS_H
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Hint the CPU to fetch the cache line at `address` for reading (no-op where unsupported).
static inline void tessera_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#endif
}

/// Hint the CPU to fetch the cache line at `address` for writing (a read-modify-write soon).
static inline void tessera_prefetch_write(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 1, 3);
#endif
}

/// Bit i is set where byte i of the 16 at `p` stops a plain run of a JSON string: a quote, a
/// backslash or a control byte (< 0x20). All 16 bytes must be readable.
static inline unsigned tessera_json_string_stops16(const unsigned char *p) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
#else
    unsigned stops = 0;
    for (int i = 0; i < 16; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) stops |= 1u << i;
    }
    return stops;
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
