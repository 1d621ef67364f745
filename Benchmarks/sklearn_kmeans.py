#!/usr/bin/env python3
"""scikit-learn reference side of the k-means benchmark (driven by bench_kmeans.py).

One job per invocation, so that every job is its own process with its own
peak RSS (the harness runs it under /usr/bin/time -v). Each prints exactly one
JSON object on stdout.

    sklearn_kmeans.py prepare FILE.jsonl --out MATRIX.npz
        Vectorise FILE.jsonl exactly as sklearn_load.py does (json.loads per
        line -> MultiLabelBinarizer(sparse_output=True) -> TfidfTransformer(),
        which gives L2-normalised float64 rows), convert to float32 (Tessera
        clusters Float32 values; scikit-learn's k-means keeps float32 input
        as float32) and save the CSR matrix and the profile ids.

    sklearn_kmeans.py run MATRIX.npz|FILE.jsonl --job JOB [--k 40] [--seed 7]
                      [--assignments OUT.csv] [--iterations 6] [--batch-size 4096]
        JOB is one of
          init       sklearn.cluster.kmeans_plusplus(X, k, random_state=seed)
          iteration  one Lloyd iteration from those centres: KMeans(k,
                     init=centres, n_init=1, max_iter=1, algorithm="lloyd",
                     tol=0) fit time, and the marginal cost per iteration
                     (t(max_iter=m) - t(max_iter=1)) / (n_iter(m) - 1), which
                     leaves out the per-fit overhead (input validation and
                     copy, squared norms, the final labelling pass)
          lloyd      KMeans(k, n_init=1, random_state=seed, algorithm="lloyd")
          elkan      KMeans(k, n_init=1, random_state=seed, algorithm="elkan")
          minibatch  MiniBatchKMeans(k, batch_size=4096, n_init=1, random_state=seed)
        `seconds` covers only the scikit-learn call(s) above: loading the
        matrix (or vectorising, when given a .jsonl) is timed separately as
        `input_seconds`. After timing, for the fitting jobs: n_iter_,
        inertia_ and `inertia_f64` — the sum of squared distances of every
        row to its nearest final centre, recomputed in float64 on the full
        data (for MiniBatchKMeans this is the fair full-data inertia) — and,
        with --assignments, the labels as CSV `id,segment`.

    sklearn_kmeans.py score MATRIX.npz A.csv [B.csv ...]
        For each assignments CSV (id,segment): the inertia of those labels with
        each segment's mean as its centre, in float64 on this matrix. The same
        arithmetic for every tool, to compare labels independently of how each
        tool sums its own objective.
"""

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sklearn_load import load  # noqa: E402  (the reference vectoriser, unchanged)

JOBS = ("init", "iteration", "lloyd", "elkan", "minibatch")
CHUNK_ROWS = 65536  # rows per float64 chunk when recomputing inertia


