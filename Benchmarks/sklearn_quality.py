#!/usr/bin/env python3
"""scikit-learn side of the segment-quality benchmark (driven by bench_quality.py).

Every job reads the matrix Tessera segments — the profile cache written by `tessera load FILE
--cache` (tf-idf, L2 rows, Float32; read here section by section, no copy of the loader's logic) —
so both tools see the same rows, columns and values. One job per process; each prints one JSON
object on stdout. Times cover the scikit-learn calls only (reading the cache excluded; a small
warm-up fit on a slice first, untimed, loads the lazy imports and starts the thread pools).

    sklearn_quality.py fit CACHE --job raw|lsa|nmf --k K --seed S [--dimensions R] --out PREFIX
        raw  KMeans(k, n_init=1, random_state=S) on the tf-idf rows.
        lsa  TruncatedSVD(R, random_state=S) -> Normalizer() -> KMeans(k, n_init=1) and, on the
             same embedding, KMeans(k, n_init=10); `seconds` of each = SVD + normalise + its KMeans.
        nmf  NMF(k, init="nndsvda", solver="cd", random_state=S) (max_iter 200, tol 1e-4); a
             profile's segment is the plain argmax of its row of W.
        Labels are written as PREFIX-<job>.npy (int32, cache row order).

    sklearn_quality.py score SPEC.json
        Scores label files of every tool on one dataset the same way (see `score`): NMI / ARI
        against labels, largest-segment share, inertia in one common LSA space, segment pairs
        sharing their two heaviest interests, friendship co-assignment lift, and for planted data
        the oracle: KMeans started at the true segment means.
"""

import argparse
import csv
import gzip
import io
import json
import struct
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

WARM_UP_ROWS = 4096
SECTION = {"meta": 1, "rowStart": 2, "columns": 3, "values": 4, "interests": 5, "profileIds": 7}


