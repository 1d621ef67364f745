// Every helper is `static inline` in include/CTesseraKernels.h, so Swift inlines them at the call site.
// SwiftPM builds a C target only when it has a source file; this one is that file.
#include "CTesseraKernels.h"