def emit(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


def peak_rss_kb():
    """Peak RSS of this process so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def read_ids(path):
    """Profile ids in file order (the row order of sklearn_load.load)."""
    ids = []
    with open(path, "r", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                ids.append(str(json.loads(line).get("id", len(ids))))
    return ids


def vectorise(path):
    """sklearn_load.load, converted to float32; returns (X, ids, n_interests)."""
    matrix, binarizer = load(path)
    matrix = matrix.astype(np.float32)
    matrix.sort_indices()
    return matrix, read_ids(path), len(binarizer.classes_)


def load_input(path):
    """A prepared .npz (fast) or a .jsonl (vectorised here, untimed by callers)."""
    if str(path).endswith(".npz"):
        with np.load(path, allow_pickle=False) as data:
            X = sp.csr_matrix((data["data"], data["indices"], data["indptr"]),
                              shape=tuple(int(v) for v in data["shape"]))
            ids = [str(v) for v in data["ids"]]
        return X, ids
    X, ids, _ = vectorise(path)
    return X, ids


# --------------------------------------------------------------------------

def prepare(args):
    start = time.perf_counter()
    X, ids, interests = vectorise(args.path)
    seconds = time.perf_counter() - start
    source = os.stat(args.path)
    out = Path(args.out)
    partial = out.with_name(f".partial-{out.name}")
    with open(partial, "wb") as handle:  # np.savez would append .npz to a str name
        np.savez(handle, data=X.data, indices=X.indices, indptr=X.indptr,
                 shape=np.array(X.shape, dtype=np.int64), ids=np.array(ids),
                 source_bytes=np.int64(source.st_size), source_mtime_ns=np.int64(source.st_mtime_ns))
    partial.replace(out)
    emit({"profiles": int(X.shape[0]), "interests": int(interests), "nonzeros": int(X.nnz),
          "dtype": str(X.dtype), "seconds": seconds})


def nearest_inertia_f64(X, centres):
    """Sum over rows of the squared distance to the nearest centre, in float64."""
    C = np.asarray(centres, dtype=np.float64)
    c_norms = (C * C).sum(axis=1)
    total = 0.0
    for start in range(0, X.shape[0], CHUNK_ROWS):
        block = X[start:start + CHUNK_ROWS].astype(np.float64)
        x_norms = np.asarray(block.multiply(block).sum(axis=1)).ravel()
        d2 = x_norms[:, None] - 2.0 * np.asarray(block @ C.T) + c_norms[None, :]
        total += float(np.maximum(d2.min(axis=1), 0.0).sum())
    return total


def write_assignments(path, ids, labels):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "segment"])
        writer.writerows(zip(ids, (int(v) for v in labels)))


def run(args):
    from sklearn.cluster import KMeans, MiniBatchKMeans, kmeans_plusplus

    start = time.perf_counter()
    X, ids = load_input(args.path)
    input_seconds = time.perf_counter() - start
    report = {"job": args.job, "k": args.k, "seed": args.seed, "profiles": int(X.shape[0]),
              "interests": int(X.shape[1]), "nonzeros": int(X.nnz), "dtype": str(X.dtype),
              "input_seconds": input_seconds}

    if args.job == "init":
        start = time.perf_counter()
        centres, _ = kmeans_plusplus(X, args.k, random_state=args.seed)
        report["seconds"] = time.perf_counter() - start
        report["peak_rss_kb_after_timed"] = peak_rss_kb()
        emit(report)
        return

    if args.job == "iteration":
        # Same k-means++ centres as the init job (untimed here).
        centres, _ = kmeans_plusplus(X, args.k, random_state=args.seed)

        def fit(max_iter, rows=None):
            model = KMeans(args.k, init=centres, n_init=1, max_iter=max_iter,
                           algorithm="lloyd", tol=0.0)
            data = X if rows is None else X[:rows]
            begin = time.perf_counter()
            model.fit(data)
            return time.perf_counter() - begin, int(model.n_iter_)

        fit(1, rows=max(args.k, min(X.shape[0], 4096)))  # warm-up: thread pool, lazy imports
        one_seconds, one_iter = fit(1)
        many_seconds, many_iter = fit(args.iterations)
        report.update({
            "seconds": one_seconds,                      # KMeans(max_iter=1).fit
            "max_iter_1_n_iter": one_iter,
            "max_iter_m": args.iterations,
            "max_iter_m_seconds": many_seconds,
            "max_iter_m_n_iter": many_iter,
            "marginal_seconds": ((many_seconds - one_seconds) / (many_iter - one_iter)
                                 if many_iter > one_iter else None),
            "peak_rss_kb_after_timed": peak_rss_kb(),
        })
        emit(report)
        return

    if args.job in ("lloyd", "elkan"):
        model = KMeans(args.k, n_init=1, random_state=args.seed, algorithm=args.job)
    else:
        model = MiniBatchKMeans(args.k, batch_size=args.batch_size, n_init=1, random_state=args.seed)
    start = time.perf_counter()
    model.fit(X)
    report["seconds"] = time.perf_counter() - start
    report["peak_rss_kb_after_timed"] = peak_rss_kb()
    report["n_iter"] = int(model.n_iter_)
    if hasattr(model, "n_steps_"):
        report["n_steps"] = int(model.n_steps_)
    report["inertia"] = float(model.inertia_)
    report["inertia_f64"] = nearest_inertia_f64(X, model.cluster_centers_)
    report["empty_clusters"] = int(args.k - len(np.unique(model.labels_)))
    if args.assignments:
        write_assignments(args.assignments, ids, model.labels_)
    emit(report)


def score(args):
    X, ids = load_input(args.path)
    X = X.astype(np.float64)
    position = {profile: row for row, profile in enumerate(ids)}
    x_norms = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    results = []
    for path in args.assignments:
        rows, labels = [], []
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            for profile, segment in reader:
                rows.append(position[profile])
                labels.append(int(segment))
        rows, labels = np.asarray(rows), np.asarray(labels)
        k = int(labels.max()) + 1
        member = sp.csr_matrix((np.ones(len(rows)), (labels, rows)), shape=(k, X.shape[0]))
        counts = np.asarray(member.sum(axis=1)).ravel()
        centres = np.asarray((member @ X).todense()) / np.maximum(counts, 1)[:, None]
        # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, for each row's own segment;
        # x.c summed over the row's nonzeros, a chunk of rows at a time.
        dots = np.empty(len(rows))
        for begin in range(0, len(rows), CHUNK_ROWS):
            block = X[rows[begin:begin + CHUNK_ROWS]]
            block_labels = labels[begin:begin + CHUNK_ROWS]
            owner = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
            values = block.data * centres[block_labels[owner], block.indices]
            dots[begin:begin + block.shape[0]] = np.bincount(owner, weights=values,
                                                             minlength=block.shape[0])
        own = x_norms[rows] - 2.0 * dots + (centres * centres).sum(axis=1)[labels]
        results.append({"file": str(path), "rows": int(len(rows)), "segments": int((counts > 0).sum()),
                        "inertia_means_f64": float(np.maximum(own, 0.0).sum())})
    emit({"scores": results})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="vectorise a JSONL file into a float32 CSR .npz")
    p.add_argument("path")
    p.add_argument("--out", required=True)

    r = sub.add_parser("run", help="time one scikit-learn k-means job")
    r.add_argument("path", help="prepared .npz (or a .jsonl, vectorised in-process, untimed)")
    r.add_argument("--job", choices=JOBS, required=True)
    r.add_argument("--k", type=int, default=40)
    r.add_argument("--seed", type=int, default=7)
    r.add_argument("--iterations", type=int, default=6,
                   help="iteration job: max_iter of the second fit (default 6)")
    r.add_argument("--batch-size", type=int, default=4096)
    r.add_argument("--assignments", help="write labels as CSV id,segment (untimed)")

    s = sub.add_parser("score", help="float64 inertia of assignment files, segment means as centres")
    s.add_argument("path")
    s.add_argument("assignments", nargs="+")

    args = parser.parse_args(argv)
    {"prepare": prepare, "run": run, "score": score}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
