// Bridge to the system's zlib (Debian: zlib1g-dev), used to read .gz inputs and checksum caches.
#ifndef TESSERA_CZLIB_SHIM_H
#define TESSERA_CZLIB_SHIM_H
#include <zlib.h>
#endif
