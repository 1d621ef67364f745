#!/usr/bin/env python3
"""NMF on the real sets of datasets/: Tessera HALS against scikit-learn cd on the
very same matrix, at equal final error, same run.

    python3 bench_nmf_real.py [--tessera BIN] [--sets hu,ro,lastfm,20ng] [--repeats 3]
                              [--seed 7] [--k 40] [--sklearn-max-iter 1000]
    python3 bench_nmf_real.py --render runs/nmf-real-<stamp>.json

What runs, per set (k = 40, NNDSVDa start, same seed number on both sides)
  * `tessera load FILE --cache` (untimed, this run's binary, default loader
    settings: the tf-idf matrix Tessera segments).
  * scikit-learn reads that cache (tessera_cache.py), so both factorise the
    same matrix, bit for bit.
  * Tessera: `tessera segment CACHE --method nmf --k 40 --seed S
    --assignments --json --quiet` (bench_nmf.tessera_job), default settings:
    HALS, tolerance 1e-4 on the projected-gradient violation, max 200
    iterations. run.json gives `iterations`, `converged`, `objective`
    (‖X − WH‖_F), `timings.init`/`fit` and `history` (error and seconds at
    every iteration).
  * scikit-learn: sklearn_nmf.py --job nmf-cd --trace: NMF(40,
    init="nndsvda", solver="cd", tol=1e-4 (default), random_state=S) as its
    `_fit_coordinate_descent` loop, with max_iter --sklearn-max-iter (default
    1000, so that its own rule ends every fit), timing init and updates and
    recording ‖X − WH‖_F after every iteration untimed.
  * Equal error: E* = the larger of the two final errors, the error both
    reach. Each side's time to E* is its init plus its iterations up to the
    first one at or below E* (Tessera from run.json history seconds,
    scikit-learn from the trace). ratio = scikit-learn ÷ Tessera.
  * Empty segments: Tessera's segments.json entries of size 0; scikit-learn's
    components that are no row's argmax of W·diag(‖H_j‖).

Each repeat runs Tessera then scikit-learn per set, order reversed on odd
repeats; --sklearn-repeats (default 1) bounds scikit-learn's runs (its fits
take minutes); medians over repeats.

Outputs
  * runs/nmf-real-<UTC timestamp>.json   every raw measurement
  * RESULTS.md   the section between `<!-- nmf-real:begin -->` and `<!-- nmf-real:end -->`.
"""

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_kmeans as km  # noqa: E402  (measure, CPU accounting, load average)
import bench_load  # noqa: E402  (machine line, RESULTS.md writer)
import bench_nmf  # noqa: E402  (the Tessera NMF job)
from bench_load import DATA_DIR, RUNS_DIR, log  # noqa: E402

DATASETS = HERE.parent / "datasets"
SETS = {
    "hu": ("Deezer HU", "deezer/hu_genres.jsonl.gz"),
    "ro": ("Deezer RO", "deezer/ro_genres.jsonl.gz"),
    "lastfm": ("Last.fm", "lastfm-2k/user_artist_plays.csv.gz"),
    "20ng": ("20 Newsgroups", "20newsgroups/docs.jsonl.gz"),
}
SKLEARN_SCRIPT = HERE / "sklearn_nmf.py"
BEGIN, END = "<!-- nmf-real:begin -->", "<!-- nmf-real:end -->"


def die(message):
    log(f"bench_nmf_real: error: {message}")
    sys.exit(1)


