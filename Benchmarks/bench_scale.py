#!/usr/bin/env python3
"""Scale on one machine: `tessera segment` at k = 40 on planted audiences of
300,000, 1,000,000, 3,000,000 and 10,000,000 profiles — time per stage and
peak memory, and how each grows with the number of profiles.

    python3 bench_scale.py [--tessera BIN] [--data DIR] [--sizes 300000,1000000,3000000,10000000]
                           [--jobs default,minibatch,cache,minibatch-cache]
                           [--minibatch-sizes 3000000,10000000] [--timeout-minutes 40]
    python3 bench_scale.py --render            (re-render RESULTS.md from the raw record)

Data
  * `tessera generate --profiles N --segments 40 --seed 7 --out FILE --labels LABELS`
    (the same settings at every size), then `gzip -6 FILE`: the inputs are
    `planted-N-seed7.jsonl.gz`. `tessera generate` writes plain JSON Lines
    only, so the harness compresses. Files already present are reused.
  * The data directory (default /work/exp/scale, or $TESSERA_SCALE_DATA) is
    outside the repository: the 10M file is ~2.4 GB gzipped (8.7 GB plain
    while it is being compressed).

Jobs (each one process, under `/usr/bin/time -v`)
  * default          `tessera segment FILE.gz --k 40 --seed 7 --assignments --json --quiet --out DIR`
                     (every other flag at its default: latent space, split–merge,
                     5 stability re-fits of 20,000 rows, describe, all exports).
  * no-stability     the same with `--stability 0` (to isolate the stability stage).
  * minibatch        the same with `--algorithm minibatch` (from the .gz: the matrix
                     is loaded whole, then batches are drawn from it in memory).
  * cache            `tessera load FILE.gz --cache FILE.tcache --json --quiet`.
  * minibatch-cache  `tessera segment FILE.tcache --algorithm minibatch …`: the
                     rows are streamed from the memory-mapped cache.

Measurements
  * process wall time and peak RSS ("Maximum resident set size") from time -v;
    user and system CPU seconds;
  * the process's /proc status sampled every 0.25 s: peak RssAnon (heap: what
    the job really needs) and peak RssFile (pages of mapped files, which the
    kernel can drop under pressure; time -v's peak counts both);
  * run.json `timings` (load, prepare, init, fit, stability, describe, write,
    total), `space.seconds` (the truncated SVD) and `refinement.seconds`
    (split–merge), iterations and counts;
  * NMI and ARI of assignments.csv against the planted labels (sklearn.metrics);
  * the 1/5/15-minute load average before and after each job.
  * growth ratio of a stage at size n = (t(n) / t(300k)) / (n / 300k): 1.0 is
    linear; the bar is ≤ 1.3.

Run the harness under `nice -n 5` on a shared machine (children inherit it).
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are passed through as the environment has
them. The raw record (runs/scale.json, git-ignored) keeps one entry per (job,
size); re-running a job replaces its entry, so sizes can be run one at a time.
RESULTS.md: the section between `<!-- scale:begin -->` and `<!-- scale:end -->`.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_load  # noqa: E402  (machine line, RESULTS.md writer)
from bench_load import RUNS_DIR, log  # noqa: E402

BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
SIZES = (300_000, 1_000_000, 3_000_000, 10_000_000)
BASE = SIZES[0]
SEED = 7
K = 40
GiB = 1 << 30
RECORD = RUNS_DIR / "scale.json"
JOBS = ("default", "no-stability", "minibatch", "cache", "minibatch-cache")
# run.json timings, in pipeline order; "fit" is split below into its parts.
STAGES = ("load", "svd", "seeding", "lloyd", "refine", "fit", "stability", "describe", "write", "other", "total")


def die(message):
    log(f"bench_scale: error: {message}")
    sys.exit(1)


def loadavg_line():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return None


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def data_file(data_dir, n):
    return data_dir / f"planted-{n}-seed{SEED}.jsonl.gz"


def labels_file(data_dir, n):
    return data_dir / f"planted-{n}-seed{SEED}-labels.csv"


def cache_file(data_dir, n):
    return data_dir / f"planted-{n}-seed{SEED}.tcache"


def ensure_data(tessera, data_dir, n):
    """planted-N-seed7.jsonl.gz and its labels, generated once with the same settings at every size."""
    gz, labels = data_file(data_dir, n), labels_file(data_dir, n)
    if gz.exists() and labels.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    plain = gz.with_suffix("")
    log(f"generating {n:,} profiles → {gz}")
    subprocess.run([tessera, "generate", "--profiles", str(n), "--segments", str(K), "--seed", str(SEED),
                    "--out", str(plain), "--labels", str(labels), "--quiet", "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    partial = gz.with_name(f".partial-{gz.name}")
    with open(partial, "wb") as out:
        subprocess.run(["gzip", "-6", "-c", str(plain)], check=True, stdout=out)
    partial.replace(gz)
    plain.unlink()


# --------------------------------------------------------------------------
# One measured process
# --------------------------------------------------------------------------

def status_kb(pid):
    """VmRSS, RssAnon, RssFile (KiB) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    out = {}
    for key in ("VmRSS", "RssAnon", "RssFile"):
        m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
        out[key] = int(m.group(1)) if m else 0
    return out


