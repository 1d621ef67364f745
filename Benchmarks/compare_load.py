#!/usr/bin/env python3
"""Compare two `tessera` binaries on `tessera load`, interleaved, on the same files.

    python3 compare_load.py --before OLD_BIN --after NEW_BIN [--repeats 9] FILE...
    python3 compare_load.py --make-debris data/planted-300000-seed7.jsonl data/debris-300000-seed7.jsonl

For a change in the loader, the number that matters is the difference between the two binaries
measured in the same run: each repeat runs both back to back, alternating which goes first, after
the file has been read once to warm the page cache. Prints medians (min-max) of the process wall
time and of the loader's own timer and stage seconds, the counts each binary reports, and the
1-minute load average before and after (the machine is shared).

--make-debris rewrites a JSON Lines file the way tokenised posts look: four interests in ten get
trailing punctuation (`:`, `!`, `…`, `.`, `!!`, `...`, `)`) and each profile gains 0-3 debris
tokens (`@...`, `#…`, `@`, `#`, `@the`, `@gmail.com`, `@my`, `#0`…`#1999`). Seeded, so the same
input gives the same file. Standard library only.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

MARKS = [":", "!", "…", ".", "!!", "...", ")"]
DEBRIS = ["@...", "#...", "#…", "@", "#", "@the", "@gmail.com", "@my"] + [f"#{n}" for n in range(2000)]


def make_debris(source, target, seed=7):
    rng = random.Random(seed)
    with open(source, encoding="utf-8") as f, open(target, "w", encoding="utf-8") as out:
        for line in f:
            record = json.loads(line)
            interests = record["interests"]
            if isinstance(interests, dict):
                interests = list(interests)
            interests = [x + rng.choice(MARKS) if rng.random() < 0.4 else x for x in interests]
            interests += rng.sample(DEBRIS, rng.randint(0, 3))
            record["interests"] = interests
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(binary, path):
    started = time.perf_counter()
    done = subprocess.run([binary, "load", path, "--json", "--quiet"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    summary = json.loads(done.stdout)
    return wall, summary


def spread(values):
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before")
    parser.add_argument("--after")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--make-debris", nargs=2, metavar=("SOURCE", "TARGET"))
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    if args.make_debris:
        make_debris(*args.make_debris)
        return
    if not (args.before and args.after and args.files):
        parser.error("--before, --after and at least one FILE are needed")
    binaries = {"before": args.before, "after": args.after}
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for path in args.files:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
        runs = {"before": [], "after": []}
        for r in range(args.repeats):
            for name in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
                runs[name].append(run(binaries[name], path))
        print(f"\n{os.path.basename(path)} ({args.repeats} interleaved repeats)")
        for name in ("before", "after"):
            walls = [w for w, _ in runs[name]]
            timers = [s["seconds"] for _, s in runs[name]]
            stages = {k: [s["stage_seconds"].get(k, 0) for _, s in runs[name]] for k in ("parse", "merge", "assemble")}
            last = runs[name][-1][1]
            counts = {k: last.get(k) for k in ("profiles", "interests", "nonzeros", "empty", "hygiene_dropped", "hygiene_reduced")}
            print(f"  {name:6s} wall {spread(walls)} s, timer {spread(timers)} s, "
                  + ", ".join(f"{k} {statistics.median(v):.3f}" for k, v in stages.items()) + f"; {counts}")
        ratio = statistics.median([w for w, _ in runs["after"]]) / statistics.median([w for w, _ in runs["before"]])
        print(f"  after / before (median wall): {ratio:.3f}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