def emit(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------
# Tessera's profile cache (Sources/ProfileLoading/ProfileCache.swift, versions 2 and 3)
# --------------------------------------------------------------------------

def read_cache(path):
    """(X as float32 CSR, profile ids, interest names) from a Tessera profile cache."""
    raw = Path(path).read_bytes()
    if raw[:8] != b"TESSERA\0":
        raise SystemExit(f"{path} is not a Tessera profile cache")
    version, count = struct.unpack_from("<II", raw, 8)
    if version not in (2, 3):  # version 3 only adds interest-hygiene keys to the meta JSON
        raise SystemExit(f"{path}: cache version {version}; this reader knows versions 2 and 3")
    sections = {}
    for s in range(count):
        kind, _, offset, length = struct.unpack_from("<IIQQ", raw, 64 + 24 * s)
        sections[kind] = (offset, length)

    def array(name, dtype):
        offset, length = sections[SECTION[name]]
        return np.frombuffer(raw, dtype=dtype, count=length // np.dtype(dtype).itemsize, offset=offset)

    def strings(name):
        offset, _ = sections[SECTION[name]]
        n = struct.unpack_from("<Q", raw, offset)[0]
        ends = np.frombuffer(raw, dtype="<u8", count=n + 1, offset=offset + 8)
        text = raw[offset + 8 + 8 * (n + 1): offset + 8 + 8 * (n + 1) + int(ends[-1])]
        return [text[ends[i]:ends[i + 1]].decode("utf-8") for i in range(n)]

    offset, length = sections[SECTION["meta"]]
    meta = json.loads(raw[offset:offset + length])
    shape = (int(meta["rowCount"]), int(meta["columnCount"]))
    X = sp.csr_matrix((array("values", "<f4").copy(), array("columns", "<i4").copy(),
                       array("rowStart", "<i8").copy()), shape=shape)
    return X, strings("profileIds"), strings("interests")


def threadpools():
    """Which BLAS / OpenMP libraries scikit-learn runs on (threadpoolctl), for the record."""
    try:
        from threadpoolctl import threadpool_info
        return [{k: info.get(k) for k in ("user_api", "internal_api", "num_threads", "architecture", "version")}
                for info in threadpool_info()]
    except Exception as error:  # pragma: no cover - informational only
        return [{"error": str(error)}]


# --------------------------------------------------------------------------
# Fits
# --------------------------------------------------------------------------

def fit(args):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import NMF, TruncatedSVD
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import Normalizer

    start = time.perf_counter()
    X, ids, _ = read_cache(args.cache)
    report = {"job": args.job, "k": args.k, "seed": args.seed, "profiles": int(X.shape[0]),
              "interests": int(X.shape[1]), "nonzeros": int(X.nnz),
              "input_seconds": time.perf_counter() - start, "threadpools": threadpools()}
    warm = X[:min(X.shape[0], max(WARM_UP_ROWS, 4 * args.k))]
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.job == "raw":
            KMeans(args.k, n_init=1, random_state=args.seed, max_iter=3).fit(warm)
            start = time.perf_counter()
            km = KMeans(args.k, n_init=1, random_state=args.seed).fit(X)
            report["seconds"] = time.perf_counter() - start
            report.update(n_iter=int(km.n_iter_), inertia=float(km.inertia_))
            out["raw"] = km.labels_
        elif args.job == "lsa":
            r = args.dimensions
            lsa_warm = Normalizer(copy=False).fit_transform(TruncatedSVD(r, random_state=args.seed).fit_transform(warm))
            KMeans(args.k, n_init=1, random_state=args.seed, max_iter=3).fit(lsa_warm)
            start = time.perf_counter()
            embedded = TruncatedSVD(r, random_state=args.seed).fit_transform(X)
            embedded = Normalizer(copy=False).fit_transform(embedded)
            svd_seconds = time.perf_counter() - start
            report["svd_seconds"] = svd_seconds
            report["dimensions"] = r
            for n_init in (1, 10):
                start = time.perf_counter()
                km = KMeans(args.k, n_init=n_init, random_state=args.seed).fit(embedded)
                seconds = time.perf_counter() - start
                report[f"n_init_{n_init}"] = {"seconds": svd_seconds + seconds, "kmeans_seconds": seconds,
                                              "n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}
                out[f"lsa{n_init}"] = km.labels_
        elif args.job == "nmf":
            NMF(args.k, init="nndsvda", solver="cd", random_state=args.seed, max_iter=5).fit_transform(warm)
            nmf = NMF(args.k, init="nndsvda", solver="cd", random_state=args.seed, max_iter=200)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                start = time.perf_counter()
                W = nmf.fit_transform(X)
                report["seconds"] = time.perf_counter() - start
            report.update(n_iter=int(nmf.n_iter_), reconstruction_err=float(nmf.reconstruction_err_),
                          converged=not any(issubclass(w.category, ConvergenceWarning) for w in caught))
            labels = np.asarray(W).argmax(axis=1)
            report["empty_segments"] = int(args.k - len(np.unique(labels)))
            out["nmf"] = labels
        else:
            raise SystemExit(f"unknown job {args.job}")
    report["files"] = {}
    for name, labels in out.items():
        path = f"{args.out}-{name}.npy"
        np.save(path, np.asarray(labels, dtype=np.int32))
        report["files"][name] = path
    emit(report)


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------

def open_text(path):
    return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8") if str(path).endswith(".gz") \
        else open(path, encoding="utf-8", newline="")


def read_labels_file(path, ids):
    """Row-order labels (int array, -1 = not assigned) from a .npy or an `id,segment` CSV."""
    if str(path).endswith(".npy"):
        labels = np.load(path).astype(np.int64)
        if labels.shape[0] != len(ids):
            raise SystemExit(f"{path}: {labels.shape[0]} labels for {len(ids)} rows")
        return labels
    row = {pid: i for i, pid in enumerate(ids)}
    labels = np.full(len(ids), -1, dtype=np.int64)
    with open_text(path) as handle:
        for record in csv.DictReader(handle):
            i = row.get(record["id"])
            if i is not None and record["segment"] != "":
                labels[i] = int(record["segment"])
    return labels


def read_truth(spec, ids):
    """(primary labels as ints, single-segment mask or None), -1 where a row has no label."""
    row = {pid: i for i, pid in enumerate(ids)}
    truth = np.full(len(ids), -1, dtype=np.int64)
    single = np.zeros(len(ids), dtype=bool) if spec.get("secondary_column") else None
    names = {}
    with open_text(spec["path"]) as handle:
        for record in csv.DictReader(handle):
            i = row.get(record["id"])
            if i is None:
                continue
            value = record[spec["column"]]
            truth[i] = names.setdefault(value, len(names))
            if single is not None:
                single[i] = int(record[spec["secondary_column"]]) < 0
    return truth, single


def read_edges(spec, ids):
    """Friendship edges as two row-index arrays (both ends among the rows)."""
    row = {pid: i for i, pid in enumerate(ids)}
    prefix = spec.get("id_prefix", "")
    a, b = [], []
    with open_text(spec["path"]) as handle:
        reader = csv.reader(handle, delimiter=spec.get("delimiter", ","))
        next(reader)  # header
        for fields in reader:
            i, j = row.get(prefix + fields[0]), row.get(prefix + fields[1])
            if i is not None and j is not None and i != j:
                a.append(i)
                b.append(j)
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)


def segment_means(Z, labels, k):
    """k×r means of the rows of dense Z per label (labels ≥ 0), and the counts."""
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, Z.shape[0]))
    sums = onehot @ Z
    return sums / np.maximum(counts, 1)[:, None], counts


