#!/usr/bin/env python3
"""Compare what two Tessera binaries write for the same jobs, file by file.

A refactor that must keep behaviour (same segments, same files) is checked with this: build the
binary before and after, then

    python3 Benchmarks/compare_outputs.py OLD_BIN NEW_BIN [--demo-cache CACHE] [--work DIR]

Every job below is run by both binaries into separate folders; every file they write is compared
byte for byte, except the fields that measure time (run.json `timings`, per-iteration `seconds`,
sweep points' `seconds`), `tessera_version`, and the run.json/model fields a release may change by
design (listed in IGNORED_RUN_KEYS). It prints one line per file and exits 1 if any differs.
"""
import argparse
import filecmp
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "datasets")

# run.json keys whose layout a release may change on purpose; compared only when --strict-run.
IGNORED_RUN_KEYS = {"timings", "tessera_version", "parameters", "job", "loader", "outputs", "history", "files"}


def jobs(demo_cache):
    lastfm = os.path.join(DATA, "lastfm-2k", "user_artist_plays.csv.gz")
    news = os.path.join(DATA, "20newsgroups", "docs.jsonl.gz")
    deezer = os.path.join(DATA, "deezer", "hu_genres.jsonl.gz")
    yield "lastfm-kmeans", ["segment", lastfm, "--k", "10", "--seed", "3", "--assignments"]
    yield "lastfm-nmf", ["segment", lastfm, "--k", "10", "--seed", "3", "--method", "nmf", "--assignments"]
    yield "lastfm-kmeans-par", ["segment", lastfm, "--k", "10", "--seed", "3", "--init", "kmeans||", "--assignments"]
    yield "lastfm-kmeans-random", ["segment", lastfm, "--k", "10", "--seed", "3", "--init", "random", "--assignments"]
    yield "news-kmeans", ["segment", news, "--k", "20", "--seed", "1", "--stability", "2", "--assignments"]
    yield "deezer-sweep", ["sweep", deezer, "--k", "4,8"]
    if demo_cache:
        yield "demo-nmf", ["segment", demo_cache, "--k", "40", "--seed", "7", "--method", "nmf", "--stability", "0", "--assignments"]
        yield "demo-minibatch", ["segment", demo_cache, "--k", "40", "--seed", "7", "--algorithm", "minibatch", "--assignments"]


def strip_times(value):
    if isinstance(value, dict):
        return {k: strip_times(v) for k, v in value.items() if k not in ("seconds", "assign_seconds", "update_seconds")}
    if isinstance(value, list):
        return [strip_times(v) for v in value]
    return value


def same(a, b, name):
    if name == "run.json":
        ja, jb = (json.load(open(p)) for p in (a, b))
        for key in IGNORED_RUN_KEYS:
            ja.pop(key, None)
            jb.pop(key, None)
        return ja == jb
    if name == "sweep.json":
        return strip_times(json.load(open(a))) == strip_times(json.load(open(b)))
    if name in ("model.tessera", "sweep.html"):
        return None  # binary layout / embedded timings: not compared
    return filecmp.cmp(a, b, shallow=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--demo-cache", help="a profile cache of the demo audience (make demo writes demo-output/audience.tcache)")
    parser.add_argument("--work", default="/tmp/tessera-compare")
    args = parser.parse_args()
    differ = 0
    for name, argv in jobs(args.demo_cache):
        folders = []
        for side, binary in (("old", args.old), ("new", args.new)):
            out = os.path.join(args.work, side, name)
            subprocess.run(["rm", "-rf", out], check=True)
            subprocess.run([binary] + argv + ["--out", out, "--quiet"], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            folders.append(out)
        for dirpath, _, files in os.walk(folders[0]):
            for file in sorted(files):
                a = os.path.join(dirpath, file)
                rel = os.path.relpath(a, folders[0])
                b = os.path.join(folders[1], rel)
                verdict = same(a, b, file) if os.path.exists(b) else False
                if verdict is None:
                    continue
                print(f"{'same' if verdict else 'DIFFERS'}  {name}/{rel}")
                differ += 0 if verdict else 1
    print(f"{differ} file(s) differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
