#!/usr/bin/env python3
"""Benchmark `tessera load` against the scikit-learn reference path.

Both programs turn the same JSON Lines file of follower profiles into an
L2-normalised tf-idf CSR matrix (profiles x interests):

    tessera load FILE.jsonl --json --quiet
    python3 sklearn_load.py FILE.jsonl

Method
  * The data file is generated once (`tessera generate`, fixed seed) and
    reused; the page cache is warmed by reading it once before timing.
  * Each repeat runs both programs back to back, alternating which goes
    first, so that drift in the machine's speed hits both equally.
  * Every run goes through `/usr/bin/time -v` for the peak RSS; the harness
    times the whole process (perf_counter around the subprocess) and also
    records the program's own `seconds` from its JSON output.
  * Both programs must agree on profiles / interests / nonzeros, or the
    harness stops with an error.
  * Reported numbers are medians; ratio = scikit-learn / Tessera.

Outputs
  * runs/load-<UTC timestamp>.json  every raw measurement (git-ignored)
  * RESULTS.md                      the section between `<!-- load:begin -->`
                                    and `<!-- load:end -->` is replaced (or
                                    appended); everything else is kept.
Standard library only (the scikit-learn side runs in a child process).
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKLEARN_SCRIPT = HERE / "sklearn_load.py"
DATA_DIR = HERE / "data"
RUNS_DIR = HERE / "runs"

SEGMENTS = 40  # planted segments in the generated audience
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
# Sizes are in binary megabytes (2^20 bytes), the convention `tessera generate`
# uses for its "MB"; /usr/bin/time reports peak RSS in KiB.
MB = 1 << 20
COUNT_KEYS = ("profiles", "interests", "nonzeros")

# The bar from the brief, set for the default size (300,000 profiles).
BAR_PROFILES = 300_000
BAR_MAX_SECONDS = 1.0
BAR_MIN_RATIO = 15.0

HEADER = """# Tessera benchmarks

Run with `make bench` from the repository root (builds the release binary,
then runs every benchmark here), or `make -C Benchmarks quick` for a small
smoke run. Every number is the median of interleaved repeats — Tessera and
the reference run alternately, on the same data file, in the same run — so
compare numbers within a section, not across sections or runs: the machine's
speed drifts by up to 2× over time. Raw measurements of each run are kept in
`Benchmarks/runs/` (git-ignored).
"""


def log(message):
    """Progress goes to stderr; stdout carries only the final table."""
    print(message, file=sys.stderr, flush=True)


def die(message):
    log(f"bench_load: error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Machine description
# --------------------------------------------------------------------------

def first_match(path, pattern):
    """First regex group 1 matching a line of `path`, or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                match = re.match(pattern, line)
                if match:
                    return match.group(1).strip()
    except OSError:
        pass
    return None


