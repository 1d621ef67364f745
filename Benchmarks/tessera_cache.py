#!/usr/bin/env python3
"""Read the matrix out of a Tessera profile cache (`tessera load FILE --cache C`).

With it, scikit-learn factorises exactly the matrix Tessera factorises (the
same normalisation, pruning and weighting, bit for bit), instead of a
re-vectorisation that could differ in details (weighted interests, case
folding, pruning).

    tessera_cache.py CACHE --out MATRIX.npz
        Writes the float32 CSR matrix and the profile ids in the .npz layout of
        `sklearn_kmeans.py prepare`, which sklearn_nmf.py and sklearn_kmeans.py
        read. Prints {"profiles", "interests", "nonzeros"} as JSON.

Layout (ProfileCache.swift, versions 2 and 3, little-endian; version 3 only adds
interest-hygiene keys to the meta JSON): a 64-byte header
(`TESSERA\\0`, version UInt32, section count UInt32, payload length UInt64,
CRC-32), a table of (kind UInt32, reserved 4 bytes, offset UInt64, length
UInt64), then the sections: 1 meta (JSON with rowCount, columnCount), 2 row
starts (Int64), 3 columns (Int32), 4 values (Float32), 7 profile ids (string
table: count UInt64, count + 1 offsets UInt64, UTF-8 text).
"""

import argparse
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

MAGIC = b"TESSERA\0"
VERSIONS = (2, 3)
HEADER, ENTRY = 64, 24
META, ROW_START, COLUMNS, VALUES, PROFILE_IDS = 1, 2, 3, 4, 7


def _sections(raw, path):
    if raw[:8] != MAGIC:
        raise SystemExit(f"{path} is not a Tessera profile cache")
    version, count = struct.unpack_from("<II", raw, 8)
    if version not in VERSIONS:
        raise SystemExit(f"{path} has cache version {version}; this reader knows versions {VERSIONS}")
    expected = struct.unpack_from("<I", raw, 24)[0]
    actual = zlib.crc32(raw[:24] + b"\0\0\0\0" + raw[28:]) & 0xFFFFFFFF
    if actual != expected:
        raise SystemExit(f"{path} fails its checksum")
    found = {}
    for s in range(count):
        kind, _, offset, length = struct.unpack_from("<IIQQ", raw, HEADER + s * ENTRY)
        found[kind] = raw[offset:offset + length]
    return found


def _strings(section):
    n = struct.unpack_from("<Q", section, 0)[0]
    offsets = np.frombuffer(section, dtype="<u8", count=n + 1, offset=8)
    text = section[8 + 8 * (n + 1):]
    return [text[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]


def read(path):
    """(X as float32 CSR, profile ids) of the cache at `path`."""
    raw = Path(path).read_bytes()
    found = _sections(raw, path)
    meta = json.loads(found[META])
    indptr = np.frombuffer(found[ROW_START], dtype="<i8")
    indices = np.frombuffer(found[COLUMNS], dtype="<i4")
    data = np.frombuffer(found[VALUES], dtype="<f4")
    X = sp.csr_matrix((data.astype(np.float32), indices.astype(np.int32), indptr.astype(np.int64)),
                      shape=(int(meta["rowCount"]), int(meta["columnCount"])))
    X.sort_indices()
    return X, _strings(found[PROFILE_IDS])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", help="a Tessera profile cache")
    parser.add_argument("--out", required=True, help="the .npz to write")
    args = parser.parse_args(argv)
    X, ids = read(args.cache)
    out = Path(args.out)
    partial = out.with_name(f".partial-{out.name}")
    with open(partial, "wb") as handle:
        np.savez(handle, data=X.data, indices=X.indices, indptr=X.indptr,
                 shape=np.array(X.shape, dtype=np.int64), ids=np.array(ids))
    partial.replace(out)
    json.dump({"profiles": int(X.shape[0]), "interests": int(X.shape[1]), "nonzeros": int(X.nnz)},
              sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