def write_cache(tessera, name, source):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    cache = DATA_DIR / f"real-{name}.tcache"
    partial = cache.with_name(f".partial-{cache.name}")
    done = subprocess.run([tessera, "load", source, "--cache", partial, "--json", "--quiet"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        die(f"tessera load {source} failed:\n{done.stderr.strip()}")
    partial.replace(cache)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return cache, km.counts_of(report)


def time_to(history, target):
    """Seconds (cumulative, init included) at the first entry whose error is ≤ target, or None."""
    for iteration, seconds, error in history:
        if error <= target:
            return seconds, iteration
    return None, None


def tessera_history(run):
    """(iteration, cumulative seconds, error) from run.json history (entry 0: init)."""
    out, total = [], 0.0
    for entry in run["history"]:
        total += entry["seconds"]
        out.append((entry["iteration"], total, entry["error"]))
    return out


def tessera_run(tessera, cache, args, out_dir, k):
    saved_k = bench_nmf.K
    bench_nmf.K = k
    try:
        result = bench_nmf.tessera_job(tessera, cache, "hals", args.seed, out_dir, None)
    finally:
        bench_nmf.K = saved_k
    run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    segments = json.loads((out_dir / "segments.json").read_text(encoding="utf-8"))["segments"]
    result["trace"] = tessera_history(run)
    result["empty_segments"] = sum(1 for s in segments if s["size"] == 0)
    result["largest_share"] = max(s["share"] for s in segments)
    return result


def sklearn_run(cache, args, k):
    # scikit-learn runs with the machine's OpenBLAS tuning variables unset (its own defaults).
    argv = ["env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", sys.executable, SKLEARN_SCRIPT, cache, "--job", "nmf-cd", "--k", k, "--seed", args.seed,
            "--max-iter", args.sklearn_max_iter, "--trace"]
    wall, rss, report = km.measure("scikit-learn NMF cd (traced)", argv)
    return {"wall_seconds": wall, "peak_rss_kb": rss, **report, **km.LAST_CPU,
            "init": report["init_seconds"], "fit": report["seconds"], "iterations": report["n_iter"],
            "error": report["reconstruction_err"], "trace": [tuple(h) for h in report["history"]],
            "empty_segments": report["empty_components_scaled"]}


def compare(t, s):
    target = max(t["error"], s["error"])
    t_time, t_iter = time_to(t["trace"], target * (1 + 1e-12))
    s_time, s_iter = time_to(s["trace"], target * (1 + 1e-12))
    return {"target": target, "tessera_seconds": t_time, "tessera_iteration": t_iter,
            "sklearn_seconds": s_time, "sklearn_iteration": s_iter,
            "ratio": s_time / t_time if t_time and s_time else None,
            "fit_ratio": s["fit"] / t["fit"] if t["fit"] else None,
            "error_factor": t["error"] / s["error"]}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(record):
    rows = []
    for name in record["sets"]:
        runs = [r for r in record["runs"] if r["set"] == name]
        mine = [r for r in runs if r["tool"] == "tessera"]
        theirs = [r for r in runs if r["tool"] == "sklearn"]
        if not mine or not theirs:
            continue
        pairs = [compare(m, theirs[min(i, len(theirs) - 1)]) for i, m in enumerate(mine)]
        rows.append({
            "set": name, "label": SETS[name][0], "counts": record["counts"][name],
            "tessera_iterations": median([m["iterations"] for m in mine]),
            "tessera_converged": all(m["converged"] for m in mine),
            "sklearn_iterations": median([s["iterations"] for s in theirs]),
            "sklearn_converged": all(s["converged"] for s in theirs),
            "tessera_error": median([m["error"] for m in mine]),
            "sklearn_error": median([s["error"] for s in theirs]),
            "error_factor": median([p["error_factor"] for p in pairs]),
            "tessera_empty": max(m["empty_segments"] for m in mine),
            "sklearn_empty": max(s["empty_segments"] for s in theirs),
            "tessera_largest": median([m["largest_share"] for m in mine]),
            "tessera_fit": median([m["fit"] for m in mine]),
            "sklearn_fit": median([s["fit"] for s in theirs]),
            "fit_ratio": median([p["fit_ratio"] for p in pairs]),
            "target": median([p["target"] for p in pairs]),
            "tessera_to_target": median([p["tessera_seconds"] for p in pairs]),
            "tessera_iteration_at_target": median([p["tessera_iteration"] for p in pairs]),
            "sklearn_to_target": median([p["sklearn_seconds"] for p in pairs]),
            "sklearn_iteration_at_target": median([p["sklearn_iteration"] for p in pairs]),
            "equal_error_ratio": median([p["ratio"] for p in pairs]),
            "equal_error_ratio_range": (min(p["ratio"] for p in pairs if p["ratio"]),
                                        max(p["ratio"] for p in pairs if p["ratio"]))
            if any(p["ratio"] for p in pairs) else None,
            "tessera_runs": len(mine), "sklearn_runs": len(theirs),
            "other_cpu_share_max": max((r.get("other_cpu_share") or 0) for r in runs),
        })
    return rows


def fmt(value, spec, dash="–"):
    return dash if value is None else format(value, spec)


def render(record):
    rows = record["summary"]
    machine = record["machine"]
    lines = [
        BEGIN,
        f"## NMF on the real sets: k = {record['k']}, equal final error",
        "",
        f"- Date: {record['date_utc']} · Tessera {record['repeats']} run(s) and scikit-learn "
        f"{record['sklearn_repeats']} run(s) per set, interleaved (medians) · raw measurements: "
        f"`runs/{record['raw_file']}` · benchmark wall time {record['wall_minutes']:.1f} min",
        f"- Machine: {bench_load.machine_line(machine)}. Shared machine (other engineers compile "
        "at times): compare within this section only.",
        "- Data: the bundled real sets (datasets/README.md), loaded by `tessera load FILE --cache` with "
        "default settings (tf-idf, L2 rows). scikit-learn reads that cache (`tessera_cache.py`): the "
        "same matrix, bit for bit.",
        "- Tessera: `tessera segment CACHE --method nmf --k 40 --seed 7` (HALS, NNDSVDa, tolerance 1e-4 "
        "on the projected-gradient violation relative to the first iteration's, max 200 iterations). "
        "scikit-learn: `sklearn_nmf.py CACHE --job nmf-cd --trace --max-iter "
        f"{record['sklearn_max_iter']}` — `NMF(40, init=\"nndsvda\", solver=\"cd\", tol=1e-4, "
        "random_state=7)` run as its own `_fit_coordinate_descent` loop (the same calls), with the "
        "error measured untimed after every iteration; max_iter high enough that its own rule ends "
        "every fit. scikit-learn ran with `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE` unset "
        "(`env -u …`), Tessera with the machine's environment. Both use both cores.",
        "- Equal error: E* = the larger of the two final errors (the error both reach); time to E* = "
        "init + iterations up to the first at or below E* (Tessera: run.json `history`; scikit-learn: "
        "the trace). Ratio = scikit-learn ÷ Tessera.",
        f"- Load average (1/5/15 min) at start {record['loadavg_start']}, at end {record['loadavg_end']}.",
        "",
        "| set | rows × interests (nonzeros) | iterations Tessera / sklearn | final error Tessera | "
        "final error sklearn | Tessera ÷ sklearn | empty segments Tessera / sklearn | "
        "largest segment (Tessera) | full fit Tessera / sklearn | ratio | time to E* Tessera / sklearn "
        "(iteration) | ratio at equal error |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c = r["counts"]
        conv = lambda ok: "" if ok else " (cap)"  # noqa: E731
        span = r["equal_error_ratio_range"]
        spread = f" ({span[0]:.1f}–{span[1]:.1f}×)" if span and r["tessera_runs"] > 1 else ""
        lines.append(
            f"| {r['label']} | {c['profiles']:,} × {c['interests']:,} ({c['nonzeros']:,}) | "
            f"{r['tessera_iterations']:.0f}{conv(r['tessera_converged'])} / "
            f"{r['sklearn_iterations']:.0f}{conv(r['sklearn_converged'])} | "
            f"{r['tessera_error']:.4f} | {r['sklearn_error']:.4f} | × {r['error_factor']:.5f} | "
            f"{r['tessera_empty']} / {r['sklearn_empty']} | {100 * r['tessera_largest']:.1f} % | "
            f"{r['tessera_fit']:.2f} s / {r['sklearn_fit']:.1f} s | {r['fit_ratio']:.1f}× | "
            f"{fmt(r['tessera_to_target'], '.2f')} s ({fmt(r['tessera_iteration_at_target'], '.0f')}) / "
            f"{fmt(r['sklearn_to_target'], '.1f')} s ({fmt(r['sklearn_iteration_at_target'], '.0f')}) | "
            f"{fmt(r['equal_error_ratio'], '.1f')}×{spread} |")
    worst = max((r["error_factor"] for r in rows), default=None)
    any_empty = sum(r["tessera_empty"] for r in rows)
    busiest = max((r["other_cpu_share_max"] for r in rows), default=0)
    lines += [
        "",
        f"- Goal (issue 11): final error ≤ 1.001 × scikit-learn cd's on every real set, no empty "
        f"segment — {'met' if worst is not None and worst <= 1.001 and any_empty == 0 else 'not met'}: "
        f"worst factor × {fmt(worst, '.5f')}, {any_empty} empty segment(s).",
        f"- CPU used by other processes during a job: up to {100 * busiest:.0f} % of the 2 cores.",
        END,
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"))
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--repeats", type=int, default=3, help="Tessera runs per set (default 3)")
    parser.add_argument("--sklearn-repeats", type=int, default=1, help="scikit-learn runs per set (default 1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--k", type=int, default=40)
    parser.add_argument("--sklearn-max-iter", type=int, default=1000)
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--render", metavar="RAW_JSON")
    args = parser.parse_args(argv)

    if args.render:
        record = json.loads(Path(args.render).read_text(encoding="utf-8"))
        record["summary"] = summarise(record)
        bench_load.update_results(Path(args.out), render(record), BEGIN, END)
        return 0

    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        die(f"unknown set(s): {', '.join(unknown)}")
    tessera = str(Path(args.tessera).resolve())
    started = dt.datetime.now(dt.timezone.utc)
    wall_start = time.perf_counter()
    record = {"benchmark": "nmf-real", "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
              "k": args.k, "seed": args.seed, "repeats": args.repeats,
              "sklearn_repeats": args.sklearn_repeats, "sklearn_max_iter": args.sklearn_max_iter,
              "sets": sets, "tessera": tessera, "machine": bench_load.describe_machine(tessera),
              "loadavg_start": km.loadavg_line(), "counts": {}, "runs": []}
    caches = {}
    for name in sets:
        caches[name], record["counts"][name] = write_cache(tessera, name, DATASETS / SETS[name][1])
        log(f"{name}: {record['counts'][name]}")
    with tempfile.TemporaryDirectory(prefix="bench-nmf-real-") as scratch:
        for rep in range(max(args.repeats, args.sklearn_repeats)):
            for name in sets:
                order = ["tessera", "sklearn"] if rep % 2 == 0 else ["sklearn", "tessera"]
                for tool in order:
                    if tool == "tessera" and rep >= args.repeats or tool == "sklearn" and rep >= args.sklearn_repeats:
                        continue
                    load = km.loadavg()
                    if tool == "tessera":
                        result = tessera_run(tessera, caches[name], args, Path(scratch) / f"{name}-{rep}", args.k)
                    else:
                        result = sklearn_run(caches[name], args, args.k)
                    result.update({"set": name, "tool": tool, "repeat": rep, "loadavg_1min_before": load})
                    record["runs"].append(result)
                    log(f"repeat {rep + 1} {name} {tool}: iterations {result['iterations']} "
                        f"converged {result['converged']} error {result['error']:.5f} fit {result['fit']:.2f} s "
                        f"empty {result['empty_segments']}")
    record["loadavg_end"] = km.loadavg_line()
    record["wall_minutes"] = (time.perf_counter() - wall_start) / 60
    record["summary"] = summarise(record)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    raw = RUNS_DIR / f"nmf-real-{stamp}.json"
    record["raw_file"] = raw.name
    raw.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    section = render(record)
    bench_load.update_results(Path(args.out), section, BEGIN, END)
    print(section)
    log(f"raw measurements: {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
