#!/usr/bin/env python3
"""Benchmark Tessera's k-means against scikit-learn on the same matrix, same run.

    python3 bench_kmeans.py [--tessera BIN] [--profiles 300000] [--repeats 3]
                            [--seed 7] [--sklearn init,iteration,lloyd,elkan,minibatch]
                            [--skip-sklearn-lloyd] [--lloyd-limit 60]
                            [--quality-seeds 1,2,3,4,5] [--init-trials-reference 5]
    python3 bench_kmeans.py --render runs/kmeans-300000-<stamp>.json
                            (rewrite the RESULTS.md section from a raw file)

What is timed (k = 40, same seed on both sides)
  * k-means++ initialisation: Tessera `timings.init` of the default run;
    scikit-learn `kmeans_plusplus(X, 40, random_state=seed)`.
  * One Lloyd iteration: Tessera `segment --no-bounds --max-iterations 6`,
    median of history `seconds` over iterations 2..6 (iteration 1 runs on
    cold caches); scikit-learn, from the same k-means++ centres, the marginal
    cost (t(max_iter=6) - t(max_iter=1)) / 5 of KMeans(algorithm="lloyd"),
    with the plain max_iter=1 fit time (which adds input validation/copy,
    squared norms and the final labelling pass) shown beside it.
  * Full fits: Tessera `segment` (Lloyd with Hamerly bounds, `timings.fit`,
    which includes init) against KMeans lloyd and elkan (n_init=1, whole
    fit() including its k-means++); Tessera `--algorithm minibatch
    --batch-size 4096` against MiniBatchKMeans(batch_size=4096, n_init=1).
  * Quality: iterations, inertia (each tool's own, and all labels rescored
    the same way in float64 with segment means as centres), NMI and ARI
    against the planted labels (sklearn.metrics, here in the driver).
  * Peak RSS of every process (/usr/bin/time -v).
  * Quality sweep (after the timed repeats): one seed is a coin flip for
    inertia/NMI, so Tessera (default settings) and KMeans elkan (n_init=1,
    random_state=seed) are each fitted once at every --quality-seeds seed
    (default 1..5; k-means seed only, same data), alternating which goes
    first; per-seed inertia (rescored), NMI, ARI, median and mean per side.
    The bar's inertia and NMI checks use the medians over these seeds.
  * Reference: Tessera once at the main seed with `--init-trials 5`
    (scikit-learn's k-means++ candidate count; Tessera's default at k = 40
    is 10), to show what the extra trials cost and change.

Method
  * Data: `tessera generate` (fixed seed), as bench_load.py makes it, plus
    the planted labels CSV. Parsing is excluded on both sides: Tessera reads
    a binary cache written once per run by `tessera load FILE --cache`;
    scikit-learn reads a float32 CSR .npz that `sklearn_kmeans.py prepare`
    vectorises exactly as sklearn_load.py does (json.loads ->
    MultiLabelBinarizer -> TfidfTransformer, L2 rows, float64) and converts
    to float32 (Tessera clusters Float32; scikit-learn keeps float32 input in
    float32). The .npz is reused while the JSONL is unchanged. Both sides
    must agree on profiles / interests / nonzeros.
  * Every job is its own process. Each repeat runs the whole sequence of
    Tessera and scikit-learn jobs back to back, reversed on odd repeats, so
    drift in the machine's speed hits both tools alike; reported numbers are
    medians over repeats. ratio = scikit-learn / Tessera for times and RSS.
  * scikit-learn lloyd is slow: if its first fit takes longer than
    --lloyd-limit seconds (default 60), it runs in the first repeat only.
  * Above 300,000 profiles, Tessera's three jobs also run on the 300,000
    profile data in the same interleaved sequence (--baseline-profiles), for
    the linear-scaling bar (each step at 1M ≤ 3.5× its 300k time).

Outputs
  * runs/kmeans-<profiles>-<UTC timestamp>.json   every raw measurement
  * RESULTS.md   the section between `<!-- kmeans-<profiles>:begin -->` and
                 `<!-- kmeans-<profiles>:end -->` is replaced (or appended).
"""

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_load  # noqa: E402  (data generation, machine line, RESULTS.md writer)
from bench_load import DATA_DIR, MB, RUNS_DIR, SEGMENTS, log, mb  # noqa: E402

SKLEARN_SCRIPT = HERE / "sklearn_kmeans.py"
K = 40
BATCH_SIZE = 4096
ITERATION_RUN = 6  # --max-iterations of the no-bounds run; iterations 2..6 are timed
SKLEARN_JOBS = ("init", "iteration", "lloyd", "elkan", "minibatch")
FITTING_JOBS = ("lloyd", "elkan", "minibatch")

# The bar (docs/performance.md), set for 300,000 profiles, k = 40.
BAR_PROFILES = 300_000
BAR = {
    "init_seconds": 0.5, "init_ratio": 25.0,
    "iteration_seconds": 0.050, "iteration_ratio": 20.0,
    "fit_seconds": 2.0, "fit_ratio_elkan": 10.0,
}
SCALING_LIMIT = 3.5  # 1M step time ≤ 3.5 × its 300k time