def command_first_line(argv):
    """First line of a command's output, or None if it cannot be run."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0].strip() if done.returncode == 0 and text else None


def python_package_versions():
    """scikit-learn and numpy versions of the interpreter that runs the reference."""
    code = "import json, sklearn, numpy; print(json.dumps([sklearn.__version__, numpy.__version__]))"
    line = command_first_line([sys.executable, "-c", code])
    return json.loads(line) if line else ["n/a", "n/a"]


def describe_machine(tessera):
    mem_kb = first_match("/proc/meminfo", r"MemTotal:\s+(\d+)\s*kB")
    sklearn_version, numpy_version = python_package_versions()
    return {
        "cpu": first_match("/proc/cpuinfo", r"model name\s*:\s*(.+)") or platform.processor() or "n/a",
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem_kb) * 1024 / 1e9, 1) if mem_kb else None,
        "os": (first_match("/etc/os-release", r"PRETTY_NAME=(.+)") or platform.platform()).strip('"'),
        "swift": command_first_line(["swift", "--version"]) or "n/a",
        "tessera": "tessera " + (command_first_line([tessera, "--version"]) or "n/a"),
        "python": platform.python_version(),
        "sklearn": sklearn_version,
        "numpy": numpy_version,
    }


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def ensure_data(tessera, profiles, seed):
    """Generate data/planted-{N}-seed{seed}.jsonl once; return its path."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"planted-{profiles}-seed{seed}.jsonl"
    if path.exists():
        log(f"data: reusing {path.relative_to(HERE)}")
        return path
    labels = DATA_DIR / f"planted-{profiles}-seed{seed}-labels.csv"
    # Write under a temporary name and rename, so an interrupted run never
    # leaves a truncated file that later runs would silently reuse.
    partial = DATA_DIR / f".partial-{path.name}"
    log(f"data: generating {path.relative_to(HERE)} ({profiles} profiles, seed {seed})")
    done = subprocess.run(
        [tessera, "generate", "--profiles", str(profiles), "--segments", str(SEGMENTS),
         "--seed", str(seed), "--out", str(partial), "--labels", str(labels), "--quiet"],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        die(f"tessera generate failed (exit {done.returncode}):\n{done.stderr.strip()}")
    partial.replace(path)
    log(f"data: wrote {path.stat().st_size / MB:.1f} MB")
    return path


def warm_page_cache(path):
    """Read the file once so that no timed run pays for cold disk reads."""
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------

def measure(name, argv):
    """Run argv under /usr/bin/time -v; return wall time, peak RSS and its JSON."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time", delete=True) as time_file:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", time_file.name, *argv],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        time_report = time_file.read()
    if done.returncode != 0:
        die(f"{name} failed (exit {done.returncode}): {' '.join(argv)}\n"
            f"{done.stderr.strip()}\n{time_report.strip()}")
    rss = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", time_report)
    if not rss:
        die(f"no peak RSS in /usr/bin/time output for {name}:\n{time_report}")
    try:
        # Each program prints exactly one JSON object; take the last line to
        # tolerate anything printed before it.
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        die(f"{name} did not print a JSON object on stdout:\n{done.stdout[:2000]}")
    return {
        "tool": name,
        "wall_seconds": wall,
        "internal_seconds": float(report["seconds"]),
        "peak_rss_kb": int(rss.group(1)),
        "counts": {key: int(report[key]) for key in COUNT_KEYS},
        "stage_seconds": report.get("stage_seconds"),
    }


def run_repeats(tessera, data, repeats):
    commands = {
        "tessera": [tessera, "load", str(data), "--json", "--quiet"],
        "sklearn": [sys.executable, str(SKLEARN_SCRIPT), str(data)],
    }
    runs = []
    for r in range(repeats):
        # Alternate the order so neither tool always runs on a "warmer" machine.
        order = ("tessera", "sklearn") if r % 2 == 0 else ("sklearn", "tessera")
        for name in order:
            result = measure(name, commands[name])
            result["repeat"] = r
            runs.append(result)
            log(f"repeat {r + 1}/{repeats} {name:8s} wall {result['wall_seconds']:.3f} s  "
                f"internal {result['internal_seconds']:.3f} s  "
                f"peak RSS {mb(result['peak_rss_kb']):.0f} MB")
        check_agreement(runs)
    return runs


def check_agreement(runs):
    """Every run of both tools must report identical profiles/interests/nonzeros."""
    reference = runs[0]
    for run in runs[1:]:
        if run["counts"] != reference["counts"]:
            die("tools disagree on the matrix shape:\n"
                f"  {reference['tool']} (repeat {reference['repeat'] + 1}): {reference['counts']}\n"
                f"  {run['tool']} (repeat {run['repeat'] + 1}): {run['counts']}")


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

def summarise(runs):
    """Medians (and min/max) per tool; ratios = scikit-learn / Tessera."""
    summary = {}
    for tool in ("tessera", "sklearn"):
        mine = [run for run in runs if run["tool"] == tool]
        summary[tool] = {}
        for key in ("wall_seconds", "internal_seconds", "peak_rss_kb"):
            values = [run[key] for run in mine]
            summary[tool][key] = {"median": statistics.median(values),
                                  "min": min(values), "max": max(values)}
    stages = [run["stage_seconds"] for run in runs if run["tool"] == "tessera" and run["stage_seconds"]]
    summary["tessera"]["stage_seconds_median"] = {
        key: statistics.median(stage[key] for stage in stages) for key in stages[0]
    } if stages else {}
    summary["ratio"] = {
        key: summary["sklearn"][key]["median"] / summary["tessera"][key]["median"]
        for key in ("wall_seconds", "internal_seconds")
    }
    return summary


def judge_bar(summary, profiles):
    """The bar: Tessera ≤ 1.0 s and ≥ 15× faster than scikit-learn.

    Judged strictly: the Tessera median must be ≤ 1.0 s and the ratio ≥ 15×
    on both the process-wall and the internal-timer row.
    """
    rows = {}
    for key, label in (("wall_seconds", "process wall"), ("internal_seconds", "internal timer")):
        seconds = summary["tessera"][key]["median"]
        ratio = summary["ratio"][key]
        rows[label] = {"seconds": seconds, "ratio": ratio,
                       "seconds_ok": seconds <= BAR_MAX_SECONDS, "ratio_ok": ratio >= BAR_MIN_RATIO}
    met = all(row["seconds_ok"] and row["ratio_ok"] for row in rows.values())
    return {"met": met, "rows": rows, "at_bar_size": profiles == BAR_PROFILES}


def mb(kilobytes):
    """Peak RSS in MB from /usr/bin/time's KiB."""
    return kilobytes * 1024 / MB


def render_table(summary):
    t, s, ratio = summary["tessera"], summary["sklearn"], summary["ratio"]
    return "\n".join([
        "| step | Tessera (median s) | scikit-learn (median s) | ratio | "
        "Tessera peak RSS MB | scikit-learn peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
        f"| load JSONL → tf-idf CSR (process wall) | {t['wall_seconds']['median']:.3f} | "
        f"{s['wall_seconds']['median']:.3f} | {ratio['wall_seconds']:.1f}× | "
        f"{mb(t['peak_rss_kb']['median']):.0f} | {mb(s['peak_rss_kb']['median']):.0f} |",
        f"| (internal timer) | {t['internal_seconds']['median']:.3f} | "
        f"{s['internal_seconds']['median']:.3f} | {ratio['internal_seconds']:.1f}× | "
        f"(same runs) | (same runs) |",
    ])


def machine_line(machine):
    """One line describing the machine and tool versions (from describe_machine)."""
    memory = f"{machine['memory_gb']} GB RAM" if machine["memory_gb"] else "memory n/a"
    return (f"{machine['cpu']}, {machine['cores']} cores, {memory}, {machine['os']}; "
            f"{machine['swift']}; scikit-learn {machine['sklearn']}, numpy {machine['numpy']} "
            f"(Python {machine['python']}); {machine['tessera']}")


def render_section(record):
    """The Markdown between the load markers."""
    machine, data, summary, bar = record["machine"], record["data"], record["summary"], record["bar"]
    t, s = summary["tessera"], summary["sklearn"]

    stages = summary["tessera"]["stage_seconds_median"]
    pipeline = ["read", "parse", "merge", "assemble"]  # display order; others follow
    ordered = [k for k in pipeline if k in stages] + [k for k in stages if k not in pipeline]
    stage_text = " · ".join(f"{k} {stages[k]:.3f}" for k in ordered) or "n/a"

    def verdict(row):
        return (f"{row['seconds']:.3f} s ({'ok' if row['seconds_ok'] else 'too slow'}), "
                f"{row['ratio']:.1f}× ({'ok' if row['ratio_ok'] else 'short of 15×'})")

    bar_line = (f"**Bar: ≤ 1.0 s and ≥ 15× faster — {'met' if bar['met'] else 'not met'}.** "
                f"Process wall: {verdict(bar['rows']['process wall'])}; "
                f"internal timer: {verdict(bar['rows']['internal timer'])}. "
                "Both must hold on both rows.")
    if not bar["at_bar_size"]:
        bar_line += (f" Note: the bar is set for {BAR_PROFILES:,} profiles; this run used "
                     f"{data['profiles']:,}, so the verdict is only indicative.")

    return "\n".join([
        BEGIN,
        "## Load: JSON Lines → tf-idf CSR matrix",
        "",
        f"- Date: {record['date_utc']} · {record['repeats']} interleaved repeats · "
        f"raw measurements: `runs/{record['raw_file']}`",
        f"- Machine: {machine_line(machine)}",
        f"- Data: `data/{data['file']}` — {data['profiles']:,} profiles, {data['interests']:,} interests, "
        f"{data['nonzeros']:,} nonzeros, {data['file_mb']:.1f} MB "
        f"(`tessera generate --profiles {data['profiles']} --segments {SEGMENTS} --seed {data['seed']}`)",
        "- Commands: `tessera load FILE --json --quiet` vs `python3 sklearn_load.py FILE` "
        "(json.loads per line → MultiLabelBinarizer(sparse_output=True) → TfidfTransformer()). "
        "Process wall includes start-up (Python imports for scikit-learn); the internal timer "
        "covers read + vectorise + tf-idf only.",
        "",
        render_table(summary),
        "",
        f"Spread (min–max s): Tessera wall {t['wall_seconds']['min']:.3f}–{t['wall_seconds']['max']:.3f}, "
        f"internal {t['internal_seconds']['min']:.3f}–{t['internal_seconds']['max']:.3f}; "
        f"scikit-learn wall {s['wall_seconds']['min']:.3f}–{s['wall_seconds']['max']:.3f}, "
        f"internal {s['internal_seconds']['min']:.3f}–{s['internal_seconds']['max']:.3f}.",
        "",
        f"Tessera stage_seconds (median s): {stage_text}.",
        "",
        bar_line,
        END,
    ])


def update_results(path, section, begin_marker=BEGIN, end_marker=END):
    """Replace one section of RESULTS.md (or append it), keeping the rest.

    The section lies between `begin_marker` and `end_marker` (by default the
    load markers; other benchmarks pass their own) and `section` must start
    and end with them.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.lstrip().startswith("# Tessera benchmarks"):
        text = HEADER + ("\n" + text.lstrip("\n") if text.strip() else "")
    begin, end = text.find(begin_marker), text.find(end_marker)
    if begin >= 0 and end > begin:
        text = text[:begin] + section + text[end + len(end_marker):]
    elif begin >= 0 or end >= 0:
        die(f"{path}: unbalanced {begin_marker} / {end_marker} markers; fix the file by hand")
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    if not text.endswith("\n"):
        text += "\n"
    # Write atomically so an interrupted run never leaves a half-written file.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# --------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark tessera load against scikit-learn.")
    parser.add_argument("--tessera", default=str(HERE.parent / ".build/release/tessera"),
                        help="path to the tessera binary (default: ../.build/release/tessera)")
    parser.add_argument("--profiles", type=int, default=300_000, help="profiles to generate (default 300000)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats (default 5)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="RESULTS.md to update")
    args = parser.parse_args(argv)

    tessera = str(Path(args.tessera).resolve())
    if not os.access(tessera, os.X_OK):
        die(f"tessera binary not found or not executable: {args.tessera} (run `make release` first)")
    if not os.access("/usr/bin/time", os.X_OK):
        die("/usr/bin/time is required (Debian/Ubuntu: apt-get install time)")
    if args.repeats < 1 or args.profiles < 1:
        die("--repeats and --profiles must be at least 1")

    data = ensure_data(tessera, args.profiles, args.seed)
    warm_page_cache(data)
    machine = describe_machine(tessera)

    started = dt.datetime.now(dt.timezone.utc)
    runs = run_repeats(tessera, data, args.repeats)
    summary = summarise(runs)
    bar = judge_bar(summary, args.profiles)

    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    raw_path = RUNS_DIR / f"load-{stamp}.json"
    record = {
        "benchmark": "load",
        "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "raw_file": raw_path.name,
        "repeats": args.repeats,
        "commands": {"tessera": [tessera, "load", "FILE", "--json", "--quiet"],
                     "sklearn": [sys.executable, str(SKLEARN_SCRIPT), "FILE"]},
        "machine": machine,
        "data": {"file": data.name, "profiles": args.profiles, "seed": args.seed,
                 "segments": SEGMENTS, "file_bytes": data.stat().st_size,
                 "file_mb": data.stat().st_size / MB, **runs[0]["counts"]},
        "runs": runs,
        "summary": summary,
        "bar": bar,
    }
    raw_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    out = Path(args.out)
    update_results(out, render_section(record))
    log(f"raw measurements: {raw_path}")
    log(f"updated: {out}")

    print(render_table(summary))
    print(f"bar: ≤ 1.0 s and ≥ 15× faster — {'met' if bar['met'] else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
