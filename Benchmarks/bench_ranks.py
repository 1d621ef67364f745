#!/usr/bin/env python3
"""Measure `tessera segment` spread over Open MPI ranks (1, 2, 3, 4, ...) on one plain file.

    python3 bench_ranks.py [--tessera BIN] [--baseline BIN] [--data FILE] [--profiles 1000000]
                           [--seed 7] [--ranks 1,2,3,4] [--methods kmeans,nmf]
                           [--stability 0,default] [--threads-one 2] [--repeats 1]
                           [--overhead-repeats 2] [--mpirun mpirun]
    python3 bench_ranks.py --render runs/ranks-1000000-<stamp>.json [--notes TEXT]
                           [--extra-overhead runs/ranks-1000000-<other stamp>.json]
                           (rewrite the RESULTS.md section from a raw file; compares the outputs
                           again while the run folders exist; adds the overhead runs of other raw
                           files, e.g. of a `--ranks "" --stability ""` run that only measures them)

What is run (k = 40, --seed S, --assignments)
  * For each method (k-means, the default; NMF HALS) and each stability setting
    (`--stability 0`, and the default 5 bootstrap re-fits): `tessera segment FILE`
    as one plain process (no mpirun), then `mpirun --oversubscribe
    --allow-run-as-root -np N tessera segment FILE` for every N of --ranks.
    With --threads-one N (default 2) the N-rank job also runs with `--threads 1`
    on every rank (stability 0 only). FILE is a plain (uncompressed) JSON Lines
    file, so every rank reads and parses its own line-aligned byte range.
  * Measured per job: wall time and peak RSS of /usr/bin/time -v around the
    command (for mpirun, the RSS is that of the largest single process, not
    the sum); every second, the RSS (VmRSS) and peak RSS (VmHWM) of every
    process of the job running the Tessera binary, from /proc, with the rank
    from OMPI_COMM_WORLD_RANK: the largest sum over the ranks seen at one
    sample, and each rank's last-seen VmHWM; from run.json: `timings` per
    stage, `ranks` (count, rows_per_rank, bytes_per_rank, input_bytes_per_rank,
    block_rows, bytes_communicated, bytes_reduced_per_iteration), iterations,
    objective; the 1/5/15-minute load average before the job and the CPU the
    rest of the machine used meanwhile (/proc/stat busy time − the job's own).
  * segments.json and assignments.csv of every job (every repeat) are compared
    byte for byte (filecmp, shallow=False) with those of the first plain process
    of the same method and stability setting; assignments.csv also across the
    stability settings.
  * Overhead of the exact block sums on one process (with --baseline BIN, a
    build from before ranks existed): the same job with `--stability 0` as one
    plain process of each binary, interleaved (order reversed on alternate
    repeats), --overhead-repeats times per method; ratio of the medians of
    `timings.prepare`, `timings.init` and `timings.fit` (this binary ÷ baseline).
  * mpirun's own start-up: `mpirun -np N tessera --version`, wall time.

Outputs
  * runs/ranks-<profiles>-<UTC timestamp>.json   every raw measurement
  * RESULTS.md   the section between `<!-- ranks:begin -->` and `<!-- ranks:end -->`
                 is replaced (or appended).
"""

import argparse
import datetime as dt
import filecmp
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_load  # noqa: E402  (machine line, data, RESULTS.md writer)
from bench_kmeans import cpu_times, cpu_usage, loadavg_line  # noqa: E402
from bench_load import MB, RUNS_DIR, log  # noqa: E402

K = 40
BEGIN = "<!-- ranks:begin -->"
END = "<!-- ranks:end -->"
COMPARED = ("segments.json", "assignments.csv")
KEPT = ("segments.json", "assignments.csv", "run.json")
JOB_TIMEOUT = 3600  # seconds; a job still running then is killed and recorded as a hang