def die(message):
    log(f"bench_kmeans: error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Data and prepared matrices
# --------------------------------------------------------------------------

def labels_path(data):
    return data.with_name(data.name.replace(".jsonl", "-labels.csv"))


def ensure_labelled_data(tessera, profiles, seed):
    """The JSONL (bench_load.ensure_data) and its planted labels CSV."""
    data = bench_load.ensure_data(tessera, profiles, seed)
    labels = labels_path(data)
    if not labels.exists():
        # Same settings and seed give byte-identical files: regenerate only the labels.
        log(f"data: writing missing labels {labels.relative_to(HERE)}")
        with tempfile.TemporaryDirectory() as scratch:
            done = subprocess.run(
                [tessera, "generate", "--profiles", str(profiles), "--segments", str(SEGMENTS),
                 "--seed", str(seed), "--out", str(Path(scratch) / "p.jsonl"),
                 "--labels", str(labels), "--quiet"], capture_output=True, text=True)
        if done.returncode != 0:
            labels.unlink(missing_ok=True)
            die(f"tessera generate --labels failed:\n{done.stderr.strip()}")
    return data, labels


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# CPU accounting of the last measure() call (see cpu_usage); jobs copy it into their result.
LAST_CPU = {}


def cpu_times():
    """Machine-wide (busy, steal) CPU seconds from the `cpu` line of /proc/stat, or None."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    steal = fields[7] if len(fields) > 7 else 0
    return busy / CLOCK_TICKS, steal / CLOCK_TICKS


def cpu_usage(before, after, wall, time_report):
    """The job's own CPU seconds (/usr/bin/time) and what the rest of the machine used
    meanwhile: other_cpu_seconds = machine-wide busy CPU time − the job's (clamped at 0;
    other processes, e.g. a compiler, competing for the 2 cores) and hypervisor steal."""
    user = re.search(r"User time \(seconds\):\s*([\d.]+)", time_report)
    system = re.search(r"System time \(seconds\):\s*([\d.]+)", time_report)
    own = float(user.group(1)) + float(system.group(1)) if user and system else None
    usage = {"cpu_seconds": own}
    if before and after and own is not None:
        other = max(0.0, (after[0] - before[0]) - own)
        usage.update({"other_cpu_seconds": other, "steal_seconds": after[1] - before[1],
                      "other_cpu_share": other / (wall * (os.cpu_count() or 1)) if wall else None})
    return usage


def measure(name, argv, parse_json=True):
    """Run argv under /usr/bin/time -v: wall seconds, peak RSS (KiB), stdout JSON.
    CPU accounting (own and the rest of the machine's) goes to LAST_CPU."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as time_file:
        before = cpu_times()
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", time_file.name, *map(str, argv)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = cpu_times()
        time_report = time_file.read()
    LAST_CPU.clear()
    LAST_CPU.update(cpu_usage(before, after, wall, time_report))
    if done.returncode != 0:
        die(f"{name} failed (exit {done.returncode}): {' '.join(map(str, argv))}\n"
            f"{done.stderr.strip()[-4000:]}\n{time_report.strip()}")
    rss = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", time_report)
    if not rss:
        die(f"no peak RSS in /usr/bin/time output for {name}:\n{time_report}")
    report = None
    if parse_json:
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            die(f"{name} did not print a JSON object on stdout:\n{done.stdout[:2000]}")
    return wall, int(rss.group(1)), report


def counts_of(report):
    return {key: int(report[key]) for key in ("profiles", "interests", "nonzeros")}


def write_tessera_cache(tessera, data):
    """`tessera load FILE --cache` (untimed); rewritten every run, since the
    cache format belongs to the binary under test."""
    cache = DATA_DIR / data.name.replace(".jsonl", ".tcache")
    partial = cache.with_name(f".partial-{cache.name}")
    log(f"tessera: writing cache {cache.relative_to(HERE)}")
    wall, rss, report = measure("tessera load", [tessera, "load", data, "--cache", partial,
                                                 "--quiet", "--json"])
    partial.replace(cache)
    return cache, counts_of(report), {"wall_seconds": wall, "peak_rss_kb": rss,
                                      "seconds": report.get("seconds")}


def ensure_sklearn_matrix(data):
    """data/<name>-sklearn-f32.npz, rebuilt when the JSONL changed."""
    npz = DATA_DIR / data.name.replace(".jsonl", "-sklearn-f32.npz")
    stat = data.stat()
    if npz.exists():
        try:
            import numpy as np
            with np.load(npz, allow_pickle=False) as stored:
                fresh = (int(stored["source_bytes"]) == stat.st_size
                         and int(stored["source_mtime_ns"]) == stat.st_mtime_ns)
                shape, nnz = [int(v) for v in stored["shape"]], int(stored["data"].shape[0])
            if fresh:
                log(f"scikit-learn: reusing {npz.relative_to(HERE)}")
                return npz, {"profiles": shape[0], "interests": shape[1], "nonzeros": nnz}, None
        except Exception as error:  # unreadable or from an older layout: rebuild
            log(f"scikit-learn: rebuilding {npz.name} ({error})")
    log(f"scikit-learn: vectorising {data.name} -> {npz.relative_to(HERE)} (untimed)")
    wall, rss, report = measure("sklearn_kmeans.py prepare",
                                [sys.executable, SKLEARN_SCRIPT, "prepare", data, "--out", npz])
    return npz, counts_of(report), {"wall_seconds": wall, "peak_rss_kb": rss,
                                    "seconds": report["seconds"]}


def read_segments(path):
    """{id: segment} from a CSV with `id` and `segment` columns."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["id"]: int(row["segment"]) for row in csv.DictReader(handle)}


def agreement(truth, assignments_csv):
    """NMI and ARI of an assignments CSV against the planted segments."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    found = read_segments(assignments_csv)
    common = [profile for profile in truth if profile in found]
    if not common:
        die(f"{assignments_csv}: no profile id in common with the planted labels")
    planted = [truth[p] for p in common]
    labels = [found[p] for p in common]
    return {"nmi": float(normalized_mutual_info_score(planted, labels)),
            "ari": float(adjusted_rand_score(planted, labels)),
            "scored_rows": len(common), "assigned_rows": len(found)}


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def tessera_job(tessera, cache, job, seed, out_dir, truth, extra=()):
    argv = [tessera, "segment", cache, "--k", K, "--seed", seed, "--out", out_dir,
            "--assignments", "--quiet", "--json", *extra]
    if job == "nobounds":
        argv += ["--no-bounds", "--max-iterations", ITERATION_RUN]
    elif job == "minibatch":
        argv += ["--algorithm", "minibatch", "--batch-size", BATCH_SIZE]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    wall, rss, _ = measure(f"tessera segment ({job})", argv)
    cpu = dict(LAST_CPU)
    run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    history = run.get("history") or []
    seconds = [h["seconds"] for h in history]
    timed = [h["seconds"] for h in history if 2 <= h["iteration"] <= ITERATION_RUN]
    result = {
        "wall_seconds": wall, "peak_rss_kb": rss,
        "timings": run["timings"], "iterations": int(run["iterations"]),
        "converged": bool(run["converged"]), "objective": float(run["objective"]),
        "iteration_median": statistics.median(seconds) if seconds else None,
        "iteration_median_2_6": statistics.median(timed) if timed else None,
        "assign_median_2_6": (statistics.median(h["assign_seconds"] for h in history
                                                if 2 <= h["iteration"] <= ITERATION_RUN)
                              if timed else None),
        "history": history,
        "counts": run.get("counts"),
        **cpu,
    }
    if truth is not None:
        result.update(agreement(truth, out_dir / "assignments.csv"))
    return result


def sklearn_job(matrix, job, seed, out_dir, truth):
    argv = [sys.executable, SKLEARN_SCRIPT, "run", matrix, "--job", job, "--k", K,
            "--seed", seed, "--iterations", ITERATION_RUN, "--batch-size", BATCH_SIZE]
    assignments = out_dir / "assignments.csv"
    if job in FITTING_JOBS:
        out_dir.mkdir(parents=True, exist_ok=True)
        argv += ["--assignments", assignments]
    wall, rss, report = measure(f"scikit-learn {job}", argv)
    result = {"wall_seconds": wall, "peak_rss_kb": rss, **report, **LAST_CPU}
    if job in FITTING_JOBS:
        result.update(agreement(truth, assignments))
    return result


def sequence(sklearn_jobs, baseline):
    """One repeat's jobs in order: (tool, job); tool is tessera, sklearn or baseline."""
    order = [("tessera", "default")]
    if baseline:
        order.append(("baseline", "default"))
    order += [("sklearn", "init"), ("sklearn", "elkan"), ("tessera", "nobounds")]
    if baseline:
        order.append(("baseline", "nobounds"))
    order += [("sklearn", "iteration"), ("tessera", "minibatch")]
    if baseline:
        order.append(("baseline", "minibatch"))
    order += [("sklearn", "minibatch"), ("sklearn", "lloyd")]
    return [(tool, job) for tool, job in order if tool != "sklearn" or job in sklearn_jobs]


def loadavg_line():
    """The 1/5/15-minute load averages, as /proc/loadavg shows them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return None


def loadavg():
    """1-minute load average (other work on the machine shows up here)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def describe_run(tool, job, result):
    text = f"{tool:8s} {job:9s} wall {result['wall_seconds']:7.2f} s  RSS {mb(result['peak_rss_kb']):6.0f} MB"
    if tool in ("tessera", "baseline"):
        t = result["timings"]
        text += f"  init {t['init']:.3f}  fit {t['fit']:.3f}  iter {result['iterations']}"
        if job == "nobounds" and result["iteration_median_2_6"] is not None:
            text += f"  iteration(2-{ITERATION_RUN}) {result['iteration_median_2_6']:.4f}"
    else:
        text += f"  seconds {result['seconds']:.3f}"
        if job == "iteration":
            marginal = result.get("marginal_seconds")
            text += f"  marginal/iter {marginal:.4f}" if marginal is not None else "  marginal n/a"
        if "n_iter" in result:
            text += f"  n_iter {result['n_iter']}"
    if "nmi" in result:
        text += f"  NMI {result['nmi']:.4f}  ARI {result['ari']:.4f}"
    return text + describe_cpu(result)


def describe_cpu(result):
    """' [other CPU 12.3 s = 31 % …]' when the rest of the machine used ≥ 5 % of it (and
    ≥ 0.3 CPU s: the driver and /usr/bin/time themselves use a little) meanwhile."""
    share = result.get("other_cpu_share")
    if share is None or share < 0.05 or result["other_cpu_seconds"] < 0.3:
        return ""
    return f"  [other CPU {result['other_cpu_seconds']:.1f} s = {100 * share:.0f} % of the machine]"


NOISY_SHARE, NOISY_SECONDS = 0.10, 0.5


def interference(runs):
    """The jobs during which other processes used ≥ 10 % of the machine's CPU (and ≥ 0.5 CPU s)."""
    noisy = [run for run in runs if (run.get("other_cpu_share") or 0) >= NOISY_SHARE
             and run["other_cpu_seconds"] >= NOISY_SECONDS]
    shares = [run["other_cpu_share"] for run in runs if run.get("other_cpu_share") is not None]
    return {"jobs": len(shares), "noisy": [
        {"tool": run["tool"], "job": run["job"], "repeat": run.get("repeat"), "seed": run.get("seed"),
         "other_cpu_share": run["other_cpu_share"], "other_cpu_seconds": run["other_cpu_seconds"]}
        for run in noisy], "median_share": statistics.median(shares) if shares else None,
        "max_share": max(shares) if shares else None}


def render_interference(info):
    """One sentence on CPU used by other processes during the timed jobs."""
    if not info or not info.get("jobs"):
        return None
    text = (f"CPU used by other processes during each job (machine-wide /proc/stat busy time minus the "
            f"job's own user+sys): median {100 * info['median_share']:.0f} %, max "
            f"{100 * info['max_share']:.0f} % of the 2 cores")
    if info["noisy"]:
        items = ", ".join(f"{n['tool']} {n['job']}"
                          + (f" repeat {n['repeat'] + 1}" if n.get("repeat") is not None
                             else f" seed {n['seed']}" if n.get("seed") is not None else "")
                          + f" ({100 * n['other_cpu_share']:.0f} %)" for n in info["noisy"])
        text += f"; ≥ 10 % during: {items}"
    return text + "."


def run_repeats(args, tessera, cache, matrix, truth, baseline_cache, scratch):
    runs = []
    skipped_lloyd = None
    jobs = [job for job in args.sklearn_jobs]
    keep = scratch / "last"
    keep.mkdir(parents=True, exist_ok=True)
    for r in range(args.repeats):
        order = sequence(jobs, baseline_cache is not None)
        if r % 2 == 1:
            order.reverse()
        for tool, job in order:
            out_dir = scratch / f"{tool}-{job}"
            load_before = loadavg()
            if tool == "tessera":
                result = tessera_job(tessera, cache, job, args.seed, out_dir, truth)
            elif tool == "baseline":
                result = tessera_job(tessera, baseline_cache, job, args.seed, out_dir, None)
            else:
                result = sklearn_job(matrix, job, args.seed, out_dir, truth)
            result.update({"tool": tool, "job": job, "repeat": r, "loadavg_1min_before": load_before})
            runs.append(result)
            log(f"repeat {r + 1}/{args.repeats} " + describe_run(tool, job, result))
            if (tool, job) != ("tessera", "nobounds") and tool != "baseline" \
                    and (out_dir / "assignments.csv").exists():
                shutil.copyfile(out_dir / "assignments.csv", keep / f"{tool}-{job}.csv")
            if (tool, job) == ("sklearn", "lloyd") and r == 0 and args.repeats > 1 \
                    and result["seconds"] > args.lloyd_limit:
                jobs.remove("lloyd")
                skipped_lloyd = (f"scikit-learn lloyd ran in the first repeat only: its fit took "
                                 f"{result['seconds']:.1f} s (> {args.lloyd_limit:g} s)")
                log(skipped_lloyd)
    return runs, skipped_lloyd, keep


def rescore(matrix, keep):
    """Float64 inertia of the labels in keep/*.csv, segment means as centres: {stem: inertia}."""
    files = sorted(keep.glob("*.csv"))
    if not files:
        return {}
    log(f"scoring: inertia of {len(files)} label files, float64, segment means (untimed)")
    wall, rss, report = measure("sklearn_kmeans.py score",
                                [sys.executable, SKLEARN_SCRIPT, "score", matrix, *files])
    return {Path(s["file"]).stem: s["inertia_means_f64"] for s in report["scores"]}


def quality_sweep(args, tessera, cache, matrix, truth, scratch):
    """Tessera (default settings) and scikit-learn elkan at each of --quality-seeds, one
    fit each (alternating which goes first), plus Tessera with --init-trials N at the
    main seed; every label file rescored the same way. Runs after the timed repeats."""
    keep = scratch / "quality"
    keep.mkdir(parents=True, exist_ok=True)
    runs = []
    plan = [(seed, [("tessera", "default"), ("sklearn", "elkan")] if index % 2 == 0
             else [("sklearn", "elkan"), ("tessera", "default")])
            for index, seed in enumerate(args.quality_seeds)]
    if args.init_trials_reference:
        plan.append((args.seed, [("tessera", "trials")]))
    total = sum(len(order) for _, order in plan)
    done = 0
    for seed, order in plan:
        for tool, job in order:
            out_dir = scratch / f"q-{tool}-{job}"
            load_before = loadavg()
            if tool == "tessera":
                extra = ["--init-trials", args.init_trials_reference] if job == "trials" else []
                result = tessera_job(tessera, cache, "default", seed, out_dir, truth, extra)
                result.pop("history", None)
            else:
                result = sklearn_job(matrix, job, seed, out_dir, truth)
            stem = f"{tool}-{job}-seed{seed}"
            result.update({"tool": tool, "job": job, "seed": seed, "file": stem,
                           "loadavg_1min_before": load_before})
            if job == "trials":
                result["init_trials"] = args.init_trials_reference
            shutil.copyfile(out_dir / "assignments.csv", keep / f"{stem}.csv")
            runs.append(result)
            done += 1
            log(f"quality {done}/{total} seed {seed} " + describe_run(tool, job, result))
    rescored = rescore(matrix, keep)
    for result in runs:
        result["inertia_rescored"] = rescored.get(result["file"])
    return {"seeds": list(args.quality_seeds), "init_trials": args.init_trials_reference, "runs": runs}


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def summarise(runs, rescored):
    """Medians per (tool, job) of every number the section shows."""
    def pick(tool, job):
        return [run for run in runs if run["tool"] == tool and run["job"] == job]

    summary = {}
    for tool, job in sorted({(run["tool"], run["job"]) for run in runs}):
        mine = pick(tool, job)
        entry = {"runs": len(mine), "wall_seconds": spread([m["wall_seconds"] for m in mine]),
                 "peak_rss_kb": spread([m["peak_rss_kb"] for m in mine])}
        if tool in ("tessera", "baseline"):
            for key in ("init", "fit", "total"):
                entry[key] = spread([m["timings"][key] for m in mine])
            for key in ("iterations", "objective", "iteration_median", "iteration_median_2_6",
                        "assign_median_2_6", "nmi", "ari"):
                entry[key] = spread([m.get(key) for m in mine])
            entry["mean_iteration"] = spread([(m["timings"]["fit"] - m["timings"]["init"]) / m["iterations"]
                                              for m in mine if m["iterations"]])
        else:
            for key in ("seconds", "marginal_seconds", "max_iter_m_seconds", "n_iter", "n_steps",
                        "inertia", "inertia_f64", "nmi", "ari", "input_seconds"):
                entry[key] = spread([m.get(key) for m in mine])
        entry["identical_across_repeats"] = all(
            len({m.get(key) for m in mine}) <= 1
            for key in ("objective", "inertia", "nmi", "iterations", "n_iter"))
        if f"{tool}-{job}" in rescored:
            entry["inertia_rescored"] = rescored[f"{tool}-{job}"]
        summary[f"{tool}/{job}"] = entry
    # Paired ratios: scikit-learn / Tessera within the same repeat (the two jobs ran
    # close together), to show how much the ratio itself moved between repeats.
    pairs = {"init": (("tessera", "default", lambda m: m["timings"]["init"]), ("init", "seconds")),
             "iteration": (("tessera", "nobounds", lambda m: m["iteration_median_2_6"]),
                           ("iteration", "marginal_seconds")),
             "fit_lloyd": (("tessera", "default", lambda m: m["timings"]["fit"]), ("lloyd", "seconds")),
             "fit_elkan": (("tessera", "default", lambda m: m["timings"]["fit"]), ("elkan", "seconds")),
             "fit_minibatch": (("tessera", "minibatch", lambda m: m["timings"]["fit"]),
                               ("minibatch", "seconds"))}
    paired = {}
    for name, ((tool, job, value), (sk_job, sk_field)) in pairs.items():
        ratios = []
        for mine in pick(tool, job):
            theirs = [m for m in pick("sklearn", sk_job) if m["repeat"] == mine["repeat"]]
            if theirs and value(mine) and theirs[0].get(sk_field) is not None:
                ratios.append(theirs[0][sk_field] / value(mine))
        if ratios:
            paired[name] = spread(ratios)
    summary["paired_ratio"] = paired
    loads = [run.get("loadavg_1min_before") for run in runs]
    summary["loadavg_1min"] = spread(loads)
    # Mean iteration inside the elkan/lloyd fits: (fit - median k-means++ time) / n_iter.
    init = summary.get("sklearn/init", {}).get("seconds")
    for job in ("lloyd", "elkan"):
        entry = summary.get(f"sklearn/{job}")
        if entry and init:
            entry["mean_iteration"] = spread([(m["seconds"] - init["median"]) / m["n_iter"]
                                              for m in pick("sklearn", job) if m["n_iter"]])
    return summary


QUALITY_FIELDS = ("inertia_rescored", "inertia", "nmi", "ari", "iterations", "fit")


def quality_value(run, field):
    """One field of a quality-sweep run, named the same for both tools."""
    tessera = run["tool"] == "tessera"
    if field == "inertia":
        return run["objective"] if tessera else run["inertia"]
    if field == "iterations":
        return run["iterations"] if tessera else run["n_iter"]
    if field == "fit":
        return run["timings"]["fit"] if tessera else run["seconds"]
    if field == "init":
        return run["timings"]["init"] if tessera else None
    return run.get(field)


def summarise_quality(quality):
    """Per seed, median and mean over seeds, for each side; and the seed-by-seed tally."""
    if not quality or not quality.get("runs"):
        return None
    runs = quality["runs"]
    result = {"seeds": quality["seeds"], "init_trials": quality.get("init_trials")}
    for side, job in (("tessera", "default"), ("sklearn", "elkan")):
        mine = {run["seed"]: run for run in runs if run["tool"] == side and run["job"] == job}
        per_seed = {seed: {field: quality_value(mine[seed], field) for field in QUALITY_FIELDS}
                    for seed in quality["seeds"] if seed in mine}
        entry = {"per_seed": per_seed}
        for stat, function in (("median", statistics.median), ("mean", statistics.fmean)):
            entry[stat] = {}
            for field in QUALITY_FIELDS:
                values = [v[field] for v in per_seed.values() if v[field] is not None]
                entry[stat][field] = function(values) if values else None
        result[side] = entry
    t, e = result["tessera"]["per_seed"], result["sklearn"]["per_seed"]
    common = [seed for seed in quality["seeds"] if seed in t and seed in e]
    result["tally"] = {
        "seeds": len(common),
        "inertia_tessera_lower": sum(1 for s in common if t[s]["inertia_rescored"] is not None
                                     and e[s]["inertia_rescored"] is not None
                                     and t[s]["inertia_rescored"] <= e[s]["inertia_rescored"]),
        "nmi_tessera_higher": sum(1 for s in common if t[s]["nmi"] >= e[s]["nmi"] - 1e-12),
    }
    trials = [run for run in runs if run["job"] == "trials"]
    if trials:
        run = trials[0]
        result["trials"] = {"seed": run["seed"], "init_trials": run.get("init_trials"),
                            "init": run["timings"]["init"],
                            **{field: quality_value(run, field) for field in QUALITY_FIELDS}}
    return result


def med(summary, key, field):
    """Median of summary[key][field], or None."""
    value = summary.get(key, {}).get(field)
    return value["median"] if isinstance(value, dict) else value


def ratio(numerator, denominator):
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


def judge(summary, profiles, baseline_profiles, quality=None):
    """The bar (docs/performance.md), strictly; each check is met or not met.

    Inertia and NMI are judged on the medians over the quality-sweep seeds when
    there is a sweep (`quality`, from summarise_quality), else on the main seed."""
    checks = []

    def check(name, value, limit, ok, text):
        checks.append({"name": name, "value": value, "limit": limit,
                       "met": None if value is None else bool(ok), "text": text})

    init_t, init_s = med(summary, "tessera/default", "init"), med(summary, "sklearn/init", "seconds")
    it_t = med(summary, "tessera/nobounds", "iteration_median_2_6")
    it_s = med(summary, "sklearn/iteration", "marginal_seconds")
    fit_t, fit_e = med(summary, "tessera/default", "fit"), med(summary, "sklearn/elkan", "seconds")
    r_init, r_it, r_fit = ratio(init_s, init_t), ratio(it_s, it_t), ratio(fit_e, fit_t)
    paired = summary.get("paired_ratio", {})

    def fmt_ratio(value, key):
        """The ratio of medians, and the range of the within-repeat ratios when they vary."""
        text = fmt_x(value)
        if key in paired and paired[key]["n"] > 1:
            text += f" (within repeats {fmt_x(paired[key]['min'])}–{fmt_x(paired[key]['max'])})"
        return text

    check("init ≤ 0.5 s", init_t, BAR["init_seconds"],
          init_t is not None and init_t <= BAR["init_seconds"], fmt_s(init_t))
    check("init ≥ 25×", r_init, BAR["init_ratio"],
          r_init is not None and r_init >= BAR["init_ratio"], fmt_ratio(r_init, "init"))
    check("one Lloyd iteration ≤ 50 ms", it_t, BAR["iteration_seconds"],
          it_t is not None and it_t <= BAR["iteration_seconds"], fmt_ms(it_t))
    check("one Lloyd iteration ≥ 20×", r_it, BAR["iteration_ratio"],
          r_it is not None and r_it >= BAR["iteration_ratio"], fmt_ratio(r_it, "iteration"))
    check("full fit ≤ 2 s", fit_t, BAR["fit_seconds"],
          fit_t is not None and fit_t <= BAR["fit_seconds"], fmt_s(fit_t))
    check("full fit ≥ 10× elkan", r_fit, BAR["fit_ratio_elkan"],
          r_fit is not None and r_fit >= BAR["fit_ratio_elkan"], fmt_ratio(r_fit, "fit_elkan"))

    # Inertia: judged on the rescored values (same float64 code for both tools'
    # labels); the tools' own numbers are shown beside them. With a quality sweep,
    # on the medians over its seeds; the main seed's values are quoted beside them.
    main_in_t = summary.get("tessera/default", {}).get("inertia_rescored")
    main_in_e = summary.get("sklearn/elkan", {}).get("inertia_rescored")
    main_nmi_t, main_nmi_e = med(summary, "tessera/default", "nmi"), med(summary, "sklearn/elkan", "nmi")
    swept = bool(quality and quality.get("tessera", {}).get("per_seed")
                 and quality.get("sklearn", {}).get("per_seed"))
    if swept:
        in_t, in_e = quality["tessera"]["median"]["inertia_rescored"], quality["sklearn"]["median"]["inertia_rescored"]
        nmi_t, nmi_e = quality["tessera"]["median"]["nmi"], quality["sklearn"]["median"]["nmi"]
        tally = quality["tally"]
        where = f"median over seeds {seed_list(quality['seeds'])}"
    else:
        in_t, in_e, nmi_t, nmi_e = main_in_t, main_in_e, main_nmi_t, main_nmi_e
        where = "main seed"

    def inertia_text(a, b):
        return "n/a" if a is None or b is None else f"{a:,.1f} vs {b:,.1f} ({100 * (a - b) / b:+.3f} %)"

    def nmi_text(a, b):
        return "n/a" if a is None or b is None else f"{a:.4f} vs {b:.4f}"

    text = f"{where}: {inertia_text(in_t, in_e)}"
    if swept:
        text += (f"; Tessera lower on {tally['inertia_tessera_lower']} of {tally['seeds']} seeds; "
                 f"main seed: {inertia_text(main_in_t, main_in_e)}")
    check("inertia ≤ scikit-learn elkan's", None if in_t is None or in_e is None else in_t - in_e, 0.0,
          in_t is not None and in_e is not None and in_t <= in_e, text)
    text = f"{where}: {nmi_text(nmi_t, nmi_e)}"
    if swept:
        text += (f"; Tessera higher or equal on {tally['nmi_tessera_higher']} of {tally['seeds']} seeds; "
                 f"main seed: {nmi_text(main_nmi_t, main_nmi_e)}")
    check("NMI ≥ scikit-learn elkan's", None if nmi_t is None or nmi_e is None else nmi_t - nmi_e, 0.0,
          nmi_t is not None and nmi_e is not None and nmi_t >= nmi_e - 1e-12, text)

    scaling = []
    if baseline_profiles:
        for label, key, field in (("k-means++ init", "default", "init"),
                                  ("one Lloyd iteration", "nobounds", "iteration_median_2_6"),
                                  ("full fit (Lloyd + bounds)", "default", "fit"),
                                  ("full fit (mini-batch)", "minibatch", "fit")):
            big, small = med(summary, f"tessera/{key}", field), med(summary, f"baseline/{key}", field)
            factor = ratio(big, small)
            scaling.append({"step": label, "seconds": big, "baseline_seconds": small, "factor": factor,
                            "met": None if factor is None else factor <= SCALING_LIMIT})
    judged = [c for c in checks if c["met"] is not None]
    return {"checks": checks, "scaling": scaling, "at_bar_size": profiles == BAR_PROFILES,
            "quality_from_sweep": swept,
            "met": bool(judged) and all(c["met"] for c in judged) and len(judged) == len(checks),
            "scaling_met": bool(scaling) and all(s["met"] for s in scaling)}


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def fmt_s(value):
    return "–" if value is None else f"{value:.3f} s"


def fmt_ms(value):
    return "–" if value is None else f"{1000 * value:.1f} ms"


def fmt_x(value):
    return "–" if value is None else f"{value:.1f}×"


def fmt_mb(kilobytes):
    return "–" if kilobytes is None else f"{mb(kilobytes):,.0f} MB"


def fmt_inertia(value):
    return "–" if value is None else f"{value:,.1f}"


def fmt_q(value):
    return "–" if value is None else f"{value:.4f}"


def rel_delta(mine, theirs):
    """Relative difference of Tessera's inertia against scikit-learn's."""
    if mine is None or theirs in (None, 0):
        return "–"
    return f"{100 * (mine - theirs) / theirs:+.3f} %"


def abs_delta(mine, theirs):
    if mine is None or theirs is None:
        return "–"
    return f"{mine - theirs:+.4f}"


def both(summary, field, fmt, jobs=("elkan", "lloyd")):
    """scikit-learn cell listing several algorithms: 'elkan X · lloyd Y'."""
    parts = [f"{job} {fmt(med(summary, f'sklearn/{job}', field))}"
             for job in jobs if f"sklearn/{job}" in summary]
    return " · ".join(parts) or "–"


def seed_list(seeds):
    """'1–5' for a run of consecutive seeds, else '1, 3, 8'."""
    seeds = list(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(str(seed) for seed in seeds)


def render_quality(quality, summary, main_seed):
    """The quality sweep table and the --init-trials reference line."""
    if not quality:
        return []
    T, E = quality["tessera"], quality["sklearn"]
    lines = [f"Quality over seeds {seed_list(quality['seeds'])} (k-means seed only; same data): Tessera "
             "default settings vs `KMeans(40, n_init=1, random_state=seed, algorithm=\"elkan\")`, one "
             "fit each, after the timed repeats (the two tools alternate going first). Inertia rescored "
             "as in ⁸ (own-objective values in the raw file). **The bar's inertia and NMI checks use the "
             "medians of this table**; the main-seed rows above are one sample.", "",
             "| seed | Tessera iter | elkan n_iter | Tessera inertia | elkan inertia | Δ inertia | "
             "Tessera NMI | elkan NMI | Δ NMI | Tessera ARI | elkan ARI | Δ ARI | Tessera fit | elkan fit |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def count(value):
        return "–" if value is None else f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

    def line(label, t, e):
        lines.append(
            f"| {label} | {count(t.get('iterations'))} | {count(e.get('iterations'))} | "
            f"{fmt_inertia(t.get('inertia_rescored'))} | {fmt_inertia(e.get('inertia_rescored'))} | "
            f"{rel_delta(t.get('inertia_rescored'), e.get('inertia_rescored'))} | "
            f"{fmt_q(t.get('nmi'))} | {fmt_q(e.get('nmi'))} | {abs_delta(t.get('nmi'), e.get('nmi'))} | "
            f"{fmt_q(t.get('ari'))} | {fmt_q(e.get('ari'))} | {abs_delta(t.get('ari'), e.get('ari'))} | "
            f"{fmt_s(t.get('fit'))} | {fmt_s(e.get('fit'))} |")

    for seed in quality["seeds"]:
        line(str(seed), T["per_seed"].get(seed, T["per_seed"].get(str(seed), {})),
             E["per_seed"].get(seed, E["per_seed"].get(str(seed), {})))
    line("**median**", T["median"], E["median"])
    line("mean", T["mean"], E["mean"])
    main_t = {"iterations": med(summary, "tessera/default", "iterations"),
              "inertia_rescored": summary.get("tessera/default", {}).get("inertia_rescored"),
              "nmi": med(summary, "tessera/default", "nmi"), "ari": med(summary, "tessera/default", "ari"),
              "fit": med(summary, "tessera/default", "fit")}
    main_e = {"iterations": med(summary, "sklearn/elkan", "n_iter"),
              "inertia_rescored": summary.get("sklearn/elkan", {}).get("inertia_rescored"),
              "nmi": med(summary, "sklearn/elkan", "nmi"), "ari": med(summary, "sklearn/elkan", "ari"),
              "fit": med(summary, "sklearn/elkan", "seconds")}
    line(f"main seed {main_seed} (timed repeats, medians)", main_t, main_e)
    tally = quality["tally"]
    lines += ["", f"Seed by seed: Tessera's inertia is lower on {tally['inertia_tessera_lower']} of "
                  f"{tally['seeds']} seeds, its NMI higher or equal on {tally['nmi_tessera_higher']} of "
                  f"{tally['seeds']}. Fit times in this table are single runs (the timed comparison is the "
                  "main table)."]
    trials = quality.get("trials")
    if trials:
        d_init, d_fit = med(summary, "tessera/default", "init"), med(summary, "tessera/default", "fit")
        d_iter = med(summary, "tessera/default", "iterations")
        d_in = summary.get("tessera/default", {}).get("inertia_rescored")
        d_nmi, d_ari = med(summary, "tessera/default", "nmi"), med(summary, "tessera/default", "ari")
        lines += ["", f"Reference — Tessera `--init-trials {trials['init_trials']}` (scikit-learn's count of "
                      f"k-means++ candidates, 2 + ⌊ln 40⌋) at seed {trials['seed']}, one run, against the "
                      f"default (2·(2 + ⌊ln 40⌋) = 10 trials; medians of the timed repeats): init "
                      f"{fmt_s(trials['init'])} (default {fmt_s(d_init)}); full fit {fmt_s(trials['fit'])} "
                      f"(default {fmt_s(d_fit)}); {count(trials['iterations'])} iterations (default "
                      f"{count(d_iter)}); inertia rescored {fmt_inertia(trials['inertia_rescored'])} (default "
                      f"{fmt_inertia(d_in)}, {rel_delta(trials['inertia_rescored'], d_in)} vs default); NMI "
                      f"{fmt_q(trials['nmi'])} (default {fmt_q(d_nmi)}), ARI {fmt_q(trials['ari'])} (default "
                      f"{fmt_q(d_ari)}). One seed: indicative of the cost of the extra trials, not of their "
                      "effect on quality."]
    return lines


def render_table(summary):
    S = summary
    t_def, t_nb, t_mb = "tessera/default", "tessera/nobounds", "tessera/minibatch"
    rows = []

    def row(step, tessera, sklearn, rel):
        rows.append(f"| {step} | {tessera} | {sklearn} | {rel} |")

    def ref(job, field):
        return med(S, f"sklearn/{job}", field)

    def rescored(key):
        return S.get(key, {}).get("inertia_rescored")

    def count(value):
        return "–" if value is None else f"{value:.0f}"

    v = med(S, t_def, "init"), ref("init", "seconds")
    row("k-means++ init", fmt_s(v[0]), fmt_s(v[1]), fmt_x(ratio(v[1], v[0])))
    v = med(S, t_nb, "iteration_median_2_6"), ref("iteration", "marginal_seconds")
    row("one Lloyd iteration, exact ¹", fmt_ms(v[0]), fmt_ms(v[1]), fmt_x(ratio(v[1], v[0])))
    one = ref("iteration", "seconds")
    row("″ against scikit-learn's whole `KMeans(max_iter=1).fit` ²", fmt_ms(v[0]), fmt_ms(one),
        fmt_x(ratio(one, v[0])))
    row("one iteration, Tessera default (Hamerly bounds) ³", fmt_ms(med(S, t_def, "iteration_median")), "–", "–")
    v = med(S, t_def, "mean_iteration"), ref("elkan", "mean_iteration")
    row("mean iteration in the full fit, vs elkan ⁴", fmt_ms(v[0]), fmt_ms(v[1]), fmt_x(ratio(v[1], v[0])))
    for job in ("lloyd", "elkan"):
        v = med(S, t_def, "fit"), ref(job, "seconds")
        row(f"full fit: Tessera default vs KMeans {job} ⁵", fmt_s(v[0]), fmt_s(v[1]), fmt_x(ratio(v[1], v[0])))
    v = med(S, t_mb, "fit"), ref("minibatch", "seconds")
    row(f"full fit: mini-batch, batch {BATCH_SIZE} ⁵", fmt_s(v[0]), fmt_s(v[1]), fmt_x(ratio(v[1], v[0])))

    row("iterations, exact fit", count(med(S, t_def, "iterations")), both(S, "n_iter", count), "–")
    steps, epochs = ref("minibatch", "n_steps"), ref("minibatch", "n_iter")
    row("iterations, mini-batch ⁶", count(med(S, t_mb, "iterations")),
        "–" if steps is None else f"{steps:.0f} batches ({epochs:.0f} epochs)", "–")

    row("inertia, exact fit, as reported ⁷", fmt_inertia(med(S, t_def, "objective")),
        both(S, "inertia", fmt_inertia), rel_delta(med(S, t_def, "objective"), ref("elkan", "inertia")))
    row("inertia, exact fit, rescored ⁸", fmt_inertia(rescored(t_def)),
        " · ".join(f"{job} {fmt_inertia(rescored(f'sklearn/{job}'))}"
                   for job in ("elkan", "lloyd") if f"sklearn/{job}" in S) or "–",
        rel_delta(rescored(t_def), rescored("sklearn/elkan")))
    row("inertia, mini-batch, full data ⁹", fmt_inertia(med(S, t_mb, "objective")),
        fmt_inertia(ref("minibatch", "inertia_f64")),
        rel_delta(med(S, t_mb, "objective"), ref("minibatch", "inertia_f64")))
    row("inertia, mini-batch, rescored ⁸", fmt_inertia(rescored(t_mb)), fmt_inertia(rescored("sklearn/minibatch")),
        rel_delta(rescored(t_mb), rescored("sklearn/minibatch")))
    for metric in ("nmi", "ari"):
        name = metric.upper()
        row(f"{name} vs planted segments, exact fit", fmt_q(med(S, t_def, metric)),
            both(S, metric, fmt_q), abs_delta(med(S, t_def, metric), ref("elkan", metric)))
        row(f"{name} vs planted segments, mini-batch", fmt_q(med(S, t_mb, metric)),
            fmt_q(ref("minibatch", metric)), abs_delta(med(S, t_mb, metric), ref("minibatch", metric)))

    rss = lambda key: med(S, key, "peak_rss_kb")  # noqa: E731
    row("peak RSS, exact fit ¹⁰", fmt_mb(rss(t_def)), both(S, "peak_rss_kb", fmt_mb),
        fmt_x(ratio(rss("sklearn/elkan"), rss(t_def))))
    row("peak RSS, mini-batch ¹⁰", fmt_mb(rss(t_mb)), fmt_mb(rss("sklearn/minibatch")),
        fmt_x(ratio(rss("sklearn/minibatch"), rss(t_mb))))
    row("peak RSS, init / iteration run ¹⁰", fmt_mb(rss(t_nb)),
        f"init {fmt_mb(rss('sklearn/init'))} · iteration {fmt_mb(rss('sklearn/iteration'))}",
        fmt_x(ratio(rss("sklearn/init"), rss(t_nb))))

    return "\n".join(["| step | Tessera | scikit-learn | ratio ⁰ |", "|---|---:|---:|---:|", *rows])


ROW_NOTES = [
    "⁰ Times and RSS: scikit-learn ÷ Tessera (higher = Tessera faster/smaller). Inertia: relative "
    "difference (Tessera − scikit-learn) / scikit-learn, negative = Tessera better. NMI/ARI: Tessera − "
    "scikit-learn. Where scikit-learn shows elkan · lloyd, the ratio is against elkan.",
    f"¹ Tessera: `--no-bounds --max-iterations {ITERATION_RUN}`, median of history `seconds` over "
    f"iterations 2–{ITERATION_RUN}. scikit-learn: from the same `kmeans_plusplus` centres, "
    f"(t(max_iter={ITERATION_RUN}) − t(max_iter=1)) / (n_iter − 1) of `KMeans(algorithm=\"lloyd\", "
    "tol=0, n_init=1)` — the marginal cost of one iteration. The bar is judged on this row.",
    "² The whole `fit` with `max_iter=1`: one iteration plus input validation and copy, squared row "
    "norms and scikit-learn's final labelling pass.",
    "³ Median of history `seconds` over all iterations of the default run (bounds skip rows whose "
    "assignment cannot change).",
    "⁴ (fit − init) / iterations: Tessera's default run vs elkan (elkan fit − median `kmeans_plusplus` "
    "time) / `n_iter_`.",
    "⁵ Tessera `timings.fit` (includes init); scikit-learn the whole `fit()` (includes its k-means++, "
    "or for MiniBatchKMeans its init on `init_size` rows and the final full-data labelling).",
    "⁶ Tessera: iterations reported in `run.json`; scikit-learn: `n_steps_` mini-batches and `n_iter_` "
    "passes over the data.",
    "⁷ Tessera `objective` vs `inertia_` (scikit-learn sums float32 data in float32).",
    "⁸ The same float64 code for every tool: each tool's labels (last repeat), each segment's mean as "
    "its centre, sum of squared distances on the scikit-learn matrix. The inertia check of the bar "
    "uses this row (medians over the quality seeds, see below). Quality rows here are the main seed with "
    "one initialisation (n_init = 1): the two tools' k-means++ draw different centres from the same "
    "seed number, so each row is one sample of a local optimum, and differences of this size change "
    "sign with the seed — hence the sweep below.",
    "⁹ Tessera `objective`; scikit-learn: float64 sum of squared distances of every row to its nearest "
    "final centre (the full-data inertia; `inertia_` of MiniBatchKMeans is also full-data).",
    "¹⁰ Peak RSS of the whole process (/usr/bin/time). scikit-learn's includes about 100 MB of "
    "Python/numpy/scipy/scikit-learn and the copy of X that `fit` validates into; the Tessera "
    "init/iteration figure is its `--no-bounds` run, scikit-learn's are the `kmeans_plusplus` and "
    "iteration workers.",
]


def render_spread(summary):
    """Min–max of the timed rows, to show how much the repeats moved."""
    def part(label, key, field, fmt):
        value = summary.get(key, {}).get(field)
        if not isinstance(value, dict):
            return None
        return f"{label} {fmt(value['min'])}–{fmt(value['max'])} (n={value['n']})"
    parts = [
        part("Tessera init", "tessera/default", "init", fmt_s),
        part("scikit-learn init", "sklearn/init", "seconds", fmt_s),
        part("Tessera iteration", "tessera/nobounds", "iteration_median_2_6", fmt_ms),
        part("scikit-learn iteration", "sklearn/iteration", "marginal_seconds", fmt_ms),
        part("Tessera fit", "tessera/default", "fit", fmt_s),
        part("lloyd", "sklearn/lloyd", "seconds", fmt_s),
        part("elkan", "sklearn/elkan", "seconds", fmt_s),
        part("Tessera mini-batch", "tessera/minibatch", "fit", fmt_s),
        part("MiniBatchKMeans", "sklearn/minibatch", "seconds", fmt_s),
    ]
    text = "Spread (min–max over repeats): " + "; ".join(p for p in parts if p) + "."
    labels = {"init": "init", "iteration": "one iteration", "fit_lloyd": "fit vs lloyd",
              "fit_elkan": "fit vs elkan", "fit_minibatch": "mini-batch"}
    paired = summary.get("paired_ratio", {})
    if paired:
        text += (" Ratio within each repeat (scikit-learn ÷ Tessera, min–max): "
                 + "; ".join(f"{labels[k]} {fmt_x(v['min'])}–{fmt_x(v['max'])}" for k, v in paired.items())
                 + ".")
    load = summary.get("loadavg_1min")
    if load:
        text += (f" 1-minute load average before each job: {load['min']:.2f}–{load['max']:.2f} "
                 f"(median {load['median']:.2f}; 2 cores, and the benchmark itself adds ≈ 1–2).")
    return text


def check_tools(args):
    """The resolved tessera binary, after checking it, /usr/bin/time and the repeat/profile counts."""
    tessera = str(Path(args.tessera).resolve())
    if not os.access(tessera, os.X_OK):
        die(f"tessera binary not found or not executable: {args.tessera}")
    if not os.access("/usr/bin/time", os.X_OK):
        die("/usr/bin/time is required (Debian/Ubuntu: apt-get install time)")
    if args.repeats < 1 or args.profiles < K:
        die(f"--repeats must be at least 1 and --profiles at least {K}")
    return tessera


def bar_line(bar, profiles, title):
    """The verdict line of a bar: `title` names the checks; every check is listed with its outcome."""
    checks = bar["checks"]
    failed = [c for c in checks if c["met"] is False]
    unknown = [c for c in checks if c["met"] is None]
    items = "; ".join(f"{c['name']}: {c['text']} ({'ok' if c['met'] else 'n/a' if c['met'] is None else 'not met'})"
                      for c in checks)
    verdict = "met" if bar["met"] else "not met"
    line = (f"**Bar (300k, k = 40): {title} — {verdict}"
            f"{f' ({len(failed)} of {len(checks)} checks fail)' if failed else ''}"
            f"{f' ({len(unknown)} not measured)' if unknown else ''}.** {items}.")
    if not bar["at_bar_size"]:
        line += (f" Note: the bar is set for {BAR_PROFILES:,} profiles; this run used {profiles:,}, "
                 "so these checks are only indicative.")
    return line


def render_bar(bar, profiles, quality=None):
    scope = (f" (medians over seeds {seed_list(quality['seeds'])})"
             if bar.get("quality_from_sweep") and quality else "")
    return bar_line(bar, profiles, "init ≤ 0.5 s & ≥ 25×; one Lloyd iteration ≤ 50 ms & ≥ 20×; full fit "
                                   f"≤ 2 s & ≥ 10× elkan, inertia ≤ and NMI ≥ scikit-learn's{scope}")


def render_scaling(bar, profiles, baseline_profiles, who="Tessera only",
                   tail="Full-fit times also depend on the iteration count, which differs between sizes (see the raw file)."):
    if not bar["scaling"]:
        return []
    lines = [f"Linear scaling, {who}, {baseline_profiles:,} profiles run in the same interleaved "
             f"sequence (medians):", "",
             f"| step | {baseline_profiles:,} | {profiles:,} | factor | ≤ {SCALING_LIMIT}× |",
             "|---|---:|---:|---:|---|"]
    for s in bar["scaling"]:
        fmt = fmt_ms if "iteration" in s["step"] else fmt_s
        lines.append(f"| {s['step']} | {fmt(s['baseline_seconds'])} | {fmt(s['seconds'])} | "
                     f"{fmt_x(s['factor'])} | {'–' if s['met'] is None else 'ok' if s['met'] else 'not met'} |")
    lines += ["", f"**Bar ({profiles:,}: each step ≤ {SCALING_LIMIT}× its {baseline_profiles:,} time) — "
                  f"{'met' if bar['scaling_met'] else 'not met'}.** {tail}"]
    return lines


def render_section(record):
    machine, data, summary, bar = record["machine"], record["data"], record["summary"], record["bar"]
    quality = record.get("quality_summary")
    timed_noise = render_interference(interference(record["runs"]))
    sweep_noise = render_interference(interference((record.get("quality") or {}).get("runs") or []))
    profiles = data["profiles"]
    begin, end = markers(profiles)
    repeats = record["repeats"]
    repeats_text = "1 repeat" if repeats == 1 else f"{repeats} interleaved repeats"
    notes = []
    if record.get("skipped_lloyd"):
        notes.append(f"- {record['skipped_lloyd']}; its row is that single run.")
    missing = [job for job in SKLEARN_JOBS if job not in record["sklearn_jobs"]]
    if missing:
        notes.append(f"- scikit-learn jobs not run (by option): {', '.join(missing)}.")
    differing = [key for key, entry in summary.items()
                 if "/" in key and not entry.get("identical_across_repeats", True)]
    if repeats > 1:
        notes.append("- Same seed, same result: iterations, inertia and NMI were "
                     + ("identical in every repeat." if not differing else
                        f"not identical across repeats for {', '.join(differing)} "
                        "(medians shown; see raw file)."))
    t_nb = summary.get("tessera/nobounds", {})
    assign = t_nb.get("assign_median_2_6", {})
    if isinstance(assign, dict):
        notes.append(f"- Tessera `--no-bounds` iteration split: assignment {fmt_ms(assign['median'])} of "
                     f"{fmt_ms(t_nb['iteration_median_2_6']['median'])} (median of iterations 2–{ITERATION_RUN}).")
    if record.get("loadavg_start"):
        notes.append(f"- Load average (1/5/15 min) at start {record['loadavg_start']}, "
                     f"at end {record.get('loadavg_end')}.")
    return "\n".join([
        begin,
        f"## k-means: {profiles:,} profiles, k = {K}",
        "",
        f"- Date: {record['date_utc']} · {repeats_text} (every Tessera and scikit-learn job back to back, "
        "order reversed on alternate repeats; medians) · raw measurements: "
        f"`runs/{record['raw_file']}` · benchmark wall time {record['wall_minutes']:.1f} min",
        f"- Machine: {bench_load.machine_line(machine)}. Shared machine (another engineer compiles "
        "at times): compare within this section only.",
        f"- Data: `data/{data['file']}` — {profiles:,} profiles, {data['interests']:,} interests, "
        f"{data['nonzeros']:,} nonzeros, {data['file_mb']:.1f} MB (`tessera generate --profiles {profiles} "
        f"--segments {SEGMENTS} --seed {data['seed']}`); planted labels `data/{data['labels_file']}` "
        "(column `segment`).",
        "- Matrices (parsing excluded on both sides): Tessera reads its binary cache "
        "(`tessera load FILE --cache`); scikit-learn reads the matrix of sklearn_load.py (json.loads → "
        "MultiLabelBinarizer → TfidfTransformer: L2-normalised tf-idf rows) converted from float64 to "
        "**float32** for parity with Tessera's Float32, saved once as .npz. Same profiles, interests and "
        "nonzeros on both sides (checked).",
        f"- Commands: `tessera segment CACHE --k {K} --seed {record['seed']} --assignments --quiet --json` "
        f"[`--no-bounds --max-iterations {ITERATION_RUN}`] [`--algorithm minibatch --batch-size {BATCH_SIZE}`] "
        f"vs `python3 sklearn_kmeans.py run MATRIX.npz --job init|iteration|lloyd|elkan|minibatch` "
        f"(`kmeans_plusplus(X, {K}, random_state={record['seed']})`; `KMeans({K}, n_init=1, "
        f"random_state={record['seed']}, algorithm=…)`; `MiniBatchKMeans({K}, batch_size={BATCH_SIZE}, "
        "n_init=1, …)`), one process each under `/usr/bin/time -v`. scikit-learn times are measured "
        "inside the worker around the scikit-learn call only (matrix loading excluded); Tessera's come "
        "from `run.json` `timings` (`fit` includes init) and `history`. Both use both cores. "
        "NMI/ARI: `sklearn.metrics` on each tool's `id,segment` output against the planted segment.",
        *notes,
        "",
        render_table(summary),
        "",
        *(f"- {note}" for note in ROW_NOTES),
        "",
        render_spread(summary),
        *(["", f"Timed repeats: {timed_noise}"] if timed_noise else []),
        "",
        *(render_quality(quality, summary, record["seed"]) + [""] if quality else []),
        *([f"Quality sweep: {sweep_noise}", ""] if sweep_noise else []),
        render_bar(bar, profiles, quality),
        *([""] + render_scaling(bar, profiles, record.get("baseline_profiles"))
          if bar["scaling"] else []),
        end,
    ])


def markers(profiles):
    return f"<!-- kmeans-{profiles}:begin -->", f"<!-- kmeans-{profiles}:end -->"


# --------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark tessera k-means against scikit-learn.")
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"),
                        help="tessera binary (default: ../.build/release/tessera, as the Makefile passes)")
    parser.add_argument("--profiles", type=int, default=300_000, help="profiles (default 300000)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (default 3)")
    parser.add_argument("--seed", type=int, default=7,
                        help="seed of the data and of both tools' k-means (default 7)")
    parser.add_argument("--sklearn", default=",".join(SKLEARN_JOBS),
                        help="comma-separated scikit-learn jobs to run, or 'none' "
                             f"(default: {','.join(SKLEARN_JOBS)})")
    parser.add_argument("--skip-sklearn-lloyd", action="store_true",
                        help="leave out scikit-learn's lloyd full fit (slow; e.g. for 1M)")
    parser.add_argument("--lloyd-limit", type=float, default=60.0,
                        help="if the first scikit-learn lloyd fit takes longer (s), run it once only "
                             "(default 60)")
    parser.add_argument("--baseline-profiles", type=int, default=None,
                        help="also run Tessera on this size in the same sequence for the scaling bar "
                             "(default: 300000 when --profiles is larger; 0 to disable)")
    parser.add_argument("--quality-seeds", default="1,2,3,4,5",
                        help="k-means seeds of the quality sweep (Tessera default vs scikit-learn elkan, "
                             "one fit each; the bar's inertia/NMI checks use its medians), or 'none' "
                             "(default: 1,2,3,4,5)")
    parser.add_argument("--init-trials-reference", type=int, default=5,
                        help="also fit Tessera once at --seed with --init-trials N (default 5, "
                             "scikit-learn's count; 0 to skip)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="RESULTS.md to update")
    parser.add_argument("--render", metavar="RAW_JSON",
                        help="only rewrite the RESULTS.md section from a raw runs/kmeans-*.json file")
    args = parser.parse_args(argv)

    if args.render:
        record = json.loads(Path(args.render).read_text(encoding="utf-8"))
        # Recompute from the raw runs, so that changes to the summary or the
        # rendering apply to old measurements too.
        record["summary"] = summarise(record["runs"], record.get("rescored_inertia") or {})
        record["quality_summary"] = summarise_quality(record.get("quality"))
        record["bar"] = judge(record["summary"], record["data"]["profiles"],
                              record.get("baseline_profiles") or 0, record["quality_summary"])
        begin, end = markers(record["data"]["profiles"])
        bench_load.update_results(Path(args.out), render_section(record), begin, end)
        log(f"updated: {args.out}")
        return 0

    tessera = check_tools(args)
    jobs = [] if args.sklearn.strip().lower() == "none" else \
        [job.strip() for job in args.sklearn.split(",") if job.strip()]
    unknown = [job for job in jobs if job not in SKLEARN_JOBS]
    if unknown:
        die(f"unknown --sklearn job(s): {', '.join(unknown)} (choose from {', '.join(SKLEARN_JOBS)})")
    if args.skip_sklearn_lloyd and "lloyd" in jobs:
        jobs.remove("lloyd")
    args.sklearn_jobs = jobs
    try:
        args.quality_seeds = [] if args.quality_seeds.strip().lower() == "none" else \
            [int(seed) for seed in args.quality_seeds.split(",") if seed.strip()]
    except ValueError:
        die(f"--quality-seeds must be comma-separated integers or 'none': {args.quality_seeds}")
    if args.quality_seeds and "elkan" not in jobs:
        die("the quality sweep compares with scikit-learn elkan: keep it in --sklearn or pass "
            "--quality-seeds none")
    baseline_profiles = args.baseline_profiles
    if baseline_profiles is None:
        baseline_profiles = BAR_PROFILES if args.profiles > BAR_PROFILES else 0
    if baseline_profiles == args.profiles:
        baseline_profiles = 0

    started = dt.datetime.now(dt.timezone.utc)
    wall_start = time.perf_counter()
    loadavg_start = loadavg_line()
    data, labels = ensure_labelled_data(tessera, args.profiles, args.seed)
    bench_load.warm_page_cache(data)
    truth = read_segments(labels)
    machine = bench_load.describe_machine(tessera)

    cache, tessera_counts, cache_run = write_tessera_cache(tessera, data)
    matrix, sklearn_counts, prepare_run = ensure_sklearn_matrix(data)
    if tessera_counts != sklearn_counts:
        die(f"tools disagree on the matrix: tessera {tessera_counts}, scikit-learn {sklearn_counts}")
    baseline_cache = None
    if baseline_profiles:
        baseline_data, _ = ensure_labelled_data(tessera, baseline_profiles, args.seed)
        baseline_cache, _, _ = write_tessera_cache(tessera, baseline_data)

    with tempfile.TemporaryDirectory(prefix="bench-kmeans-") as scratch:
        runs, skipped_lloyd, keep = run_repeats(args, tessera, cache, matrix, truth,
                                                baseline_cache, Path(scratch))
        rescored = rescore(matrix, keep)
        quality = None
        if args.quality_seeds or args.init_trials_reference:
            quality = quality_sweep(args, tessera, cache, matrix, truth, Path(scratch))
    summary = summarise(runs, rescored)
    quality_summary = summarise_quality(quality)
    bar = judge(summary, args.profiles, baseline_profiles, quality_summary)

    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    raw_path = RUNS_DIR / f"kmeans-{args.profiles}-{stamp}.json"
    record = {
        "benchmark": "kmeans",
        "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "raw_file": raw_path.name,
        "repeats": args.repeats,
        "seed": args.seed,
        "k": K,
        "sklearn_jobs": args.sklearn_jobs,
        "skipped_lloyd": skipped_lloyd,
        "baseline_profiles": baseline_profiles or None,
        "machine": machine,
        "data": {"file": data.name, "labels_file": labels.name, "profiles": args.profiles,
                 "seed": args.seed, "segments": SEGMENTS, "file_bytes": data.stat().st_size,
                 "file_mb": data.stat().st_size / MB, **tessera_counts},
        "preparation": {"tessera_cache": cache_run, "sklearn_matrix": prepare_run},
        "runs": runs,
        "rescored_inertia": rescored,
        "quality": quality,
        "summary": summary,
        "quality_summary": quality_summary,
        "bar": bar,
        "tessera": tessera,
        "loadavg_start": loadavg_start,
        "loadavg_end": loadavg_line(),
    }
    record["wall_minutes"] = (time.perf_counter() - wall_start) / 60
    raw_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    out = Path(args.out)
    begin, end = markers(args.profiles)
    bench_load.update_results(out, render_section(record), begin, end)
    log(f"raw measurements: {raw_path}")
    log(f"updated: {out}")

    print(render_table(summary))
    for line in render_quality(quality_summary, summary, args.seed):
        print(line)
    print(render_bar(bar, args.profiles, quality_summary))
    for line in render_scaling(bar, args.profiles, baseline_profiles):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