def model_projection(path):
    """The d×r latent projection stored in a Tessera model file (SegmentModel.swift, version 3)."""
    raw = Path(path).read_bytes()
    if raw[:8] != b"TSMODEL\0":
        raise SystemExit(f"{path} is not a Tessera model")
    version, k = struct.unpack_from("<II", raw, 8)
    d, json_length = struct.unpack_from("<QQ", raw, 16)
    if version != 3:
        raise SystemExit(f"{path}: model version {version}; this reader knows version 3")
    offset = 32 + json_length
    offset += (-offset) % 4
    offset += 4 * k * d
    (r,) = struct.unpack_from("<Q", raw, offset)
    if r == 0:
        raise SystemExit(f"{path}: the model has no latent space")
    return np.frombuffer(raw, dtype="<f4", count=d * r, offset=offset + 8).reshape(d, r)


def common_inertia(Z, labels):
    """Sum of squared distances of each row to its segment's mean, float64."""
    k = int(labels.max()) + 1
    means, _ = segment_means(Z, labels, k)
    diff = Z - means[labels]
    return float(np.einsum("ij,ij->", diff, diff))


def heavy_pairs(X, labels, k):
    """Segment pairs whose two heaviest interests (largest mean tf-idf weight) are the same set."""
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, X.shape[0]))
    sums = (onehot @ X).toarray()
    keys = {}
    for c in range(k):
        if sums[c].any():
            top = np.argsort(-sums[c], kind="stable")[:2]
            keys.setdefault(frozenset(int(t) for t in top), []).append(c)
    return sum(len(v) * (len(v) - 1) // 2 for v in keys.values())


def score(args):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.preprocessing import Normalizer

    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    X, ids, _ = read_cache(spec["cache"])
    X64 = X.astype(np.float64)
    k = int(spec["k"])
    start = time.perf_counter()
    # The common space: scikit-learn's LSA of the same matrix, one fixed seed for every tool.
    Z = Normalizer(copy=False).fit_transform(
        TruncatedSVD(int(spec["dimensions"]), random_state=int(spec.get("space_seed", 0))).fit_transform(X64))
    result = {"space_seconds": time.perf_counter() - start, "dimensions": int(spec["dimensions"]),
              "rows": int(X.shape[0]), "entries": {}}
    truth = single = None
    if spec.get("truth"):
        truth, single = read_truth(spec["truth"], ids)
        result["labelled_rows"] = int((truth >= 0).sum())
        if single is not None:
            result["single_rows"] = int(single.sum())
    edges = read_edges(spec["friends"], ids) if spec.get("friends") else None
    if edges is not None:
        result["edges"] = int(len(edges[0]))

    def metrics(labels):
        m = {}
        assigned = labels >= 0
        m["assigned_rows"] = int(assigned.sum())
        sizes = np.bincount(labels[assigned], minlength=k)
        shares = sizes / max(1, assigned.sum())
        m["largest_share"] = float(shares.max())
        m["empty_segments"] = int((sizes == 0).sum())
        if assigned.all():
            m["inertia_common"] = common_inertia(Z, labels)
            m["heavy_pairs"] = heavy_pairs(X64, labels, max(k, int(labels.max()) + 1))
        if truth is not None:
            both = assigned & (truth >= 0)
            m["nmi"] = float(normalized_mutual_info_score(truth[both], labels[both]))
            m["ari"] = float(adjusted_rand_score(truth[both], labels[both]))
            if single is not None:
                s = both & single
                m["nmi_single"] = float(normalized_mutual_info_score(truth[s], labels[s]))
                m["ari_single"] = float(adjusted_rand_score(truth[s], labels[s]))
        if edges is not None:
            a, b = edges
            ok = (labels[a] >= 0) & (labels[b] >= 0)
            same = float((labels[a][ok] == labels[b][ok]).mean()) if ok.any() else None
            chance = float(np.square(shares).sum())
            m["friends_same"] = same
            m["friends_chance"] = chance
            m["friends_lift"] = same / chance if same is not None and chance > 0 else None
        return m

    for entry in spec["entries"]:
        labels = read_labels_file(entry["path"], ids)
        result["entries"][entry["name"]] = m = metrics(labels)
        if entry.get("model") and (labels >= 0).all():
            # The space the fit optimised: the profiles through the model's latent projection, unit
            # rows (as Tessera embeds them), with KMeans(n_init=10) of the same seed run there.
            Zt = np.asarray(X @ model_projection(entry["model"]), dtype=np.float64)
            Zt /= np.maximum(np.linalg.norm(Zt, axis=1), 1e-300)[:, None]
            reference = KMeans(k, n_init=10, random_state=int(entry["seed"])).fit(Zt)
            m["inertia_own"] = common_inertia(Zt, labels)
            m["inertia_own_kmeans10"] = common_inertia(Zt, reference.labels_.astype(np.int64))
    if spec.get("oracle") and truth is not None:
        # KMeans started at the true segment means (raw tf-idf rows, as the tools' input): the best a
        # single-membership method can do against the primary segment when some profiles are mixed.
        start = time.perf_counter()
        labelled = truth >= 0
        true_k = int(truth.max()) + 1
        onehot = sp.csr_matrix((np.ones(int(labelled.sum())), (truth[labelled], np.flatnonzero(labelled))),
                               shape=(true_k, X.shape[0]))
        counts = np.asarray(onehot.sum(axis=1)).ravel()
        means = np.asarray((onehot @ X64).todense()) / np.maximum(counts, 1)[:, None]
        km = KMeans(true_k, init=means.astype(np.float32), n_init=1).fit(X)
        oracle = metrics(km.labels_.astype(np.int64))
        oracle["n_iter"] = int(km.n_iter_)
        oracle["seconds"] = time.perf_counter() - start
        result["oracle"] = oracle
    emit(result)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    f = commands.add_parser("fit")
    f.add_argument("cache")
    f.add_argument("--job", choices=("raw", "lsa", "nmf"), required=True)
    f.add_argument("--k", type=int, required=True)
    f.add_argument("--seed", type=int, required=True)
    f.add_argument("--dimensions", type=int, default=48)
    f.add_argument("--out", required=True, help="prefix of the label files")
    s = commands.add_parser("score")
    s.add_argument("spec")
    args = parser.parse_args(argv)
    fit(args) if args.command == "fit" else score(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
