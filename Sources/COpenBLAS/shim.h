// Bridge to the system's OpenBLAS (CBLAS) and LAPACKE.
// Debian: libopenblas-dev provides cblas.h (via pkg-config "openblas"); liblapacke-dev provides lapacke.h.
// C helpers of Tessera's own (prefetch, JSON byte scan, CPU check) live in CTesseraKernels.
#ifndef TESSERA_COPENBLAS_SHIM_H
#define TESSERA_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
