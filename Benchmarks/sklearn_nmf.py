#!/usr/bin/env python3
"""scikit-learn reference side of the NMF benchmark (driven by bench_nmf.py).

One fit per invocation, so that every fit is its own process with its own
peak RSS (the harness runs it under /usr/bin/time -v). Prints exactly one
JSON object on stdout.

    sklearn_nmf.py MATRIX.npz|FILE.jsonl|CACHE --job nmf-cd|nmf-mu [--k 40] [--seed 7]
                   [--max-iter 200] [--tol 1e-4] [--trace]
                   [--assignments OUT.csv] [--assignments-raw OUT.csv]

MATRIX.npz is the float32 CSR tf-idf matrix that `sklearn_kmeans.py prepare`
writes (the vectoriser of sklearn_load.py, converted to float32; NMF keeps
float32 input in float32). A Tessera profile cache (any other file name) is
read with tessera_cache.py: then scikit-learn factorises exactly Tessera's
matrix.

In one process, after loading the matrix (`input_seconds`, untimed) and a
small warm-up fit on the first rows (thread pools, lazy imports):
  1. `init_seconds`: sklearn.decomposition._nmf._initialize_nmf(X, k,
     init="nndsvda", random_state=seed) on its own — the NNDSVDa start,
     including its randomized truncated SVD.
  2. `seconds`: NMF(n_components=k, init="nndsvda", solver=cd|mu,
     random_state=seed, max_iter=200).fit_transform(X) — the whole fit,
     which runs the same initialisation again, then the iterations, then
     `reconstruction_err_`.
  3. `iteration_seconds` = (seconds - init_seconds) / n_iter_.
With --trace (cd only), step 2 is replaced by the loop of scikit-learn's
`_fit_coordinate_descent` written out with the same calls (the NNDSVDa start
of `_initialize_nmf`, then per iteration `_update_coordinate_descent` on W
and on Hᵀ, the violation rule with `--tol`), timing the updates only and
measuring ‖X − WH‖_F after every iteration untimed: `history` lists
(iteration, seconds since the start of the init, error), so the time to reach
any error can be read off. `seconds` is then init + the updates.
Untimed afterwards: n_iter_, reconstruction_err_ (= ||X - WH||_F), and the
labels: argmax of W (`--assignments-raw`) and argmax of W with column j
scaled by ||H_j|| — i.e. H's rows scaled to unit length, Tessera's definition
of a profile's segment (`--assignments`), both as CSV id,segment.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sklearn_kmeans import emit, load_input, peak_rss_kb, write_assignments  # noqa: E402
import tessera_cache  # noqa: E402

JOBS = {"nmf-cd": "cd", "nmf-mu": "mu"}
INIT = "nndsvda"
WARM_UP_ROWS = 4096


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="prepared .npz (or a .jsonl, vectorised in-process, untimed)")
    parser.add_argument("--job", choices=sorted(JOBS), required=True)
    parser.add_argument("--k", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--tol", type=float, default=1e-4, help="scikit-learn's tol (default 1e-4, its default)")
    parser.add_argument("--trace", action="store_true",
                        help="cd only: the fit loop written out, with the error after every iteration")
    parser.add_argument("--assignments", help="argmax of W·diag(‖H_j‖) as CSV id,segment (untimed)")
    parser.add_argument("--assignments-raw", help="argmax of W as CSV id,segment (untimed)")
    args = parser.parse_args(argv)

    from sklearn.decomposition import NMF
    from sklearn.decomposition._nmf import _initialize_nmf
    from sklearn.exceptions import ConvergenceWarning

    solver = JOBS[args.job]
    start = time.perf_counter()
    path = str(args.path)
    X, ids = load_input(path) if path.endswith((".npz", ".jsonl")) else tessera_cache.read(path)
    input_seconds = time.perf_counter() - start
    report = {"job": args.job, "solver": solver, "init": INIT, "k": args.k, "seed": args.seed,
              "max_iter": args.max_iter, "tol": args.tol, "trace": args.trace, "profiles": int(X.shape[0]), "interests": int(X.shape[1]),
              "nonzeros": int(X.nnz), "dtype": str(X.dtype), "input_seconds": input_seconds}

    def model():
        return NMF(n_components=args.k, init=INIT, solver=solver, random_state=args.seed,
                   max_iter=args.max_iter, tol=args.tol)

    # Warm-up on a slice (not timed): BLAS thread pool, lazy imports of the SVD code.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm = model()
        warm.max_iter = 5
        warm.fit_transform(X[:min(X.shape[0], max(WARM_UP_ROWS, args.k))])

    start = time.perf_counter()
    _initialize_nmf(X, args.k, init=INIT, random_state=args.seed)
    report["init_seconds"] = time.perf_counter() - start

    if args.trace:
        if solver != "cd":
            parser.error("--trace is for --job nmf-cd")
        W, nmf, report["history"] = traced_cd(X, args)
        report["seconds"] = report["history"][-1][1]
        report["converged"] = nmf.stopped_by_rule
    else:
        nmf = model()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            W = nmf.fit_transform(X)
            report["seconds"] = time.perf_counter() - start
        report["converged"] = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    report["peak_rss_kb_after_timed"] = peak_rss_kb()
    report["n_iter"] = int(nmf.n_iter_)
    report["iteration_seconds"] = ((report["seconds"] - report["init_seconds"]) / nmf.n_iter_
                                   if nmf.n_iter_ else None)
    report["reconstruction_err"] = float(nmf.reconstruction_err_)
    report["x_frobenius"] = float(np.sqrt(np.square(X.data, dtype=np.float64).sum()))

    H = nmf.components_
    h_norms = np.linalg.norm(H.astype(np.float64), axis=1)
    raw = np.asarray(W).argmax(axis=1)
    scaled = (np.asarray(W, dtype=np.float64) * h_norms[None, :]).argmax(axis=1)
    report["empty_components_raw"] = int(args.k - len(np.unique(raw)))
    report["empty_components_scaled"] = int(args.k - len(np.unique(scaled)))
    report["zero_rows_w"] = int((np.asarray(W).max(axis=1) <= 0).sum())
    if args.assignments:
        write_assignments(args.assignments, ids, scaled)
    if args.assignments_raw:
        write_assignments(args.assignments_raw, ids, raw)
    emit(report)
    return 0


class TracedFit:
    """What `traced_cd` found, under the attribute names of a fitted NMF."""

    def __init__(self, H, n_iter, error, stopped_by_rule):
        self.components_, self.n_iter_ = H, n_iter
        self.reconstruction_err_, self.stopped_by_rule = error, stopped_by_rule


def traced_cd(X, args):
    """scikit-learn's cd fit (NMF.fit_transform with solver="cd", Frobenius loss, no penalties)
    written out with its own functions, timing the init and the updates and measuring the error
    after every iteration untimed. Returns (W, TracedFit, history)."""
    from sklearn.decomposition._nmf import _beta_divergence, _initialize_nmf, _update_coordinate_descent
    from sklearn.utils import check_random_state

    rng = check_random_state(args.seed)
    start = time.perf_counter()
    W, H = _initialize_nmf(X, args.k, init=INIT, random_state=args.seed)
    W, Ht = np.ascontiguousarray(W), np.ascontiguousarray(H.T)
    elapsed = time.perf_counter() - start
    history = [(0, elapsed, float(_beta_divergence(X, W, Ht.T, 2, square_root=True)))]
    violation_init, stopped, n_iter = None, False, 0
    for n_iter in range(1, args.max_iter + 1):
        start = time.perf_counter()
        violation = _update_coordinate_descent(X, W, Ht, 0.0, 0.0, False, rng)
        violation += _update_coordinate_descent(X.T, Ht, W, 0.0, 0.0, False, rng)
        if n_iter == 1:
            violation_init = violation
        done = violation_init == 0 or violation / violation_init <= args.tol
        elapsed += time.perf_counter() - start
        history.append((n_iter, elapsed, float(_beta_divergence(X, W, Ht.T, 2, square_root=True))))
        if done:
            stopped = True
            break
    return W, TracedFit(Ht.T, n_iter, history[-1][2], stopped), history


if __name__ == "__main__":
    sys.exit(main())