def child_of(pid):
    """The first child of `pid` (the program /usr/bin/time runs), or None."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def measure(argv, timeout):
    """Runs argv under /usr/bin/time -v, sampling the child's memory. Returns a dict."""
    time_out = Path(f"/tmp/bench-scale-{os.getpid()}.time")
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(time_out), *map(str, argv)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    timeline = []
    stop = threading.Event()

    def sample():
        child = None
        last_logged = -10.0
        while not stop.is_set():
            if child is None:
                child = child_of(proc.pid)
            if child is not None:
                s = status_kb(child)
                if s:
                    for key in peaks:
                        peaks[key] = max(peaks[key], s[key])
                    t = time.perf_counter() - start
                    if t - last_logged >= 1.0:
                        timeline.append((round(t, 1), s["RssAnon"], s["RssFile"]))
                        last_logged = t
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        child = child_of(proc.pid)
        if child:
            os.kill(child, 15)
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    report = time_out.read_text() if time_out.exists() else ""
    time_out.unlink(missing_ok=True)

    def grab(pattern, cast=float):
        m = re.search(pattern, report)
        return cast(m.group(1)) if m else None

    result = {"argv": [str(a) for a in argv], "wall_seconds": wall, "exit": proc.returncode, "timed_out": timed_out,
              "peak_rss_kb": grab(r"Maximum resident set size \(kbytes\):\s*(\d+)", int),
              "user_seconds": grab(r"User time \(seconds\):\s*([\d.]+)"),
              "system_seconds": grab(r"System time \(seconds\):\s*([\d.]+)"),
              "peak_anon_kb": peaks["RssAnon"], "peak_file_kb": peaks["RssFile"], "peak_sampled_kb": peaks["VmRSS"],
              "timeline": timeline}
    if proc.returncode != 0 or timed_out:
        result["stderr_tail"] = stderr[-3000:]
    else:
        try:
            result["stdout_json"] = json.loads(stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            result["stdout_json"] = None
    return result


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def agreement(labels_csv, assignments_csv):
    """NMI and ARI of the assignments against the planted segment (rows matched by id)."""
    try:
        import numpy as np
        import pandas as pd
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    except ImportError:
        return None
    truth = pd.read_csv(labels_csv, usecols=["id", "segment"], dtype={"id": str})
    found = pd.read_csv(assignments_csv, usecols=["id", "segment"], dtype={"id": str})
    merged = truth.merge(found, on="id", suffixes=("_true", "_found")).dropna()
    a = merged["segment_true"].to_numpy(dtype=np.int64)
    b = merged["segment_found"].to_numpy(dtype=np.int64)
    return {"nmi": float(normalized_mutual_info_score(a, b)), "ari": float(adjusted_rand_score(a, b)),
            "rows_compared": int(len(merged))}


def stage_seconds(run):
    """The stages of one run.json, the fit split into SVD, seeding, Lloyd and split–merge."""
    t = run.get("timings", {})
    fit = t.get("fit", 0.0)
    svd = (run.get("space") or {}).get("seconds", 0.0) if (run.get("space") or {}).get("kind") == "latent" else 0.0
    refine = (run.get("refinement") or {}).get("seconds", 0.0) or 0.0
    seeding = t.get("init", 0.0)
    out = {"load": t.get("load", 0.0), "svd": svd, "seeding": seeding, "refine": refine,
           "lloyd": max(0.0, fit - svd - seeding - refine), "fit": fit,
           "stability": t.get("stability", 0.0), "describe": t.get("describe", 0.0), "write": t.get("write", 0.0),
           "total": t.get("total", 0.0)}
    out["other"] = max(0.0, out["total"] - sum(out[s] for s in ("load", "fit", "stability", "describe", "write")))
    return out


def run_job(args, tessera, job, n):
    data_dir = Path(args.data)
    out_dir = data_dir / "runs" / f"{job}-{n}"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    common = ["--k", K, "--seed", SEED, "--assignments", "--json", "--quiet", "--out", out_dir]
    if job == "cache":
        cache = cache_file(data_dir, n)
        cache.unlink(missing_ok=True)
        argv = [tessera, "load", data_file(data_dir, n), "--cache", cache, "--json", "--quiet"]
    elif job == "minibatch-cache":
        cache = cache_file(data_dir, n)
        if not cache.exists():
            die(f"{cache} is missing: run the `cache` job for {n:,} first")
        argv = [tessera, "segment", cache, "--algorithm", "minibatch", *common]
    else:
        extra = {"default": [], "no-stability": ["--stability", "0"], "minibatch": ["--algorithm", "minibatch"]}[job]
        argv = [tessera, "segment", data_file(data_dir, n), *extra, *common]
    before = loadavg_line()
    log(f"{job} {n:,}: {' '.join(map(str, argv[1:]))} (load {before})")
    result = measure(argv, args.timeout_minutes * 60)
    result.update({"job": job, "profiles": n, "loadavg_before": before, "loadavg_after": loadavg_line(),
                   "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")})
    if result["exit"] == 0 and not result["timed_out"]:
        if job == "cache":
            report = result.get("stdout_json") or {}
            result["counts"] = {k: report.get(k) for k in ("profiles", "interests", "nonzeros")}
            result["load_seconds"] = report.get("seconds")
            result["cache_bytes"] = cache_file(data_dir, n).stat().st_size
        else:
            run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
            result["stages"] = stage_seconds(run)
            result["counts"] = run.get("counts", {})
            result["iterations"] = run.get("iterations")
            result["refinement_rounds"] = (run.get("refinement") or {}).get("rounds")
            result["space"] = {k: v for k, v in (run.get("space") or {}).items() if k != "directions"}
            if not args.no_agreement and (out_dir / "assignments.csv").exists():
                result["agreement"] = agreement(labels_file(data_dir, n), out_dir / "assignments.csv")
    log(f"  → exit {result['exit']}{' TIMED OUT' if result['timed_out'] else ''}, wall {result['wall_seconds']:.1f} s, "
        f"peak RSS {gib(result['peak_rss_kb']):.2f} GiB (anon {gib(result['peak_anon_kb']):.2f}, "
        f"file {gib(result['peak_file_kb']):.2f}); stages {fmt_stages(result.get('stages'))}; "
        f"agreement {result.get('agreement')}")
    return result


