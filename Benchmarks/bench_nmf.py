#!/usr/bin/env python3
"""Benchmark Tessera's NMF against scikit-learn on the same matrix, same run.

    python3 bench_nmf.py [--tessera BIN] [--profiles 300000] [--repeats 3] [--seed 7]
                         [--sklearn cd,mu] [--tessera-solvers hals,mu] [--mu-limit 120]
    python3 bench_nmf.py --render runs/nmf-300000-<stamp>.json
                         (rewrite the RESULTS.md section from a raw file)

What is timed (k = 40, NNDSVDa start, same seed number on both sides)
  * Tessera: `tessera segment CACHE --method nmf --k 40 --seed S --assignments
    --json --quiet` (HALS, the default) and the same with `--solver mu`.
    From run.json: `timings.init` (NNDSVDa including the randomized truncated
    SVD), `timings.fit` (includes init), `iterations`, `objective`
    (= ||X - WH||_F) and `history` (an entry at every convergence check).
  * scikit-learn (sklearn_nmf.py, one process per fit): `_initialize_nmf(X,
    40, init="nndsvda", random_state=S)` timed on its own, then the whole
    `NMF(40, init="nndsvda", solver="cd"|"mu", random_state=S,
    max_iter=200).fit_transform(X)`; `n_iter_`, `reconstruction_err_`.
  * One iteration = (fit - init) / iterations, on both sides.
  * Quality: reconstruction error, and NMI / ARI of each profile's segment
    against the planted labels. A profile's segment is the argmax of its row
    of W after H's rows are scaled to unit length (Tessera's definition; for
    scikit-learn argmax_j W_ij·||H_j||). scikit-learn's plain argmax of W is
    shown too. Peak RSS of every process (/usr/bin/time -v).

Method: as bench_kmeans.py (whose helpers this reuses) — data from `tessera
generate` with the planted labels; Tessera reads the binary cache written by
`tessera load FILE --cache` this run, scikit-learn the float32 tf-idf .npz of
`sklearn_kmeans.py prepare`; both must agree on profiles / interests /
nonzeros. Each repeat runs all jobs back to back, reversed on odd repeats;
medians over repeats; ratio = scikit-learn / Tessera for times and RSS. If the
first scikit-learn mu fit takes longer than --mu-limit seconds (default 120),
mu runs in the first repeat only. Above 300,000 profiles, Tessera's HALS fit
also runs on the 300,000-profile data in the same sequence (linear-scaling bar).

Outputs
  * runs/nmf-<profiles>-<UTC timestamp>.json   every raw measurement
  * RESULTS.md   the section between `<!-- nmf-<profiles>:begin -->` and
                 `<!-- nmf-<profiles>:end -->` is replaced (or appended).
"""

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_kmeans as km  # noqa: E402  (data, caches, matrices, measurement, formatting)
import bench_load  # noqa: E402  (machine line, RESULTS.md writer)
from bench_kmeans import fmt_mb, fmt_ms, fmt_q, fmt_s, fmt_x, med, ratio, spread  # noqa: E402
from bench_load import MB, RUNS_DIR, SEGMENTS, log  # noqa: E402

SKLEARN_SCRIPT = HERE / "sklearn_nmf.py"
K = 40
MAX_ITER = 200
SKLEARN_JOBS = ("cd", "mu")
TESSERA_SOLVERS = ("hals", "mu")
PAIRS = (("hals", "cd"), ("mu", "mu"))  # (Tessera solver, scikit-learn solver) compared

# The bar (docs/performance.md), set for 300,000 profiles, k = 40.
BAR_PROFILES = 300_000
BAR = {"fit_seconds": 5.0, "fit_ratio_cd": 10.0, "error_factor": 1.01}
SCALING_LIMIT = 3.5