def die(message):
    log(f"bench_ranks: error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Sampling the ranks' memory
# --------------------------------------------------------------------------

def process_table():
    """pid → parent pid for every process (from /proc/PID/stat)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        table[int(entry)] = int(fields[1])
    return table


def descendants(root):
    table = process_table()
    children = {}
    for pid, parent in table.items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def memory_of(pid):
    """(VmRSS KiB, VmHWM KiB) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    rss = re.search(r"VmRSS:\s+(\d+)", text)
    hwm = re.search(r"VmHWM:\s+(\d+)", text)
    return (int(rss.group(1)), int(hwm.group(1))) if rss and hwm else None


def rank_of(pid):
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in environ:
        if item.startswith(b"OMPI_COMM_WORLD_RANK="):
            return int(item.split(b"=", 1)[1])
    return None


class RankSampler(threading.Thread):
    """Every `interval` seconds: the RSS of each process under `root` running `binary`."""

    def __init__(self, root, binary, interval):
        super().__init__(daemon=True)
        self.root, self.binary, self.interval = root, os.path.realpath(binary), interval
        self.stop = threading.Event()
        self.ranks = {}          # pid → rank (0 without MPI)
        self.hwm = {}            # pid → last VmHWM seen (KiB)
        self.rss_max = {}        # pid → largest VmRSS seen (KiB)
        self.sum_max = 0         # largest sum of VmRSS over the processes at one sample
        self.samples = 0

    def run(self):
        while not self.stop.is_set():
            total = 0
            for pid in descendants(self.root):
                try:
                    if os.path.realpath(f"/proc/{pid}/exe") != self.binary:
                        continue
                except OSError:
                    continue
                memory = memory_of(pid)
                if memory is None:
                    continue
                if pid not in self.ranks:
                    rank = rank_of(pid)
                    self.ranks[pid] = 0 if rank is None else rank
                self.hwm[pid] = memory[1]
                self.rss_max[pid] = max(self.rss_max.get(pid, 0), memory[0])
                total += memory[0]
            self.sum_max = max(self.sum_max, total)
            self.samples += 1
            self.stop.wait(self.interval)

    def report(self):
        per_rank = {}
        for pid, rank in self.ranks.items():
            per_rank[str(rank)] = {"pid": pid, "hwm_kb": self.hwm.get(pid), "rss_max_kb": self.rss_max.get(pid)}
        hwms = [v["hwm_kb"] for v in per_rank.values() if v["hwm_kb"]]
        return {"samples": self.samples, "interval_seconds": self.interval, "per_rank": per_rank,
                "rss_sum_max_kb": self.sum_max, "hwm_max_kb": max(hwms) if hwms else None,
                "hwm_sum_kb": sum(hwms) if hwms else None}


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def run_measured(argv, binary, interval, timeout=JOB_TIMEOUT):
    """argv under /usr/bin/time -v with the rank sampler; never dies (a failure is recorded)."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as time_file:
        load_before = loadavg_line()
        before = cpu_times()
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", time_file.name, *map(str, argv)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = RankSampler(process.pid, binary, interval)
        sampler.start()
        hung = False
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            hung = True
            process.kill()  # /usr/bin/time; mpirun and its ranks are ended below
            for pid in descendants(process.pid):
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            stdout, stderr = process.communicate()
        wall = time.perf_counter() - start
        after = cpu_times()
        sampler.stop.set()
        sampler.join()
        time_report = time_file.read()
    rss = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", time_report)
    result = {
        "argv": [str(a) for a in argv], "exit": process.returncode, "hung": hung,
        "wall_seconds": wall, "time_peak_rss_kb": int(rss.group(1)) if rss else None,
        "loadavg_before": load_before, "loadavg_after": loadavg_line(),
        "memory": sampler.report(),
        "stderr_tail": stderr[-3000:] if stderr else "",
        **cpu_usage(before, after, wall, time_report),
    }
    try:
        result["summary"] = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError, AttributeError):
        result["summary"] = None
    return result


def segment_argv(tessera, data, method, stability, out_dir, seed, threads):
    argv = [tessera, "segment", data, "--k", K, "--seed", seed, "--out", out_dir,
            "--assignments", "--quiet", "--json"]
    if method == "nmf":
        argv += ["--method", "nmf"]
    if stability is not None:
        argv += ["--stability", stability]
    if threads is not None:
        argv += ["--threads", threads]
    return argv


def segment_job(args, tessera, data, job, scratch):
    """One job: {method, stability, ranks (None = plain process), threads}."""
    name = job_name(job)
    out_dir = scratch / name.replace(" ", "_")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    argv = segment_argv(tessera, data, job["method"], job["stability"], out_dir, args.seed, job["threads"])
    if job["ranks"] is not None:
        argv = [args.mpirun, "--oversubscribe", "--allow-run-as-root", "-np", job["ranks"], *argv]
    log(f"  {name} (load {loadavg_line()})")
    result = run_measured(argv, tessera, args.sample_interval)
    result.update(job=job, name=name, out_dir=str(out_dir))
    run_json = out_dir / "run.json"
    if result["exit"] == 0 and run_json.exists():
        run = json.loads(run_json.read_text(encoding="utf-8"))
        result.update(timings=run.get("timings"), ranks=run.get("ranks"), iterations=run.get("iterations"),
                      converged=run.get("converged"), objective=run.get("objective"))
        # Keep what is compared and run.json; the wall exports are not measured here.
        for entry in out_dir.iterdir():
            if entry.name not in KEPT:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    else:
        log(f"  {name} FAILED: exit {result['exit']}{' (killed after a timeout)' if result['hung'] else ''}\n"
            f"{result['stderr_tail']}")
    log(f"    wall {result['wall_seconds']:.1f} s, time -v RSS {fmt_mib(result['time_peak_rss_kb'])}, "
        f"sampled sum {fmt_mib(result['memory']['rss_sum_max_kb'])}, timings "
        f"{json.dumps({k: round(v, 2) for k, v in (result.get('timings') or {}).items()})}")
    return result


def job_name(job):
    where = "plain" if job["ranks"] is None else f"np{job['ranks']}"
    threads = "" if job["threads"] is None else f" threads{job['threads']}"
    stability = "default" if job["stability"] is None else job["stability"]
    return f"{job['method']} stability{stability} {where}{threads}{job.get('tag', '')}"


def jobs_for(args):
    jobs = []
    for method in args.methods:
        for stability in args.stability:
            jobs.append(dict(method=method, stability=stability, ranks=None, threads=None))
            for n in args.ranks:
                jobs.append(dict(method=method, stability=stability, ranks=n, threads=None))
                if n == args.threads_one and stability == 0:
                    jobs.append(dict(method=method, stability=stability, ranks=n, threads=1))
    return jobs


def compare_outputs(results):
    """Every job's files (every repeat) against the first plain process's of the same method and
    stability setting."""
    reference = {}
    for r in sorted(results, key=lambda r: r.get("repeat", 0)):
        j = r["job"]
        if j["ranks"] is None and j["threads"] is None and r["exit"] == 0:
            reference.setdefault((j["method"], j["stability"]), Path(r["out_dir"]))
    for r in results:
        j = r["job"]
        ref = reference.get((j["method"], j["stability"]))
        r["identical"] = {}
        for name in COMPARED:
            mine = Path(r["out_dir"]) / name
            if mine == ref / name:
                r["identical"][name] = True  # the reference itself
            elif r["exit"] != 0 or ref is None or not mine.exists() or not (ref / name).exists():
                r["identical"][name] = None
            else:
                r["identical"][name] = filecmp.cmp(ref / name, mine, shallow=False)
    # Across stability settings: assignments must not depend on the stability re-fits.
    across = {}
    for method in {r["job"]["method"] for r in results}:
        refs = [p for (m, _), p in reference.items() if m == method]
        if len(refs) > 1:
            across[method] = all(filecmp.cmp(refs[0] / "assignments.csv", p / "assignments.csv", shallow=False)
                                 for p in refs[1:])
    return across


def mpirun_startup(args, tessera):
    rows = []
    for n in args.ranks:
        argv = [args.mpirun, "--oversubscribe", "--allow-run-as-root", "-np", n, tessera, "--version"]
        start = time.perf_counter()
        done = subprocess.run(list(map(str, argv)), capture_output=True, text=True)
        rows.append({"ranks": n, "wall_seconds": time.perf_counter() - start, "exit": done.returncode})
    return rows


def overhead_runs(args, tessera, data, scratch):
    """This binary vs the baseline, one plain process each, interleaved; --stability 0."""
    runs = []
    binaries = [("current", tessera), ("baseline", args.baseline)]
    for repeat in range(args.overhead_repeats):
        order = [(m, b) for m in args.methods for b in binaries]
        if repeat % 2:
            order.reverse()
        for method, (label, binary) in order:
            out_dir = scratch / f"overhead-{label}-{method}-{repeat}"
            if out_dir.exists():
                shutil.rmtree(out_dir)
            argv = segment_argv(binary, data, method, 0, out_dir, args.seed, None)
            log(f"  overhead {label} {method} repeat {repeat + 1} (load {loadavg_line()})")
            result = run_measured(argv, binary, args.sample_interval)
            result.update(binary=label, method=method, repeat=repeat)
            run_json = out_dir / "run.json"
            if result["exit"] == 0 and run_json.exists():
                run = json.loads(run_json.read_text(encoding="utf-8"))
                result.update(timings=run.get("timings"), iterations=run.get("iterations"))
                log(f"    wall {result['wall_seconds']:.1f} s, timings "
                    f"{json.dumps({k: round(v, 2) for k, v in run['timings'].items()})}")
            runs.append(result)
            if repeat > 0:  # keep one set of outputs for the comparison
                shutil.rmtree(out_dir, ignore_errors=True)
    same = {}
    for method in args.methods:
        a, b = scratch / f"overhead-current-{method}-0", scratch / f"overhead-baseline-{method}-0"
        same[method] = {name: (filecmp.cmp(a / name, b / name, shallow=False)
                               if (a / name).exists() and (b / name).exists() else None)
                        for name in COMPARED}
    return runs, same


# --------------------------------------------------------------------------
# Summaries and rendering
# --------------------------------------------------------------------------

def fmt_mib(kilobytes):
    return "–" if kilobytes is None else f"{kilobytes / 1024:,.0f} MB"


def fmt_sec(value):
    return "–" if value is None else f"{value:.2f}"


def fmt_bytes(value):
    if value is None:
        return "–"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value:,} B"


def median_of(runs, path):
    values = []
    for r in runs:
        value = r
        for key in path:
            value = (value or {}).get(key) if isinstance(value, dict) else None
        if value is not None:
            values.append(value)
    return statistics.median(values) if values else None


def group_runs(results):
    """Repeats of the same job together, in first-seen order."""
    groups = {}
    for r in results:
        groups.setdefault(r["name"], []).append(r)
    return groups


def speedup(base, value):
    return "–" if not base or not value else f"{base / value:.2f}×"


def render_method_table(method, groups):
    header = ("| stability | run | wall s | × wall | load | prepare | init | fit | × fit | describe | stability s | "
              "write | iter | RSS max rank (time -v) | RSS max rank (sampled HWM) | RSS sum (sampled) | "
              "bytes in fit | reduced / iter | load avg before |")
    lines = [header, "|" + "---|" * 2 + "---:|" * 17]
    bases = {}
    for name, runs in groups.items():
        j = runs[0]["job"]
        if j["method"] != method:
            continue
        if j["ranks"] == 1 and j["threads"] is None:
            bases[j["stability"]] = runs
    for name, runs in groups.items():
        j = runs[0]["job"]
        if j["method"] != method:
            continue
        base = bases.get(j["stability"], [])
        ok = [r for r in runs if r["exit"] == 0]
        if not ok:
            lines.append(f"| {stability_text(j)} | {run_text(j)} | failed (exit {runs[0]['exit']}"
                         f"{', hung' if runs[0]['hung'] else ''}) |" + " |" * 17)
            continue
        t = lambda key: median_of(ok, ("timings", key))  # noqa: E731
        wall = median_of(ok, ("wall_seconds",))
        ranks = ok[0].get("ranks") or {}
        mem = ok[0]["memory"]
        lines.append("| " + " | ".join([
            stability_text(j), run_text(j), fmt_sec(wall), speedup(median_of(base, ("wall_seconds",)), wall),
            fmt_sec(t("load")), fmt_sec(t("prepare")), fmt_sec(t("init")), fmt_sec(t("fit")),
            speedup(median_of(base, ("timings", "fit")), t("fit")),
            fmt_sec(t("describe")), fmt_sec(t("stability")), fmt_sec(t("write")),
            str(ok[0].get("iterations", "–")),
            fmt_mib(median_of(ok, ("time_peak_rss_kb",))), fmt_mib(mem["hwm_max_kb"]),
            fmt_mib(mem["rss_sum_max_kb"]),
            fmt_bytes(ranks.get("bytes_communicated")), fmt_bytes(ranks.get("bytes_reduced_per_iteration")),
            ok[0]["loadavg_before"] or "–",
        ]) + " |")
    return "\n".join(lines)


def stability_text(job):
    return "off (0)" if job["stability"] == 0 else "default (5)"


def run_text(job):
    if job["ranks"] is None:
        return "1 process, no mpirun"
    text = f"{job['ranks']} rank{'s' if job['ranks'] > 1 else ''}"
    if job["ranks"] > (os.cpu_count() or 2):
        text += " (oversubscribed)"
    if job["threads"] is not None:
        text += f", --threads {job['threads']}"
    return text


def render_spread_table(groups):
    lines = ["| method | run | rows per rank | input bytes read per rank | bytes scattered per rank | "
             "rank peak RSS (sampled HWM, per rank) |", "|---|---|---|---|---|---|"]
    for name, runs in groups.items():
        j = runs[0]["job"]
        ok = [r for r in runs if r["exit"] == 0]
        if not ok or j["stability"] != 0 or j["ranks"] is None:
            continue
        ranks = ok[0].get("ranks") or {}
        per_rank = ok[0]["memory"]["per_rank"]
        hwm = " · ".join(fmt_mib(per_rank[k]["hwm_kb"]) for k in sorted(per_rank, key=int))
        lines.append("| " + " | ".join([
            j["method"], run_text(j),
            " · ".join(f"{v:,}" for v in ranks.get("rows_per_rank", [])) or "–",
            " · ".join(fmt_bytes(v) for v in ranks.get("input_bytes_per_rank", [])) or "–",
            " · ".join(fmt_bytes(v) for v in ranks.get("bytes_per_rank", [])) or "–",
            hwm or "–",
        ]) + " |")
    return "\n".join(lines)


def render_identity(results, across):
    lines = []
    for method in dict.fromkeys(r["job"]["method"] for r in results):
        for stability in dict.fromkeys(r["job"]["stability"] for r in results):
            runs = [r for r in results if r["job"]["method"] == method and r["job"]["stability"] == stability
                    and not (r["job"]["ranks"] is None and r["job"]["threads"] is None and r.get("repeat", 0) == 0)]
            if not runs:
                continue
            verdicts = {name: [r["identical"].get(name) for r in runs] for name in COMPARED}
            parts = []
            for name, values in verdicts.items():
                same = sum(1 for v in values if v)
                parts.append(f"{name} identical in {same} of {len(values)}")
            stab = "off" if stability == 0 else "default"
            kinds = ", ".join(dict.fromkeys(run_text(r["job"]) for r in runs))
            lines.append(f"- {method}, stability {stab}: against the first plain process, "
                         + "; ".join(parts) + f" (every repeat of: {kinds}).")
    for method, same in across.items():
        lines.append(f"- {method}: assignments.csv with stability off and default "
                     f"{'identical' if same else 'DIFFERENT'}.")
    return "\n".join(lines)


def render_overhead(record):
    runs, same = record.get("overhead") or [], record.get("overhead_identical") or {}
    if not runs:
        return ""
    lines = ["| method | binary | runs | wall s | load | prepare | init | fit | iter |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    ratios = []
    for method in dict.fromkeys(r["method"] for r in runs):
        meds = {}
        for label in ("current", "baseline"):
            ok = [r for r in runs if r["method"] == method and r["binary"] == label and r["exit"] == 0]
            meds[label] = {k: median_of(ok, ("timings", k)) for k in ("load", "prepare", "init", "fit")}
            meds[label]["wall"] = median_of(ok, ("wall_seconds",))
            each = " / ".join(f"{r['timings']['fit']:.2f}" for r in ok)
            lines.append("| " + " | ".join([
                method, "this build" if label == "current" else "baseline", str(len(ok)),
                fmt_sec(meds[label]["wall"]), fmt_sec(meds[label]["load"]), fmt_sec(meds[label]["prepare"]),
                fmt_sec(meds[label]["init"]), f"{fmt_sec(meds[label]['fit'])} ({each})",
                " / ".join(str(r.get("iterations")) for r in ok),
            ]) + " |")

        def r_(k):
            a, b = meds["current"][k], meds["baseline"][k]
            return "–" if not a or not b else f"{a / b:.2f}×"
        ratios.append(f"{method}: prepare {r_('prepare')}, init {r_('init')}, fit {r_('fit')}, wall {r_('wall')}"
                      + (f"; outputs {'identical' if all(same.get(method, {}).values()) else 'differ'} "
                         f"({', '.join(f'{n} ' + ('same' if v else 'differs') for n, v in same.get(method, {}).items())})"
                         if same.get(method) else ""))
    return "\n".join(lines) + "\n\nRatio of medians, this build ÷ baseline: " + "; ".join(ratios) + "."


def render_section(record):
    data, results = record["data"], record["results"]
    groups = group_runs(results)
    methods = list(dict.fromkeys(r["job"]["method"] for r in results))
    cores = record["machine"]["cores"]
    parts = [
        BEGIN,
        "## Scale-out over ranks (measured)",
        "",
        f"- Date: {record['date_utc']} · {record['repeats']} run(s) per job · raw measurements: "
        f"`runs/{record['raw_file']}` · benchmark wall time {record['bench_minutes']:.1f} min",
        f"- Machine: {bench_load.machine_line(record['machine'])}; {record['mpirun']}. "
        f"**{cores} cores**: ranks beyond {cores} share cores (`--oversubscribe`), and every rank also "
        "starts its own worker threads (default: all cores).",
        f"- Binary: {record['binary_note']}",
        f"- Data: `{data['file']}` — plain JSON Lines, {data['file_mb']:.1f} MB, {data['profiles']:,} profiles "
        f"(`tessera generate --profiles {data['profiles']} --segments 40 --seed {data['generate_seed']}`); "
        "plain so that every rank reads and parses its own line-aligned byte range.",
        f"- Command: `[mpirun --oversubscribe --allow-run-as-root -np N] tessera segment FILE --k {K} "
        f"--seed {record['seed']} --assignments --quiet --json [--method nmf] [--stability 0] [--threads 1]`, "
        "under `/usr/bin/time -v`.",
        "- Columns: wall = the whole command (mpirun start-up included); load … write = `run.json` `timings` "
        "(rank 0's clock; `fit` includes `prepare` and `init` and, over ranks, the gather of the labels to "
        "rank 0; the scatter of the rows from rank 0, between load and fit, is in no stage, only in "
        "`total`); × = speed-up against 1 rank under mpirun with the same stability setting; "
        "RSS max rank (time -v) = the largest single process (time -v on mpirun does not sum); sampled = "
        f"every {record['sample_interval']:g} s from /proc: the largest VmHWM of one rank and the largest sum "
        "of VmRSS over the ranks at one sample; bytes in fit = `ranks.bytes_communicated` (the payload rank 0 "
        "handed to collectives during the fit, labels gather included; what MPI relays for others is not counted); reduced / iter = `ranks.bytes_reduced_per_iteration`.",
        "",
    ]
    for method in methods:
        parts += [f"### {'k-means (default)' if method == 'kmeans' else 'NMF (HALS)'}", "",
                  render_method_table(method, groups), ""]
    parts += ["How the rows and input were spread (stability off):", "", render_spread_table(groups), "",
              "Byte identity (`filecmp`, byte for byte):", "", render_identity(results, record["across"]), ""]
    if record.get("startup"):
        parts += ["mpirun start-up (`mpirun -np N tessera --version`): "
                  + ", ".join(f"{s['ranks']} rank(s) {s['wall_seconds']:.2f} s" for s in record["startup"]) + ".", ""]
    interference = [r.get("other_cpu_share") for r in results if r.get("other_cpu_share") is not None]
    if interference:
        parts += [f"CPU used by other processes during each job (machine-wide busy time minus the job's own): "
                  f"median {100 * statistics.median(interference):.0f} %, max {100 * max(interference):.0f} % "
                  f"of the {cores} cores.", ""]
    overhead = render_overhead(record)
    if overhead:
        parts += ["### Cost of the exact block sums on one process", "",
                  f"The same 1-process job (`--stability 0`, no mpirun) with this binary and with "
                  f"{record['baseline_note']}, interleaved (order reversed on alternate repeats), "
                  f"{record['overhead_repeats']} runs each"
                  + (f" (with those of `runs/{'`, `runs/'.join(record['overhead_files'])}`)" if record.get("overhead_files") else "")
                  + "; medians (fit per run in brackets).", "",
                  overhead, ""]
    if record.get("notes"):
        parts += [record["notes"], ""]
    parts.append(END)
    return "\n".join(parts)


# --------------------------------------------------------------------------

def parse_ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def parse_stability(text):
    return [None if v.strip() == "default" else int(v) for v in text.split(",") if v.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure tessera segment over Open MPI ranks.")
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"),
                        help="an MPI build (`make mpi`)")
    parser.add_argument("--binary-note", default=None, help="how the binary was built (for RESULTS.md)")
    parser.add_argument("--baseline", default=None, help="a build from before ranks existed (overhead runs)")
    parser.add_argument("--baseline-note", default="the baseline build")
    parser.add_argument("--data", default=None, help="a plain JSON Lines file (default: generated in data/)")
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--generate-seed", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ranks", type=parse_ints, default=[1, 2, 3, 4])
    parser.add_argument("--methods", type=lambda t: t.split(","), default=["kmeans", "nmf"])
    parser.add_argument("--stability", type=parse_stability, default=[0, None],
                        help="stability settings, e.g. 0,default")
    parser.add_argument("--threads-one", type=int, default=2,
                        help="also run this many ranks with --threads 1 (0: never)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--overhead-repeats", type=int, default=2)
    parser.add_argument("--sample-interval", type=float, default=1.0)
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--notes", default=None, help="a paragraph added to the section")
    parser.add_argument("--scratch", default=None, help="where run folders go (default: a temporary folder)")
    parser.add_argument("--render", default=None, help="rewrite RESULTS.md from this raw file")
    parser.add_argument("--extra-overhead", nargs="*", default=None,
                        help="with --render: add the overhead runs of these raw files (written back into the raw file)")
    parser.add_argument("--results", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    if args.render:
        record = json.loads(Path(args.render).read_text(encoding="utf-8"))
        if args.notes:
            record["notes"] = args.notes
        if all((Path(r["out_dir"]) / "segments.json").exists() for r in record["results"] if r["exit"] == 0):
            record["across"] = compare_outputs(record["results"])
        for extra in args.extra_overhead or []:
            more = json.loads(Path(extra).read_text(encoding="utf-8"))
            if more["raw_file"] in record.get("overhead_files", []):
                continue
            record["overhead"] += more.get("overhead") or []
            record["overhead_repeats"] += more.get("overhead_repeats") or 0
            record.setdefault("overhead_files", []).append(more["raw_file"])
        raw = RUNS_DIR / record["raw_file"]
        raw.write_text(json.dumps(record, indent=1), encoding="utf-8")
        bench_load.update_results(Path(args.results), render_section(record), BEGIN, END)
        print(render_section(record))
        return

    tessera = os.path.realpath(args.tessera)
    if not os.access(tessera, os.X_OK):
        die(f"no Tessera binary at {tessera}; build it with `make mpi`")
    if shutil.which(args.mpirun) is None:
        die(f"{args.mpirun} not found; install Open MPI (`make mpi` does)")
    data = Path(args.data) if args.data else bench_load.ensure_data(tessera, args.profiles, args.generate_seed)
    if data.suffix == ".gz":
        die("the input must be plain (a .gz file cannot be split over ranks)")
    bench_load.warm_page_cache(data)

    started = time.time()
    stamp = dt.datetime.now(dt.timezone.utc)
    scratch = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="bench-ranks-"))
    scratch.mkdir(parents=True, exist_ok=True)
    log(f"bench_ranks: {data} → {scratch}")

    startup = mpirun_startup(args, tessera)
    jobs = jobs_for(args)
    results = []
    for repeat in range(args.repeats):
        order = jobs if repeat % 2 == 0 else list(reversed(jobs))
        log(f"repeat {repeat + 1} of {args.repeats}")
        for job in order:
            result = segment_job(args, tessera, data, job, scratch / f"r{repeat}")
            result["repeat"] = repeat
            results.append(result)
    across = compare_outputs(results)
    profiles = next((r["summary"]["profiles"] for r in results if r.get("summary")), args.profiles)
    for r in results:
        r.setdefault("identical", {})

    overhead, overhead_same = [], {}
    if args.baseline:
        log("overhead of the exact block sums: this binary vs the baseline, one process")
        overhead, overhead_same = overhead_runs(args, tessera, data, scratch)

    mpirun_version = subprocess.run([args.mpirun, "--version"], capture_output=True, text=True).stdout
    record = {
        "date_utc": stamp.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": bench_load.describe_machine(tessera),
        "mpirun": (mpirun_version.splitlines() or ["mpirun n/a"])[0],
        "binary_note": args.binary_note or f"`{tessera}`",
        "baseline_note": args.baseline_note,
        "data": {"file": str(data), "file_mb": data.stat().st_size / MB, "profiles": profiles,
                 "generate_seed": args.generate_seed},
        "seed": args.seed, "repeats": args.repeats, "overhead_repeats": args.overhead_repeats,
        "sample_interval": args.sample_interval, "startup": startup,
        "results": results, "across": across,
        "overhead": overhead, "overhead_identical": overhead_same,
        "bench_minutes": (time.time() - started) / 60, "scratch": str(scratch), "notes": args.notes,
    }
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    raw = RUNS_DIR / f"ranks-{profiles}-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    record["raw_file"] = raw.name
    raw.write_text(json.dumps(record, indent=1), encoding="utf-8")
    log(f"raw measurements: {raw}")
    bench_load.update_results(Path(args.results), render_section(record), BEGIN, END)
    print(render_section(record))


if __name__ == "__main__":
    main()