def peak_stage(e):
    """The stage running when the sampled heap (RssAnon) peaked: stages in pipeline order (load, fit,
    describe with stability, metrics, write), placed on the process clock by their run.json seconds."""
    s, timeline = e.get("stages"), e.get("timeline") or []
    if not s or not timeline:
        return None
    t_peak = max(timeline, key=lambda point: point[1])[0]
    offset = max(0.0, e["wall_seconds"] - s["total"])  # process start-up before the pipeline's clock
    edges, t = [], offset
    for name, seconds in (("load", s["load"]), ("fit", s["fit"]), ("describe + stability", s["describe"] + s["stability"]),
                          ("metrics", s["other"]), ("write", s["write"])):
        t += seconds
        edges.append((t, name))
    for end, name in edges:
        if t_peak <= end + 1.0:  # samples are 1 s apart
            return f"{name} (t = {t_peak:.0f} s)"
    return f"after write (t = {t_peak:.0f} s)"


def gib(kb):
    return (kb or 0) * 1024 / GiB


def fmt_stages(stages):
    if not stages:
        return "–"
    return ", ".join(f"{s} {stages[s]:.1f}" for s in STAGES if stages.get(s))


# --------------------------------------------------------------------------
# Record and rendering
# --------------------------------------------------------------------------