def die(message):
    log(f"bench_nmf: error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def per_iteration_from_history(history):
    """Median over history blocks of (block seconds / iterations in the block)."""
    values, previous = [], None
    for entry in history:
        if previous is not None and entry["iteration"] > previous:
            values.append(entry["seconds"] / (entry["iteration"] - previous))
        previous = entry["iteration"]
    return statistics.median(values) if values else None


def tessera_job(tessera, cache, solver, seed, out_dir, truth):
    argv = [tessera, "segment", cache, "--method", "nmf", "--k", K, "--seed", seed,
            "--out", out_dir, "--assignments", "--json", "--quiet"]
    if solver != "hals":
        argv += ["--solver", solver]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    wall, rss, _ = km.measure(f"tessera segment --method nmf ({solver})", argv)
    cpu = dict(km.LAST_CPU)
    run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    timings, iterations = run["timings"], int(run["iterations"])
    history = run.get("history") or []
    result = {
        "wall_seconds": wall, "peak_rss_kb": rss,
        "timings": timings, "init": timings["init"], "fit": timings["fit"],
        "iterations": iterations, "converged": bool(run.get("converged")),
        "error": float(run["objective"]),
        "iteration_seconds": (timings["fit"] - timings["init"]) / iterations if iterations else None,
        "iteration_history_median": per_iteration_from_history(history),
        "history": history, "parameters": run.get("parameters"), "counts": run.get("counts"),
        **cpu,
    }
    if truth is not None:
        result.update(km.agreement(truth, out_dir / "assignments.csv"))
    return result


def sklearn_job(matrix, solver, seed, out_dir, truth):
    out_dir.mkdir(parents=True, exist_ok=True)
    scaled, raw = out_dir / "assignments.csv", out_dir / "assignments-raw.csv"
    argv = [sys.executable, SKLEARN_SCRIPT, matrix, "--job", f"nmf-{solver}", "--k", K,
            "--seed", seed, "--max-iter", MAX_ITER, "--assignments", scaled, "--assignments-raw", raw]
    wall, rss, report = km.measure(f"scikit-learn NMF {solver}", argv)
    result = {"wall_seconds": wall, "peak_rss_kb": rss, **report, **km.LAST_CPU,
              "init": report["init_seconds"], "fit": report["seconds"], "iterations": report["n_iter"],
              "error": report["reconstruction_err"]}
    result.update(km.agreement(truth, scaled))
    plain = km.agreement(truth, raw)
    result.update({"nmi_raw": plain["nmi"], "ari_raw": plain["ari"]})
    return result


def sequence(tessera_solvers, sklearn_jobs, baseline):
    order = []
    for mine, theirs in PAIRS:
        if mine in tessera_solvers:
            order.append(("tessera", mine))
        if mine == "hals" and baseline:
            order.append(("baseline", "hals"))
        if theirs in sklearn_jobs:
            order.append(("sklearn", theirs))
    return order


def describe_run(tool, job, r):
    text = (f"{tool:8s} {job:4s} wall {r['wall_seconds']:7.2f} s  RSS {km.mb(r['peak_rss_kb']):6.0f} MB"
            f"  init {r['init']:.3f}  fit {r['fit']:.3f}  iter {r['iterations']}"
            f"  per-iter {1000 * r['iteration_seconds']:.1f} ms  error {r['error']:.4f}")
    if "nmi" in r:
        text += f"  NMI {r['nmi']:.4f}  ARI {r['ari']:.4f}"
    if "nmi_raw" in r:
        text += f"  (argmax W: NMI {r['nmi_raw']:.4f})"
    return text + km.describe_cpu(r)


def run_repeats(args, tessera, cache, matrix, truth, baseline_cache, scratch):
    runs, skipped_mu = [], None
    jobs = list(args.sklearn_jobs)
    for rep in range(args.repeats):
        order = sequence(args.tessera_solvers, jobs, baseline_cache is not None)
        if rep % 2 == 1:
            order.reverse()
        for tool, job in order:
            out_dir = scratch / f"{tool}-{job}"
            load_before = km.loadavg()
            if tool == "tessera":
                result = tessera_job(tessera, cache, job, args.seed, out_dir, truth)
            elif tool == "baseline":
                result = tessera_job(tessera, baseline_cache, job, args.seed, out_dir, None)
            else:
                result = sklearn_job(matrix, job, args.seed, out_dir, truth)
            result.update({"tool": tool, "job": job, "repeat": rep, "loadavg_1min_before": load_before})
            runs.append(result)
            log(f"repeat {rep + 1}/{args.repeats} " + describe_run(tool, job, result))
            if (tool, job) == ("sklearn", "mu") and rep == 0 and args.repeats > 1 \
                    and result["fit"] > args.mu_limit:
                jobs.remove("mu")
                skipped_mu = (f"scikit-learn mu ran in the first repeat only: its fit took "
                              f"{result['fit']:.1f} s (> {args.mu_limit:g} s)")
                log(skipped_mu)
    return runs, skipped_mu


# --------------------------------------------------------------------------
# Summary and bar
# --------------------------------------------------------------------------

FIELDS = ("wall_seconds", "peak_rss_kb", "init", "fit", "iterations", "iteration_seconds",
          "iteration_history_median", "error", "nmi", "ari", "nmi_raw", "ari_raw", "x_frobenius")


def summarise(runs):
    def pick(tool, job):
        return [run for run in runs if run["tool"] == tool and run["job"] == job]

    summary = {}
    for tool, job in sorted({(run["tool"], run["job"]) for run in runs}):
        mine = pick(tool, job)
        entry = {"runs": len(mine)}
        for key in FIELDS:
            entry[key] = spread([m.get(key) for m in mine])
        entry["converged"] = [bool(m.get("converged")) for m in mine]
        entry["identical_across_repeats"] = all(
            len({m.get(key) for m in mine}) <= 1 for key in ("error", "iterations", "nmi"))
        summary[f"{tool}/{job}"] = entry
    paired = {}
    for mine, theirs in PAIRS:
        for field in ("init", "iteration_seconds", "fit"):
            ratios = []
            for m in pick("tessera", mine):
                t = [s for s in pick("sklearn", theirs) if s["repeat"] == m["repeat"]]
                if t and m.get(field) and t[0].get(field) is not None:
                    ratios.append(t[0][field] / m[field])
            if ratios:
                paired[f"{mine}/{theirs}/{field}"] = spread(ratios)
    summary["paired_ratio"] = paired
    summary["loadavg_1min"] = spread([run.get("loadavg_1min_before") for run in runs])
    return summary


def judge(summary, profiles, baseline_profiles):
    checks = []
    paired = summary.get("paired_ratio", {})

    def check(name, value, ok, text):
        checks.append({"name": name, "value": value, "met": None if value is None else bool(ok),
                       "text": text})

    fit_t, fit_s = med(summary, "tessera/hals", "fit"), med(summary, "sklearn/cd", "fit")
    r_fit = ratio(fit_s, fit_t)
    err_t, err_s = med(summary, "tessera/hals", "error"), med(summary, "sklearn/cd", "error")
    factor = ratio(err_t, err_s)
    within = paired.get("hals/cd/fit")
    check("NMF full fit ≤ 5 s", fit_t, fit_t is not None and fit_t <= BAR["fit_seconds"], fmt_s(fit_t))
    check("full fit ≥ 10× scikit-learn cd", r_fit, r_fit is not None and r_fit >= BAR["fit_ratio_cd"],
          fmt_x(r_fit) + (f" (within repeats {fmt_x(within['min'])}–{fmt_x(within['max'])})"
                          if within and within["n"] > 1 else ""))
    check("reconstruction error ≤ 1.01 × scikit-learn cd's", factor,
          factor is not None and factor <= BAR["error_factor"],
          "n/a" if factor is None else f"{err_t:,.4f} vs {err_s:,.4f} (× {factor:.5f})")
    scaling = []
    if baseline_profiles:
        for label, field in (("NNDSVDa init", "init"), ("one HALS iteration", "iteration_seconds"),
                             ("full fit (HALS)", "fit")):
            big, small = med(summary, "tessera/hals", field), med(summary, "baseline/hals", field)
            f = ratio(big, small)
            scaling.append({"step": label, "seconds": big, "baseline_seconds": small, "factor": f,
                            "met": None if f is None else f <= SCALING_LIMIT})
    judged = [c for c in checks if c["met"] is not None]
    return {"checks": checks, "scaling": scaling, "at_bar_size": profiles == BAR_PROFILES,
            "met": bool(judged) and len(judged) == len(checks) and all(c["met"] for c in judged),
            "scaling_met": bool(scaling) and all(s["met"] for s in scaling)}


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def fmt_err(value):
    return "–" if value is None else f"{value:,.4f}"


def fmt_count(value):
    return "–" if value is None else f"{value:.0f}"


def render_table(summary):
    S = summary
    present = [(mine, theirs) for mine, theirs in PAIRS
               if f"tessera/{mine}" in S or f"sklearn/{theirs}" in S]
    header = "| step |" + "".join(f" Tessera {mine.upper()} | scikit-learn {theirs} | ratio ⁰ |"
                                  for mine, theirs in present)
    align = "|---|" + "---:|---:|---:|" * len(present)
    rows = []

    def row(step, cells):
        rows.append(f"| {step} |" + "".join(f" {a} | {b} | {c} |" for a, b, c in cells))

    def cells(field, fmt, compare):
        out = []
        for mine, theirs in present:
            a, b = med(S, f"tessera/{mine}", field), med(S, f"sklearn/{theirs}", field)
            out.append((fmt(a), fmt(b), compare(a, b)))
        return out

    speed = lambda a, b: fmt_x(ratio(b, a))  # noqa: E731
    none = lambda a, b: "–"  # noqa: E731

    def err_factor(a, b):
        f = ratio(a, b)
        return "–" if f is None else f"× {f:.5f}"

    def delta(a, b):
        return "–" if a is None or b is None else f"{a - b:+.4f}"

    def relative():
        """‖X − WH‖_F / ‖X‖_F; ‖X‖_F from the scikit-learn worker (the same matrix for both)."""
        x = med(S, "sklearn/cd", "x_frobenius") or med(S, "sklearn/mu", "x_frobenius")
        out = []
        for mine, theirs in present:
            values = [med(S, key, "error") for key in (f"tessera/{mine}", f"sklearn/{theirs}")]
            out.append(tuple("–" if v is None or not x else f"{v / x:.5f}" for v in values) + ("–",))
        return out

    row("NNDSVDa init (incl. randomized SVD) ¹", cells("init", fmt_s, speed))
    row("one iteration, (fit − init) / iterations ²", cells("iteration_seconds", fmt_ms, speed))
    hist = []
    for mine, theirs in present:
        hist.append((fmt_ms(med(S, f"tessera/{mine}", "iteration_history_median")), "–", "–"))
    row("one iteration, Tessera history (median over check intervals) ³", hist)
    row("full fit ⁴", cells("fit", fmt_s, speed))
    conv = []
    for mine, theirs in present:
        def text(key):
            entry = S.get(key)
            if not entry:
                return "–"
            n = med(S, key, "iterations")
            flag = "" if all(entry["converged"]) else " (max_iter hit)" if not any(entry["converged"]) \
                else " (some hit max_iter)"
            return f"{n:.0f}{flag}"
        conv.append((text(f"tessera/{mine}"), text(f"sklearn/{theirs}"), "–"))
    row("iterations ⁵", conv)
    row("reconstruction error ‖X − WH‖_F ⁶", cells("error", fmt_err, err_factor))
    row("relative error ‖X − WH‖_F / ‖X‖_F", relative())
    row("NMI vs planted, argmax of W·diag(‖H_j‖) ⁷", cells("nmi", fmt_q, delta))
    row("ARI vs planted, argmax of W·diag(‖H_j‖) ⁷", cells("ari", fmt_q, delta))
    raw = []
    for mine, theirs in present:
        raw.append(("–", fmt_q(med(S, f"sklearn/{theirs}", "nmi_raw")), "–"))
    row("NMI vs planted, plain argmax of W ⁷", raw)
    raw = []
    for mine, theirs in present:
        raw.append(("–", fmt_q(med(S, f"sklearn/{theirs}", "ari_raw")), "–"))
    row("ARI vs planted, plain argmax of W ⁷", raw)
    row("peak RSS ⁸", cells("peak_rss_kb", fmt_mb, speed))
    return "\n".join([header, align, *rows])


ROW_NOTES = [
    "⁰ Times and RSS: scikit-learn ÷ Tessera (higher = Tessera faster/smaller). Reconstruction error: "
    "Tessera ÷ scikit-learn (below 1 = Tessera's factorisation fits better). NMI/ARI: Tessera − "
    "scikit-learn.",
    "¹ Tessera `timings.init`: NNDSVDa with its own randomized truncated SVD (`svd_power_iterations`, "
    "`svd_oversampling` in run.json parameters, listed above). scikit-learn: `_initialize_nmf(X, 40, "
    "init=\"nndsvda\", random_state=seed)` timed alone in the worker, before the fit; it calls "
    "`randomized_svd` with n_oversamples = 10 and n_iter = \"auto\" (= 7 power iterations here).",
    "² The mean cost of one iteration inside the full fit. Tessera's includes its error check (every "
    "iteration for HALS, every 10 for MU: an O(d·k + k²) sum over products the iteration already has); "
    "scikit-learn's includes cd's violation sum (every iteration) or mu's error check "
    "(every 10) and the final `reconstruction_err_`.",
    "³ Tessera run.json `history`: `seconds` between convergence checks ÷ the iterations between them, "
    "median over checks.",
    "⁴ Tessera `timings.fit` (includes init); scikit-learn the whole `fit_transform` (includes its "
    "NNDSVDa init and `reconstruction_err_`). The bar is judged on the HALS vs cd row.",
    "⁵ Stopping rules: Tessera (both solvers) and scikit-learn cd stop when the projected-gradient "
    "violation of an iteration falls to 1e-4 × the first iteration's (Tessera checks it every iteration "
    "for HALS, every 10 for MU); scikit-learn mu when the error decrease over 10 iterations falls below "
    "1e-4 × the initial error. All with max_iter = 200. (Until 2026-11-30 Tessera stopped on that "
    "error-decrease rule checked every iteration, which ended HALS after a handful of iterations: the "
    "ratios measured then owed much to the early stop.)",
    "⁶ Tessera run.json `objective`; scikit-learn `reconstruction_err_`; both ‖X − WH‖_F on the same "
    "L2-normalised tf-idf rows (‖X‖_F = √rows). The bar's error check uses the HALS vs cd cells.",
    "⁷ Tessera's `segment` column of assignments.csv (argmax of W after H's rows are scaled to unit "
    "length); scikit-learn argmax_j W_ij·‖H_j‖ (same definition; the comparison uses it) and, for "
    "reference, the plain argmax of W. `sklearn.metrics` against the planted segment.",
    "⁸ Peak RSS of the whole process (/usr/bin/time). scikit-learn's includes about 100 MB of "
    "Python/numpy/scipy/scikit-learn, the warm-up fit and the separately timed init.",
]


def render_spread(summary):
    def part(label, key, field, fmt):
        value = summary.get(key, {}).get(field)
        if not isinstance(value, dict):
            return None
        return f"{label} {fmt(value['min'])}–{fmt(value['max'])} (n={value['n']})"
    parts = []
    for mine, theirs in PAIRS:
        parts += [part(f"Tessera {mine.upper()} init", f"tessera/{mine}", "init", fmt_s),
                  part(f"Tessera {mine.upper()} fit", f"tessera/{mine}", "fit", fmt_s),
                  part(f"scikit-learn {theirs} init", f"sklearn/{theirs}", "init", fmt_s),
                  part(f"scikit-learn {theirs} fit", f"sklearn/{theirs}", "fit", fmt_s)]
    text = "Spread (min–max over repeats): " + "; ".join(p for p in parts if p) + "."
    paired = summary.get("paired_ratio", {})
    names = {"init": "init", "iteration_seconds": "one iteration", "fit": "full fit"}
    items = []
    for key, value in paired.items():
        mine, theirs, field = key.split("/")
        if value["n"] > 1:
            items.append(f"{mine.upper()} vs {theirs} {names[field]} {fmt_x(value['min'])}–{fmt_x(value['max'])}")
    if items:
        text += " Ratio within each repeat (scikit-learn ÷ Tessera, min–max): " + "; ".join(items) + "."
    load = summary.get("loadavg_1min")
    if load:
        text += (f" 1-minute load average before each job: {load['min']:.2f}–{load['max']:.2f} "
                 f"(median {load['median']:.2f}; 2 cores, and the benchmark itself adds ≈ 1–2).")
    return text


def render_clean(runs):
    """Medians of the timed fields over the jobs with little competition only."""
    def clean(run):
        share = run.get("other_cpu_share")
        return share is not None and (share < km.NOISY_SHARE or run["other_cpu_seconds"] < km.NOISY_SECONDS)

    parts = []
    for mine, theirs in PAIRS:
        for tool, job, label in (("tessera", mine, f"Tessera {mine.upper()}"), ("sklearn", theirs, f"scikit-learn {theirs}")):
            mine_runs = [r for r in runs if r["tool"] == tool and r["job"] == job]
            kept = [r for r in mine_runs if clean(r)]
            if not mine_runs or len(kept) == len(mine_runs):
                continue
            if not kept:
                parts.append(f"{label}: none of {len(mine_runs)}")
                continue
            parts.append(f"{label} init {fmt_s(statistics.median(r['init'] for r in kept))}, fit "
                         f"{fmt_s(statistics.median(r['fit'] for r in kept))} ({len(kept)} of {len(mine_runs)})")
    if not parts:
        return None
    return ("Medians over the jobs with < 10 % of the machine used by other processes only (the table "
            "uses every repeat): " + "; ".join(parts) + ".")


def render_bar(bar, profiles):
    return km.bar_line(bar, profiles, "NMF full fit ≤ 5 s and ≥ 10× scikit-learn cd, reconstruction error "
                                      "≤ 1.01 × scikit-learn cd's")


def render_scaling(bar, profiles, baseline_profiles):
    return km.render_scaling(bar, profiles, baseline_profiles, who="Tessera HALS only",
                             tail="The full fit also depends on the iteration count, which can differ between "
                                  "sizes (see the raw file).")


def markers(profiles):
    return f"<!-- nmf-{profiles}:begin -->", f"<!-- nmf-{profiles}:end -->"


def render_section(record):
    machine, data, summary, bar = record["machine"], record["data"], record["summary"], record["bar"]
    profiles = data["profiles"]
    begin, end = markers(profiles)
    repeats = record["repeats"]
    repeats_text = "1 repeat" if repeats == 1 else f"{repeats} interleaved repeats"
    noise = km.render_interference(km.interference(record["runs"]))
    clean = render_clean(record["runs"])
    notes = []
    if record.get("skipped_mu"):
        notes.append(f"- {record['skipped_mu']}; its column is that single run.")
    missing = [job for job in SKLEARN_JOBS if job not in record["sklearn_jobs"]]
    if missing:
        notes.append(f"- scikit-learn solvers not run (by option): {', '.join(missing)}.")
    missing = [s for s in TESSERA_SOLVERS if s not in record["tessera_solvers"]]
    if missing:
        notes.append(f"- Tessera solvers not run (by option): {', '.join(missing)}.")
    differing = [key for key, entry in summary.items()
                 if "/" in key and not entry.get("identical_across_repeats", True)]
    if repeats > 1:
        notes.append("- Same seed, same result: iterations, reconstruction error and NMI were "
                     + ("identical in every repeat." if not differing else
                        f"not identical across repeats for {', '.join(differing)} "
                        "(medians shown; see raw file)."))
    params = record.get("tessera_parameters") or {}
    # run.json `parameters` is the job (NMF settings under `nmf`); older raw files held them flat.
    params = params.get("nmf", params)
    if params:
        notes.append("- Tessera NMF parameters (run.json): " + ", ".join(
            f"{key} {params[key]}" for key in ("init", "initialization", "solver", "tolerance", "check_every",
                                                "max_iterations", "svd_power_iterations",
                                                "svd_oversampling") if key in params) + ".")
    if record.get("loadavg_start"):
        notes.append(f"- Load average (1/5/15 min) at start {record['loadavg_start']}, "
                     f"at end {record.get('loadavg_end')}.")
    return "\n".join([
        begin,
        f"## NMF: {profiles:,} profiles, k = {K}",
        "",
        f"- Date: {record['date_utc']} · {repeats_text} (every Tessera and scikit-learn fit back to back, "
        "order reversed on alternate repeats; medians) · raw measurements: "
        f"`runs/{record['raw_file']}` · benchmark wall time {record['wall_minutes']:.1f} min",
        f"- Machine: {bench_load.machine_line(machine)}. Shared machine (another engineer compiles "
        "at times): compare within this section only.",
        f"- Data: `data/{data['file']}` — {profiles:,} profiles, {data['interests']:,} interests, "
        f"{data['nonzeros']:,} nonzeros, {data['file_mb']:.1f} MB (`tessera generate --profiles {profiles} "
        f"--segments {SEGMENTS} --seed {data['seed']}`); planted labels `data/{data['labels_file']}`.",
        "- Matrices (parsing excluded on both sides): Tessera reads its binary cache "
        "(`tessera load FILE --cache`); scikit-learn the float32 tf-idf matrix of sklearn_load.py "
        "(L2-normalised rows) saved as .npz by `sklearn_kmeans.py prepare`. Same profiles, interests and "
        "nonzeros on both sides (checked).",
        f"- Commands: `tessera segment CACHE --method nmf --k {K} --seed {record['seed']} --assignments "
        f"--json --quiet` [`--solver mu`] vs `python3 sklearn_nmf.py MATRIX.npz --job nmf-cd|nmf-mu` "
        f"(`NMF(n_components={K}, init=\"nndsvda\", solver=\"cd\"|\"mu\", random_state={record['seed']}, "
        f"max_iter={MAX_ITER})`, tol 1e-4, Frobenius loss, no regularisation), one process each under "
        "`/usr/bin/time -v`. scikit-learn times are measured inside the worker (matrix loading and a "
        "small warm-up fit excluded); Tessera's come from `run.json` `timings`. Both use both cores.",
        *notes,
        "",
        render_table(summary),
        "",
        *(f"- {note}" for note in ROW_NOTES),
        "",
        render_spread(summary),
        *(["", noise] if noise else []),
        *(["", clean] if clean else []),
        "",
        render_bar(bar, profiles),
        *([""] + render_scaling(bar, profiles, record.get("baseline_profiles")) if bar["scaling"] else []),
        end,
    ])


# --------------------------------------------------------------------------

def parse_list(text, allowed, what):
    items = [] if text.strip().lower() == "none" else [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in items if t not in allowed]
    if unknown:
        die(f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark tessera NMF against scikit-learn.")
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"),
                        help="tessera binary (default: ../.build/release/tessera, as the Makefile passes)")
    parser.add_argument("--profiles", type=int, default=300_000, help="profiles (default 300000)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the data and of both NMFs (default 7)")
    parser.add_argument("--sklearn", default=",".join(SKLEARN_JOBS),
                        help="scikit-learn solvers to run, or 'none' (default: cd,mu)")
    parser.add_argument("--tessera-solvers", default=",".join(TESSERA_SOLVERS),
                        help="Tessera solvers to run (default: hals,mu)")
    parser.add_argument("--mu-limit", type=float, default=120.0,
                        help="if the first scikit-learn mu fit takes longer (s), run it once only "
                             "(default 120)")
    parser.add_argument("--baseline-profiles", type=int, default=None,
                        help="also run Tessera HALS on this size in the same sequence for the scaling "
                             "bar (default: 300000 when --profiles is larger; 0 to disable)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="RESULTS.md to update")
    parser.add_argument("--render", metavar="RAW_JSON",
                        help="only rewrite the RESULTS.md section from a raw runs/nmf-*.json file")
    args = parser.parse_args(argv)

    if args.render:
        record = json.loads(Path(args.render).read_text(encoding="utf-8"))
        record["summary"] = summarise(record["runs"])
        record["bar"] = judge(record["summary"], record["data"]["profiles"],
                              record.get("baseline_profiles") or 0)
        begin, end = markers(record["data"]["profiles"])
        bench_load.update_results(Path(args.out), render_section(record), begin, end)
        log(f"updated: {args.out}")
        return 0

    tessera = km.check_tools(args)
    args.sklearn_jobs = parse_list(args.sklearn, SKLEARN_JOBS, "--sklearn solver(s)")
    args.tessera_solvers = parse_list(args.tessera_solvers, TESSERA_SOLVERS, "--tessera-solvers")
    baseline_profiles = args.baseline_profiles
    if baseline_profiles is None:
        baseline_profiles = BAR_PROFILES if args.profiles > BAR_PROFILES else 0
    if baseline_profiles == args.profiles or "hals" not in args.tessera_solvers:
        baseline_profiles = 0

    started = dt.datetime.now(dt.timezone.utc)
    wall_start = time.perf_counter()
    loadavg_start = km.loadavg_line()
    data, labels = km.ensure_labelled_data(tessera, args.profiles, args.seed)
    bench_load.warm_page_cache(data)
    truth = km.read_segments(labels)
    machine = bench_load.describe_machine(tessera)

    cache, tessera_counts, cache_run = km.write_tessera_cache(tessera, data)
    matrix, sklearn_counts, prepare_run = km.ensure_sklearn_matrix(data)
    if tessera_counts != sklearn_counts:
        die(f"tools disagree on the matrix: tessera {tessera_counts}, scikit-learn {sklearn_counts}")
    baseline_cache = None
    if baseline_profiles:
        baseline_data, _ = km.ensure_labelled_data(tessera, baseline_profiles, args.seed)
        baseline_cache, _, _ = km.write_tessera_cache(tessera, baseline_data)

    with tempfile.TemporaryDirectory(prefix="bench-nmf-") as scratch:
        runs, skipped_mu = run_repeats(args, tessera, cache, matrix, truth, baseline_cache, Path(scratch))
    summary = summarise(runs)
    bar = judge(summary, args.profiles, baseline_profiles)
    parameters = next((r.get("parameters") for r in runs if r["tool"] == "tessera" and r["job"] == "hals"),
                      None) or next((r.get("parameters") for r in runs if r["tool"] == "tessera"), None)

    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    raw_path = RUNS_DIR / f"nmf-{args.profiles}-{stamp}.json"
    record = {
        "benchmark": "nmf",
        "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "raw_file": raw_path.name,
        "repeats": args.repeats,
        "seed": args.seed,
        "k": K,
        "tessera": tessera,
        "sklearn_jobs": args.sklearn_jobs,
        "tessera_solvers": args.tessera_solvers,
        "skipped_mu": skipped_mu,
        "baseline_profiles": baseline_profiles or None,
        "tessera_parameters": parameters,
        "machine": machine,
        "data": {"file": data.name, "labels_file": labels.name, "profiles": args.profiles,
                 "seed": args.seed, "segments": SEGMENTS, "file_bytes": data.stat().st_size,
                 "file_mb": data.stat().st_size / MB, **tessera_counts},
        "preparation": {"tessera_cache": cache_run, "sklearn_matrix": prepare_run},
        "runs": runs,
        "summary": summary,
        "bar": bar,
        "loadavg_start": loadavg_start,
        "loadavg_end": km.loadavg_line(),
    }
    record["wall_minutes"] = (time.perf_counter() - wall_start) / 60
    raw_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    out = Path(args.out)
    begin, end = markers(args.profiles)
    bench_load.update_results(out, render_section(record), begin, end)
    log(f"raw measurements: {raw_path}")
    log(f"updated: {out}")

    print(render_table(summary))
    print(render_bar(bar, args.profiles))
    for line in render_scaling(bar, args.profiles, baseline_profiles):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