def load_record():
    if RECORD.exists():
        return json.loads(RECORD.read_text(encoding="utf-8"))
    return {"benchmark": "scale", "entries": []}


def save_record(record):
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    partial = RECORD.with_name(f".{RECORD.name}.partial")
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    partial.replace(RECORD)


def entry(record, job, n):
    for e in record["entries"]:
        if e["job"] == job and e["profiles"] == n:
            return e
    return None


def ok(e):
    return e is not None and e["exit"] == 0 and not e["timed_out"]


def fit_line(points):
    """Least-squares a + b·n over (n, bytes) points."""
    if len(points) < 2:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def growth(e, base, stage):
    if not ok(e) or not ok(base):
        return None
    t, t0 = e["stages"].get(stage, 0.0), base["stages"].get(stage, 0.0)
    if t0 <= 0:
        return None
    return (t / t0) / (e["profiles"] / base["profiles"])


def render(record):
    machine = record.get("machine") or {}
    entries = record["entries"]
    sizes = sorted({e["profiles"] for e in entries})
    lines = [BEGIN, "## Scale on one machine", ""]
    dates = sorted(e["date_utc"] for e in entries)
    lines += [
        f"- Date: {dates[0]} – {dates[-1]} · one run per (job, size), sizes back to back · raw "
        f"measurements: `runs/{RECORD.name}` · harness: `bench_scale.py` (`make -C Benchmarks scale`), "
        "run under `nice -n 5`",
        f"- Binary: {record.get('binary_note') or record.get('tessera')}",
        f"- Machine: {bench_load.machine_line(machine) if machine else 'n/a'}. Shared: another engineer "
        "compiled at times (the load average before/after each job is in the tables); compare within this "
        "section only.",
        f"- Data: `tessera generate --profiles N --segments {K} --seed {SEED}` (same settings at every size: "
        "20,000 interests, ~50 per profile), gzipped (`gzip -6`; `generate` writes plain JSON Lines only). "
        "Segmented straight from the `.gz`.",
        f"- Command: `/usr/bin/time -v tessera segment FILE.gz --k {K} --seed {SEED} --assignments --json --quiet "
        "--out DIR` (everything else default: latent space r = 56, split–merge, stability 5 × 20,000 rows, "
        "describe, every export). Stage seconds from run.json `timings`; `svd` = `space.seconds`, "
        "`refine` = `refinement.seconds`, `lloyd` = fit − svd − seeding − refine (Lloyd iterations and the "
        "segment mean rows), `other` = total − the named stages (the run.json metrics: silhouette, Calinski–Harabasz, "
        "Davies–Bouldin, measured on a sparse copy of the latent rows). Peak RSS: time -v's maximum resident set size; *anon* = peak RssAnon sampled "
        "every 0.25 s (heap; file pages the kernel can drop are left out).",
        "- Growth ratio of a stage = (t(n) / t(300k)) / (n / 300k): 1.00 is linear; the bar is ≤ 1.3.",
        "",
    ]
    # Default job: stage table.
    base = entry(record, "default", BASE)
    head = ("| profiles | nonzeros | load s | svd s | seeding s | lloyd s | refine s | fit s | stability s | "
            "describe s | write s | other s | total s | wall s | peak RSS GiB | anon GiB | heap peak during | NMI | load avg before → after |")
    lines += ["### Default `segment` (k-means, latent space)", "", head,
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for n in sizes:
        e = entry(record, "default", n)
        if e is None:
            continue
        if not ok(e):
            lines.append(f"| {n:,} | – | {'timed out' if e['timed_out'] else 'failed (exit ' + str(e['exit']) + ')'} "
                         f"after {e['wall_seconds']:.0f} s, peak RSS {gib(e['peak_rss_kb']):.2f} GiB |" + " |" * 15)
            continue
        s, c = e["stages"], e.get("counts", {})
        agreement = e.get("agreement") or {}
        lines.append(
            f"| {n:,} | {c.get('nonzeros', 0):,} | " + " | ".join(f"{s[x]:.1f}" for x in STAGES) +
            f" | {e['wall_seconds']:.1f} | {gib(e['peak_rss_kb']):.2f} | {gib(e['peak_anon_kb']):.2f} | "
            f"{peak_stage(e) or '–'} | {agreement.get('nmi', float('nan')):.3f} | {e['loadavg_before']} → {e['loadavg_after']} |")
    lines += ["", "Growth ratio against 300k (time per profile relative to 300k's; 1.00 = linear):", "",
              "| profiles | × data | " + " | ".join(STAGES) + " | wall | peak RSS |",
              "|---:|---:|" + "---:|" * (len(STAGES) + 2)]
    worst = []
    for n in sizes:
        e = entry(record, "default", n)
        if not ok(e) or n == BASE:
            continue
        cells = []
        for stage in STAGES:
            g = growth(e, base, stage)
            cells.append("–" if g is None else f"{g:.2f}")
            if g is not None and stage in ("load", "fit", "stability", "describe", "write", "other", "total"):
                worst.append((g, stage, n))
        wall = (e["wall_seconds"] / base["wall_seconds"]) / (n / BASE) if ok(base) else None
        rss = (e["peak_rss_kb"] / base["peak_rss_kb"]) / (n / BASE) if ok(base) else None
        lines.append(f"| {n:,} | {n / BASE:.1f} | " + " | ".join(cells) +
                     f" | {'–' if wall is None else format(wall, '.2f')} | {'–' if rss is None else format(rss, '.2f')} |")
    # Other jobs.
    stability_off = any(e["job"] == "no-stability" for e in entries)
    lines += ["", "### Mini-batch and the profile cache" + (", stability off" if stability_off else ""), "",
              "| job | profiles | wall s | load s | fit s | describe s | write s | total s | iterations (batches) | "
              "peak RSS GiB | anon GiB | file GiB | NMI | load avg before → after |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    names = {"no-stability": "segment `--stability 0`", "minibatch": "segment `--algorithm minibatch` (from .gz)",
             "cache": "`load --cache` (build the cache)", "minibatch-cache": "segment CACHE `--algorithm minibatch` (streamed)"}
    for job in ("no-stability", "minibatch", "cache", "minibatch-cache"):
        for n in sizes:
            e = entry(record, job, n)
            if e is None:
                continue
            if not ok(e):
                lines.append(f"| {names[job]} | {n:,} | {e['wall_seconds']:.0f} | "
                             f"{'timed out' if e['timed_out'] else 'failed (exit ' + str(e['exit']) + ')'} | | | | | | "
                             f"{gib(e['peak_rss_kb']):.2f} | {gib(e['peak_anon_kb']):.2f} | {gib(e['peak_file_kb']):.2f} | | "
                             f"{e['loadavg_before']} → {e['loadavg_after']} |")
                continue
            s = e.get("stages") or {}
            agreement = e.get("agreement") or {}
            load = s.get("load", e.get("load_seconds"))
            cell = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
            lines.append(
                f"| {names[job]} | {n:,} | {e['wall_seconds']:.1f} | {cell(load)} | {cell(s.get('fit'))} | "
                f"{cell(s.get('describe'))} | {cell(s.get('write'))} | {cell(s.get('total'))} | "
                f"{e.get('iterations') if e.get('iterations') is not None else '–'} | {gib(e['peak_rss_kb']):.2f} | "
                f"{gib(e['peak_anon_kb']):.2f} | {gib(e['peak_file_kb']):.2f} | "
                f"{format(agreement['nmi'], '.3f') if agreement.get('nmi') is not None else '–'} | "
                f"{e['loadavg_before']} → {e['loadavg_after']} |")
    # Memory model.
    points = [(e["profiles"], e["peak_rss_kb"] * 1024) for e in entries if e["job"] == "default" and ok(e)]
    line = fit_line(points)
    if line:
        a, b = line
        lines += ["", f"Peak RSS of the default job, least squares over the sizes measured: RSS ≈ "
                      f"{a / GiB:.2f} GiB + {b:.0f} bytes × profiles."]
    # Bars.
    top = entry(record, "default", 10_000_000)
    lines += [""]
    if worst:
        g, stage, n = max(worst)
        lines.append(f"**Bar 'linear within 1.3×': {'met' if g <= 1.3 else 'not met'}** — worst growth ratio "
                     f"{g:.2f} ({stage} at {n:,}).")
    if top is not None:
        peak = gib(top["peak_rss_kb"]) * GiB / 1e9
        lines.append(f"**Bar 'peak RSS ≤ 12 GB at 10M': "
                     f"{'met' if ok(top) and peak <= 12 else 'not met'}** — {peak:.2f} GB "
                     f"({gib(top['peak_rss_kb']):.2f} GiB).")
    lines.append(END)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"))
    parser.add_argument("--data", default=os.environ.get("TESSERA_SCALE_DATA", "/work/exp/scale"))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--jobs", default="default,minibatch,cache,minibatch-cache")
    parser.add_argument("--minibatch-sizes", default="3000000,10000000",
                        help="sizes for the minibatch, cache and minibatch-cache jobs")
    parser.add_argument("--timeout-minutes", type=float, default=40)
    parser.add_argument("--binary-note", help="which commit the binary was built from (recorded)")
    parser.add_argument("--no-agreement", action="store_true", help="skip NMI/ARI against the planted labels")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--render", action="store_true", help="only re-render RESULTS.md from runs/scale.json")
    parser.add_argument("--record", help="raw record file (default runs/scale.json)")
    args = parser.parse_args(argv)
    global RECORD
    if args.record:
        RECORD = Path(args.record).resolve()

    record = load_record()
    if not args.render:
        tessera = str(Path(args.tessera).resolve())
        if not Path(tessera).exists():
            die(f"{tessera} not found (build with `swift build -c release` or pass --tessera)")
        jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
        unknown = [j for j in jobs if j not in JOBS]
        if unknown:
            die(f"unknown job(s) {unknown}; known: {', '.join(JOBS)}")
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        small = [int(s) for s in args.minibatch_sizes.split(",") if s.strip()]
        record["tessera"] = tessera
        record["machine"] = bench_load.describe_machine(tessera)
        if args.binary_note:
            record["binary_note"] = args.binary_note
        for n in sizes:
            ensure_data(tessera, Path(args.data), n)
        for n in sizes:
            for job in jobs:
                if job in ("minibatch", "cache", "minibatch-cache") and n not in small:
                    continue
                result = run_job(args, tessera, job, n)
                record["entries"] = [e for e in record["entries"] if not (e["job"] == job and e["profiles"] == n)]
                record["entries"].append(result)
                save_record(record)
    section = render(record)
    bench_load.update_results(Path(args.out), section, BEGIN, END)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
