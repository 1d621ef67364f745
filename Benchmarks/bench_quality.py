#!/usr/bin/env python3
"""Segment quality: Tessera's k-means (and NMF) beside scikit-learn's pipelines, same data, same run.

    python3 bench_quality.py [--tessera BIN] [--seeds 1,2,3,4,5] [--datasets NAME,...]
    python3 bench_quality.py --render runs/quality-<stamp>.json
                             (rewrite the RESULTS.md section from a raw file)

Datasets (k in brackets)
  * planted-300k      `tessera generate --profiles 300000 --segments 40 --seed 7` [40]
  * planted-100k-k100 `tessera generate --profiles 100000 --segments 100 --seed 7` [100]
  * planted-uneven20  `tessera generate --profiles 100000 --segments 40 --seed 7 --size-ratio 20` [40]
  * 20newsgroups      datasets/20newsgroups (labels: the newsgroup) [20]
  * deezer-hu, deezer-ro  datasets/deezer genres (no labels; friendships) [20: 84 genres in all]
  * lastfm            datasets/lastfm-2k artist plays (no labels; friendships) [20]

Methods, at every seed (the k-means / NMF seed; the data stay fixed)
  * Tessera `segment CACHE --k K --seed S --stability 0`: default (latent space + split–merge),
    `--no-refine`, `--space interests --no-refine` (the default before the latent space), and
    `--method nmf` (main's NMF and stopping rule as they are).
  * scikit-learn (sklearn_quality.py, one process per job): KMeans(k, n_init=1) on the tf-idf rows;
    LSA = TruncatedSVD(r) -> Normalizer -> KMeans(k, n_init=1) and n_init=10, with Tessera's r;
    NMF(k, init="nndsvda", solver="cd"), argmax of W.
  Both read the same matrix: Tessera's profile cache (`tessera load FILES --cache`), which the
  scikit-learn worker reads directly (same rows, interests and tf-idf values, Float32).

Metrics (one scoring process per dataset, sklearn_quality.py score, the same code for every tool)
  * NMI, ARI against the labels (planted: the primary segment; also on single-segment profiles
    only, `secondary` = -1); planted data also get the oracle ceiling: KMeans started at the true
    segment means (raw tf-idf rows).
  * largest-segment share; empty segments.
  * inertia in one common space: scikit-learn's LSA of the matrix (TruncatedSVD(r, random_state=0),
    unit rows); each tool's labels -> segment means there -> sum of squared distances.
  * inertia in the space Tessera optimises (real sets, Tessera's k-means jobs): the profiles through
    the model file's latent projection, unit rows; Tessera's labels there against KMeans(n_init=10)
    of the same seed run in that same space.
  * twin pairs: segment pairs whose two heaviest interests (largest mean tf-idf weight) are the same
    set, for every tool; for Tessera also pairs whose segments.json `label` interests are the same set.
  * friendship co-assignment lift (Deezer, Last.fm): the fraction of friendship edges whose two ends
    share a segment, divided by the chance rate sum(share^2).
  * fit time: Tessera run.json `timings.fit` (the SVD, k-means, split–merge and segment means; loading
    excluded); scikit-learn around the fit calls (SVD + normalise + KMeans for LSA). Shown as ratios.

Machine: shared (other builds run). Each job records /proc/loadavg before it and the CPU other
processes used meanwhile. Tessera runs with the environment as it is (OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE kept if the machine sets them); scikit-learn runs under `env -u OPENBLAS_CORETYPE
-u OPENBLAS_L2_SIZE` (and records its thread pools). Tool order alternates between seeds.

Outputs: runs/quality-<UTC stamp>.json (every measurement) and the RESULTS.md section between
`<!-- quality:begin -->` and `<!-- quality:end -->`.
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
import bench_kmeans as km  # noqa: E402  (measurement with CPU accounting, load average)
import bench_load  # noqa: E402  (machine line, RESULTS.md writer)
from bench_load import DATA_DIR, RUNS_DIR, log  # noqa: E402

ROOT = HERE.parent
WORKER = HERE / "sklearn_quality.py"
BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
DATASETS = {
    "planted-300k": {"planted": {"profiles": 300_000, "segments": 40, "seed": 7}, "k": 40,
                     "title": "planted, 300,000 profiles, 40 segments (seed 7)"},
    "planted-100k-k100": {"planted": {"profiles": 100_000, "segments": 100, "seed": 7}, "k": 100,
                          "title": "planted, 100,000 profiles, 100 segments (seed 7)"},
    "planted-uneven20": {"planted": {"profiles": 100_000, "segments": 40, "seed": 7, "size_ratio": 20}, "k": 40,
                         "title": "planted, 100,000 profiles, 40 segments, sizes 1:20 (`--size-ratio 20`, seed 7)"},
    "20newsgroups": {"inputs": ["datasets/20newsgroups/docs.jsonl.gz"], "k": 20,
                     "truth": {"path": "datasets/20newsgroups/labels.csv.gz", "column": "label"},
                     "title": "20 Newsgroups (18,846 posts, 20 newsgroups)"},
    "deezer-hu": {"inputs": ["datasets/deezer/hu_genres.jsonl.gz"], "k": 20,
                  "friends": {"path": "datasets/deezer/hu_friends.csv.gz", "id_prefix": "hu-"},
                  "title": "Deezer HU (47,538 users × 84 genres, friendships)"},
    "deezer-ro": {"inputs": ["datasets/deezer/ro_genres.jsonl.gz"], "k": 20,
                  "friends": {"path": "datasets/deezer/ro_friends.csv.gz", "id_prefix": "ro-"},
                  "title": "Deezer RO (41,773 users × 84 genres, friendships)"},
    "lastfm": {"inputs": ["datasets/lastfm-2k/user_artist_plays.csv.gz"], "k": 20,
               "friends": {"path": "datasets/lastfm-2k/user_friends.tsv.gz", "delimiter": "\t"},
               "title": "Last.fm (1,892 users × 17,632 artists, plays; friendships)"},
}
TESSERA_JOBS = {
    "default": [],
    "no-refine": ["--no-refine"],
    "old": ["--space", "interests", "--no-refine"],
    "nmf": ["--method", "nmf"],
}
SKLEARN_JOBS = ("raw", "lsa", "nmf")
# Tessera jobs whose inertia is also measured in their own latent space (the model's projection),
# against KMeans(n_init=10) run in that same space: on the real sets (the planted ones are large).
OWN_SPACE_JOBS = ("default", "no-refine")
METHODS = [  # (key, display name)
    ("tessera-default", "Tessera default (latent + split–merge)"),
    ("tessera-no-refine", "Tessera `--no-refine`"),
    ("tessera-old", "Tessera `--space interests --no-refine` (old default)"),
    ("tessera-nmf", "Tessera `--method nmf`"),
    ("sklearn-raw", "scikit-learn KMeans(n_init=1), tf-idf"),
    ("sklearn-lsa1", "scikit-learn LSA + KMeans(n_init=1)"),
    ("sklearn-lsa10", "scikit-learn LSA + KMeans(n_init=10)"),
    ("sklearn-nmf", "scikit-learn NMF cd, argmax W"),
]


def die(message):
    log(f"bench_quality: error: {message}")
    sys.exit(1)


def dimensions(k, rows, columns):
    """Tessera's automatic latent dimensions (LatentSpace.automaticDimensions)."""
    return max(1, min((k + 16 + 15) // 16 * 16 - 8, min(rows, columns) - 1))


def loadavg_line():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return None


def sklearn_argv(*arguments):
    unset = [part for name in BLAS_VARIABLES for part in ("-u", name)]
    return ["env", *unset, sys.executable, str(WORKER), *map(str, arguments)]


def run_job(name, argv):
    """km.measure (wall, RSS, JSON, CPU of others), but a failed job is recorded, not fatal."""
    before = loadavg_line()
    try:
        wall, rss, report = km.measure(name, argv)
    except SystemExit:
        return {"failed": True, "loadavg_before": before, "argv": [str(a) for a in argv]}
    return {"wall_seconds": wall, "peak_rss_kb": rss, "report": report, "loadavg_before": before,
            **km.LAST_CPU}


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def planted_files(tessera, spec):
    """The generated JSONL and labels (made once, reused)."""
    p = spec["planted"]
    name = f"planted-{p['profiles']}-k{p['segments']}" + (f"-ratio{p['size_ratio']:g}" if p.get("size_ratio") else "") \
        + f"-seed{p['seed']}"
    if p["segments"] == bench_load.SEGMENTS and not p.get("size_ratio"):
        return km.ensure_labelled_data(tessera, p["profiles"], p["seed"])  # shared with the other benchmarks
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    data, labels = DATA_DIR / f"{name}.jsonl", DATA_DIR / f"{name}-labels.csv"
    if data.exists() and labels.exists():
        log(f"data: reusing {data.relative_to(HERE)}")
        return data, labels
    partial = DATA_DIR / f".partial-{data.name}"
    argv = [tessera, "generate", "--profiles", p["profiles"], "--segments", p["segments"], "--seed", p["seed"],
            "--out", partial, "--labels", labels, "--quiet"]
    if p.get("size_ratio"):
        argv += ["--size-ratio", p["size_ratio"]]
    log(f"data: generating {data.relative_to(HERE)}")
    km.measure("tessera generate", argv, parse_json=False)
    partial.replace(data)
    return data, labels


def prepare(tessera, name, spec):
    """Inputs, the Tessera cache (rewritten every run) and the scoring spec of one dataset."""
    truth = None
    if "planted" in spec:
        data, labels = planted_files(tessera, spec)
        inputs = [data]
        truth = {"path": str(labels), "column": "segment", "secondary_column": "secondary"}
    else:
        inputs = [ROOT / path for path in spec["inputs"]]
        if spec.get("truth"):
            truth = dict(spec["truth"], path=str(ROOT / spec["truth"]["path"]))
    cache = DATA_DIR / f"quality-{name}.tcache"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log(f"{name}: tessera load -> {cache.relative_to(HERE)}")
    _, _, report = km.measure("tessera load", [tessera, "load", *inputs, "--cache", cache, "--quiet", "--json"])
    counts = {key: int(report[key]) for key in ("rows", "interests", "nonzeros")}
    friends = dict(spec["friends"], path=str(ROOT / spec["friends"]["path"])) if spec.get("friends") else None
    return {"inputs": [str(i) for i in inputs], "cache": str(cache), "counts": counts, "truth": truth,
            "friends": friends, "dimensions": dimensions(spec["k"], counts["rows"], counts["interests"])}


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def tessera_job(tessera, data, k, seed, job, out_dir, keep):
    if out_dir.exists():
        shutil.rmtree(out_dir)
    argv = [tessera, "segment", data["cache"], "--k", k, "--seed", seed, "--out", out_dir, "--assignments",
            "--stability", "0", "--quiet", "--json", *TESSERA_JOBS[job]]
    result = run_job(f"tessera {job}", argv)
    if result.get("failed"):
        return result
    result.pop("report", None)
    run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    segments = json.loads((out_dir / "segments.json").read_text(encoding="utf-8"))
    result.update({"timings": run["timings"], "iterations": run.get("iterations"),
                   "converged": run.get("converged"), "objective": run.get("objective"),
                   "space": run.get("space"), "refinement": run.get("refinement")})
    if result["refinement"]:
        result["refinement"] = {key: value for key, value in result["refinement"].items() if key != "moves"} \
            | {"moves": (result["refinement"].get("moves") or [])[:50]}
    labels = [frozenset(part.strip() for part in (s.get("label") or "").split(" · ") if part.strip())
              for s in segments["segments"] if s.get("size", 0) > 0]
    groups = {}
    for label in labels:
        groups[label] = groups.get(label, 0) + 1
    result["label_pairs"] = sum(n * (n - 1) // 2 for n in groups.values())
    result["labels"] = [s.get("label") for s in segments["segments"]]
    path = keep / f"tessera-{job}-seed{seed}.csv"
    shutil.copyfile(out_dir / "assignments.csv", path)
    result["files"] = {f"tessera-{job}": str(path)}
    if (out_dir / "model.tessera").exists() and job in OWN_SPACE_JOBS:
        model = keep / f"tessera-{job}-seed{seed}.model"
        shutil.copyfile(out_dir / "model.tessera", model)
        result["model"] = str(model)
    return result


def sklearn_job(data, k, seed, job, keep):
    argv = sklearn_argv("fit", data["cache"], "--job", job, "--k", k, "--seed", seed,
                        "--dimensions", data["dimensions"], "--out", keep / f"sklearn-seed{seed}")
    result = run_job(f"scikit-learn {job}", argv)
    if result.get("failed"):
        return result
    report = result.pop("report")
    result["report"] = report
    result["files"] = {f"sklearn-{name}": path for name, path in report["files"].items()}
    return result


def run_dataset(tessera, name, spec, seeds, scratch):
    data = prepare(tessera, name, spec)
    k = spec["k"]
    keep = scratch / name
    keep.mkdir(parents=True, exist_ok=True)
    runs = []
    for index, seed in enumerate(seeds):
        order = [("tessera", job) for job in TESSERA_JOBS] + [("sklearn", job) for job in SKLEARN_JOBS]
        if index % 2 == 1:
            order.reverse()
        for tool, job in order:
            if tool == "tessera":
                result = tessera_job(tessera, data, k, seed, job, scratch / "out", keep)
            else:
                result = sklearn_job(data, k, seed, job, keep)
            result.update({"dataset": name, "seed": seed, "tool": tool, "job": job})
            runs.append(result)
            log(f"{name} seed {seed} {describe(result)}")
    own_space = "planted" not in spec
    entries = [{"name": f"{key}-seed{run['seed']}", "path": path, "seed": run["seed"]}
               | ({"model": run["model"]} if own_space and run.get("model") else {})
               for run in runs if not run.get("failed") for key, path in run["files"].items()]
    score_spec = {"cache": data["cache"], "k": k, "dimensions": data["dimensions"], "space_seed": 0,
                  "truth": data["truth"], "friends": data["friends"], "oracle": "planted" in spec,
                  "entries": entries}
    spec_path = keep / "score.json"
    spec_path.write_text(json.dumps(score_spec), encoding="utf-8")
    log(f"{name}: scoring {len(entries)} label files (untimed)")
    scored = run_job("scikit-learn score", sklearn_argv("score", spec_path))
    if scored.get("failed"):
        die(f"{name}: scoring failed")
    return {"data": data, "k": k, "runs": runs, "scores": scored["report"],
            "score_loadavg": scored["loadavg_before"]}


def describe(result):
    if result.get("failed"):
        return f"{result['tool']} {result['job']} FAILED"
    text = f"{result['tool']:7s} {result['job']:9s} wall {result['wall_seconds']:7.2f} s"
    if result["tool"] == "tessera":
        t = result["timings"]
        text += f"  fit {t['fit']:.3f} (prepare {t.get('prepare', 0):.3f}, init {t.get('init', 0):.3f})"
        if result.get("refinement"):
            r = result["refinement"]
            text += f"  split-merge {r.get('moves_accepted')}/{r.get('moves_tried')} in {r.get('seconds', 0):.3f} s"
        text += f"  label pairs {result['label_pairs']}"
    else:
        rep = result["report"]
        if "n_init_1" in rep:
            text += f"  lsa1 {rep['n_init_1']['seconds']:.3f}  lsa10 {rep['n_init_10']['seconds']:.3f}"
        else:
            text += f"  fit {rep['seconds']:.3f}"
    return text + f"  load {result['loadavg_before']}" + km.describe_cpu(result)


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

def fit_seconds(run, key):
    if run.get("failed"):
        return None
    if run["tool"] == "tessera":
        return run["timings"]["fit"]
    report = run["report"]
    if key == "sklearn-lsa1":
        return report["n_init_1"]["seconds"]
    if key == "sklearn-lsa10":
        return report["n_init_10"]["seconds"]
    return report["seconds"]


def method_runs(dataset):
    """{method key: {seed: run}}."""
    table = {}
    for run in dataset["runs"]:
        if run.get("failed"):
            continue
        for key in run["files"]:
            table.setdefault(key, {})[run["seed"]] = run
    return table


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "values": values}


METRICS = ("nmi", "ari", "nmi_single", "ari_single", "largest_share", "inertia_common", "heavy_pairs",
           "friends_lift", "empty_segments")


def summarise_dataset(dataset, seeds):
    scores = dataset["scores"]["entries"]
    runs = method_runs(dataset)
    summary = {}
    default = runs.get("tessera-default", {})
    old = runs.get("tessera-old", {})
    lsa = runs.get("sklearn-lsa1", {})
    for key, _ in METHODS:
        mine = runs.get(key, {})
        entry = {}
        for metric in METRICS:
            entry[metric] = spread([scores.get(f"{key}-seed{s}", {}).get(metric) for s in seeds])
        entry["fit"] = spread([fit_seconds(mine[s], key) for s in seeds if s in mine])
        entry["inertia_own_vs_kmeans10"] = spread([
            scores[f"{key}-seed{s}"]["inertia_own"] / scores[f"{key}-seed{s}"]["inertia_own_kmeans10"]
            for s in seeds if scores.get(f"{key}-seed{s}", {}).get("inertia_own_kmeans10")])
        entry["inertia_vs_lsa10"] = spread([
            scores[f"{key}-seed{s}"]["inertia_common"] / scores[f"sklearn-lsa10-seed{s}"]["inertia_common"]
            for s in seeds if f"{key}-seed{s}" in scores and f"sklearn-lsa10-seed{s}" in scores
            and "inertia_common" in scores[f"{key}-seed{s}"]])
        if key.startswith("tessera"):
            entry["label_pairs"] = spread([mine[s]["label_pairs"] for s in seeds if s in mine])
        summary[key] = entry
    # Paired fit ratios (same seed, same run).
    summary["ratios"] = {
        "default_over_old": spread([fit_seconds(default[s], "tessera-default") / fit_seconds(old[s], "tessera-old")
                                    for s in seeds if s in default and s in old]),
        "lsa1_over_default": spread([fit_seconds(lsa[s], "sklearn-lsa1") / fit_seconds(default[s], "tessera-default")
                                     for s in seeds if s in default and s in lsa]),
    }
    stages = {}
    for stage in ("prepare", "init", "fit"):
        stages[stage] = spread([default[s]["timings"].get(stage) for s in seeds if s in default])
    stages["split_merge"] = spread([(default[s].get("refinement") or {}).get("seconds") for s in seeds if s in default])
    stages["moves_accepted"] = spread([(default[s].get("refinement") or {}).get("moves_accepted") for s in seeds if s in default])
    stages["moves_tried"] = spread([(default[s].get("refinement") or {}).get("moves_tried") for s in seeds if s in default])
    stages["objective_gain"] = spread([
        1 - default[s]["refinement"]["objective_after"] / default[s]["refinement"]["objective_before"]
        for s in seeds if s in default and default[s].get("refinement") and default[s]["refinement"].get("objective_before")])
    summary["stages"] = stages
    # Seeds where the split–merge step made NMI or the common inertia worse than --no-refine.
    worse = []
    for s in seeds:
        a, b = scores.get(f"tessera-default-seed{s}"), scores.get(f"tessera-no-refine-seed{s}")
        if a and b:
            if a.get("nmi") is not None and a["nmi"] < b["nmi"] - 1e-4:
                worse.append({"seed": s, "metric": "nmi", "default": a["nmi"], "no_refine": b["nmi"]})
            if a.get("inertia_common") and a["inertia_common"] > b["inertia_common"] * (1 + 1e-6):
                worse.append({"seed": s, "metric": "inertia_common", "default": a["inertia_common"],
                              "no_refine": b["inertia_common"]})
    summary["default_worse_than_no_refine"] = worse
    return summary


def med(entry, metric):
    value = (entry or {}).get(metric)
    return value["median"] if value else None


def judge(record):
    """The issue's goals, each with met / not met and the numbers behind it."""
    goals = []
    datasets = record["datasets"]
    summaries = record["summaries"]
    for name in datasets:
        s = summaries[name]
        d, l1, l10 = s["tessera-default"], s["sklearn-lsa1"], s["sklearn-lsa10"]
        labelled = med(d, "nmi") is not None
        planted = "planted" in DATASETS[name]
        if labelled and not planted:
            goals.append({"goal": f"{name}: NMI ≥ LSA + KMeans", "met": med(d, "nmi") >= max(med(l1, "nmi"), med(l10, "nmi")),
                          "detail": f"Tessera {med(d, 'nmi'):.4f} vs LSA n_init=1 {med(l1, 'nmi'):.4f}, "
                                    f"n_init=10 {med(l10, 'nmi'):.4f} (medians)"})
        if planted and d.get("nmi"):
            ceiling = datasets[name]["scores"].get("oracle", {}).get("nmi")
            goals.append({"goal": f"{name}: NMI ≥ 0.995 on every seed, all profiles (above the ceiling: "
                                  f"unreachable for any single-membership method)",
                          "met": d["nmi"]["min"] >= 0.995,
                          "detail": f"{d['nmi']['min']:.4f}–{d['nmi']['max']:.4f} (oracle ceiling {ceiling:.4f}; "
                                    f"Tessera ÷ oracle {d['nmi']['min'] / ceiling:.4f}–{d['nmi']['max'] / ceiling:.4f})"})
            goals.append({"goal": f"{name}: NMI ≥ 0.995 on every seed, single-segment profiles",
                          "met": d["nmi_single"]["min"] >= 0.995,
                          "detail": f"{d['nmi_single']['min']:.4f}–{d['nmi_single']['max']:.4f} (oracle "
                                    f"{datasets[name]['scores']['oracle']['nmi_single']:.4f})"})
            pairs = d.get("label_pairs")
            goals.append({"goal": f"{name}: no two segments with the same two most distinctive interests",
                          "met": pairs is not None and pairs["max"] == 0,
                          "detail": f"label pairs per seed {pairs['values'] if pairs else '–'}; heaviest-two pairs "
                                    f"{d['heavy_pairs']['values'] if d.get('heavy_pairs') else '–'}"})
        if DATASETS[name].get("friends") and d.get("largest_share"):
            goals.append({"goal": f"{name}: largest segment ≤ 15 %", "met": d["largest_share"]["max"] <= 0.15,
                          "detail": f"{100 * d['largest_share']['min']:.1f}–{100 * d['largest_share']['max']:.1f} % "
                                    f"over seeds (NMF: {100 * med(s['tessera-nmf'], 'largest_share'):.1f} %)"})
            goals.append({"goal": f"{name}: friends co-assigned at least as often as with NMF",
                          "met": med(d, "friends_lift") >= med(s["tessera-nmf"], "friends_lift"),
                          "detail": f"lift {med(d, 'friends_lift'):.3f}× vs Tessera NMF {med(s['tessera-nmf'], 'friends_lift'):.3f}×, "
                                    f"scikit-learn NMF {med(s['sklearn-nmf'], 'friends_lift'):.3f}×, "
                                    f"LSA + KMeans(n_init=1) {med(s['sklearn-lsa1'], 'friends_lift'):.3f}× (medians)"})
        ratio = d.get("inertia_vs_lsa10")
        if ratio:
            goals.append({"goal": f"{name}: inertia ≤ KMeans(n_init=10) in the common LSA space",
                          "met": ratio["median"] <= 1.0 or ("within 0.01 %" if ratio["median"] <= 1.0001 else False),
                          "detail": f"Tessera / KMeans(n_init=10) median {ratio['median']:.4f} "
                                    f"({ratio['min']:.4f}–{ratio['max']:.4f}; ≤ 1 on "
                                    f"{sum(1 for v in ratio['values'] if v <= 1)} of {ratio['n']} seeds)"})
        own = d.get("inertia_own_vs_kmeans10")
        if own:
            goals.append({"goal": f"{name}: inertia ≤ KMeans(n_init=10) in the space Tessera optimises (its latent space)",
                          "met": own["median"] <= 1.0,
                          "detail": f"Tessera / KMeans(n_init=10) median {own['median']:.4f} "
                                    f"({own['min']:.4f}–{own['max']:.4f}; ≤ 1 on "
                                    f"{sum(1 for v in own['values'] if v <= 1)} of {own['n']} seeds)"})
        r = s["ratios"]
        if r["default_over_old"]:
            goals.append({"goal": f"{name}: fit ≤ 2× the old default's", "met": r["default_over_old"]["median"] <= 2,
                          "detail": f"{r['default_over_old']['median']:.2f}× (median, "
                                    f"{r['default_over_old']['min']:.2f}–{r['default_over_old']['max']:.2f})"})
        if r["lsa1_over_default"]:
            goals.append({"goal": f"{name}: fit ≥ 10× faster than LSA + KMeans(n_init=1)",
                          "met": r["lsa1_over_default"]["median"] >= 10,
                          "detail": f"{r['lsa1_over_default']['median']:.1f}× (median, "
                                    f"{r['lsa1_over_default']['min']:.1f}–{r['lsa1_over_default']['max']:.1f})"})
    return goals


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def cell(entry, metric, fmt, scale=1.0):
    value = (entry or {}).get(metric)
    if not value:
        return "–"
    text = fmt(value["median"] * scale)
    if value["n"] > 1 and value["min"] != value["max"]:
        text += f" [{fmt(value['min'] * scale)}–{fmt(value['max'] * scale)}]"
    return text


def q4(v):
    return f"{v:.4f}"


def pct(v):
    return f"{v:.1f} %"


def secs(v):
    return f"{v:.2f}"


def count(v):
    return f"{v:g}"


def lift(v):
    return f"{v:.2f}×"


def render_dataset(name, dataset, summary):
    spec = DATASETS[name]
    counts = dataset["data"]["counts"]
    scores = dataset["scores"]
    planted = "planted" in spec
    labelled = scores.get("labelled_rows") is not None
    friends = scores.get("edges") is not None
    lines = [f"### {spec['title']}, k = {dataset['k']}", "",
             f"{counts['rows']:,} rows × {counts['interests']:,} interests, {counts['nonzeros']:,} nonzeros; "
             f"latent / LSA dimensions r = {dataset['data']['dimensions']}; seeds "
             f"{', '.join(map(str, sorted({run['seed'] for run in dataset['runs']})))}"
             + (f"; {scores['labelled_rows']:,} labelled rows" if labelled else "")
             + (f", {scores['single_rows']:,} of them single-segment" if scores.get("single_rows") is not None else "")
             + (f"; {scores['edges']:,} friendship edges between rows" if friends else "") + ".", ""]
    head = ["method"]
    if labelled:
        head += ["NMI", "ARI"]
        if planted:
            head += ["NMI single", "ARI single"]
    own = any(summary[key].get("inertia_own_vs_kmeans10") for key, _ in METHODS)
    head += ["largest", "inertia ÷ KMeans n_init=10 (LSA space)"]
    if own:
        head += ["inertia ÷ KMeans n_init=10 (Tessera's latent space)"]
    head += ["twin pairs (heaviest 2)"]
    if friends:
        head += ["friends lift"]
    head += ["fit (s)"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    for key, title in METHODS:
        e = summary[key]
        row = [title]
        if labelled:
            row += [cell(e, "nmi", q4), cell(e, "ari", q4)]
            if planted:
                row += [cell(e, "nmi_single", q4), cell(e, "ari_single", q4)]
        row += [cell(e, "largest_share", pct, 100), cell(e, "inertia_vs_lsa10", q4)]
        if own:
            row += [cell(e, "inertia_own_vs_kmeans10", q4)]
        twins = cell(e, "heavy_pairs", count)
        if e.get("label_pairs"):
            twins += f" · label {cell(e, 'label_pairs', count)}"
        row += [twins]
        if friends:
            row += [cell(e, "friends_lift", lift)]
        row += [cell(e, "fit", secs)]
        lines.append("| " + " | ".join(row) + " |")
    if planted and scores.get("oracle"):
        o = scores["oracle"]
        row = ["oracle: KMeans from the true segment means (tf-idf)", q4(o["nmi"]), q4(o["ari"]),
               q4(o["nmi_single"]), q4(o["ari_single"]), pct(100 * o["largest_share"]), "–",
               count(o.get("heavy_pairs", 0)), "–"]
        lines.append("| " + " | ".join(row) + " |")
    r, st = summary["ratios"], summary["stages"]
    lines += ["", "Fit ratios (same seed, same run; median [min–max]): Tessera default ÷ old default "
              + cell(r, "default_over_old", lift) + "; LSA + KMeans(n_init=1) ÷ Tessera default "
              + cell(r, "lsa1_over_default", lift) + ". Tessera default stages (run.json, s): prepare (incl. SVD) "
              + cell(st, "prepare", lambda v: f"{v:.3f}") + ", init " + cell(st, "init", lambda v: f"{v:.3f}")
              + ", split–merge " + cell(st, "split_merge", lambda v: f"{v:.3f}") + " (moves accepted "
              + cell(st, "moves_accepted", count) + " of " + cell(st, "moves_tried", count)
              + ", objective lowered by " + cell(st, "objective_gain", lambda v: f"{100 * v:.3f} %") + ")."]
    if summary["default_worse_than_no_refine"]:
        items = "; ".join(f"seed {w['seed']} {w['metric']} {w['default']:.4f} vs {w['no_refine']:.4f}"
                          for w in summary["default_worse_than_no_refine"])
        lines += ["", f"Default worse than `--no-refine`: {items}."]
    failed = [f"{run['tool']} {run['job']} seed {run['seed']}" for run in dataset["runs"] if run.get("failed")]
    if failed:
        lines += ["", "Failed jobs: " + ", ".join(failed) + "."]
    return lines


def render(record):
    machine = record["machine"]
    loads = [run["loadavg_before"] for d in record["datasets"].values() for run in d["runs"] if run.get("loadavg_before")]
    one_minute = [float(line.split()[0]) for line in loads]
    others = [run.get("other_cpu_share") for d in record["datasets"].values() for run in d["runs"]
              if run.get("other_cpu_share") is not None]
    blas = record.get("blas_environment") or {}
    blas_text = ", ".join(f"{k}={v}" for k, v in blas.items() if v is not None) or "neither is set on this machine"
    seeds = record["seeds"]
    lines = [BEGIN, "## Segment quality", "",
             f"- Date: {record['date_utc']} · seeds {', '.join(map(str, seeds))} (the k-means / NMF seed; data fixed) · "
             f"raw measurements: `runs/{record['raw_file']}` · benchmark wall time {record['wall_minutes']:.0f} min",
             *([f"- Merged from earlier runs (the same binary unless a note says otherwise): "
                + "; ".join(f"`runs/{m['raw_file']}` ({m['date_utc']}, seeds {', '.join(map(str, m['seeds']))}: "
                            f"{', '.join(m['datasets'])})" for m in record["merged_from"])]
               if record.get("merged_from") else []),
             *[f"- Note: {note}" for note in record.get("notes", [])],
             f"- Machine: {bench_load.machine_line(machine)}. **Shared machine: other builds ran during this "
             f"benchmark.** 1-minute load average before each job: median {statistics.median(one_minute):.2f}, "
             f"max {max(one_minute):.2f} (2 cores); CPU used by other processes during a job: median "
             f"{100 * statistics.median(others):.0f} %, max {100 * max(others):.0f} % of the machine. "
             "Times are therefore noisy; the ratios pair jobs of the same seed run back to back.",
             f"- BLAS: Tessera runs with the environment as it is (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: {blas_text}); "
             "scikit-learn runs under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.",
             "- Same matrix: Tessera's profile cache (`tessera load FILES --cache`, default settings: tf-idf, L2 rows), "
             "read directly by scikit-learn (`sklearn_quality.py`), same k. Tessera: `tessera segment CACHE --k K "
             "--seed S --stability 0` as is, `--no-refine`, `--space interests --no-refine` (the old default), "
             "`--method nmf` (main's NMF and its stopping rule, unchanged here). scikit-learn: `KMeans(k, n_init=1)` on "
             "the tf-idf rows; LSA = `TruncatedSVD(r)` → `Normalizer()` → `KMeans(k, n_init=1)` and `n_init=10` with "
             "Tessera's r; `NMF(k, init='nndsvda', solver='cd')`, argmax of W.",
             "- Metrics (one scoring process per dataset, the same code for every tool): NMI and ARI against the "
             "labels (planted: the primary segment; *single*: only profiles with no secondary segment); largest "
             "segment share; **inertia in one common space** — scikit-learn's LSA of the matrix "
             "(`TruncatedSVD(r, random_state=0)`, unit rows), each tool's labels → segment means there → sum of "
             "squared distances, shown as a ratio to KMeans(n_init=10) of the same seed (< 1: lower than it); "
             "on the real sets also **inertia in Tessera's own latent space** (the profiles through the model "
             "file's projection, unit rows, as Tessera embeds them): Tessera's labels there ÷ KMeans(n_init=10) of the "
             "same seed run in that same space; "
             "**twin pairs**: segment pairs whose two heaviest interests (largest mean tf-idf weight) are the same set "
             "(for Tessera also pairs whose segments.json `label` interests are the same set); **friends lift**: share "
             "of friendship edges with both ends in one segment ÷ Σ share² (chance); fit time: Tessera run.json "
             "`timings.fit` (latent SVD + k-means + split–merge + segment means), scikit-learn around its fit calls "
             "(LSA: SVD + normalise + KMeans).",
             "- Cells: median over seeds [min–max]. Planted data: 15 % of profiles are mixed (a secondary segment "
             "gives 20–45 % of their segment interests) and some sit closer to their secondary segment, so no "
             "single-membership method reaches NMI 1 on all profiles; the oracle row (KMeans started at the true "
             "segment means) is the ceiling there.", ""]
    for name in record["datasets"]:
        lines += render_dataset(name, record["datasets"][name], record["summaries"][name]) + [""]
    goals = record["goals"]
    lines += ["### The issue's goals", "", "| goal | met | numbers |", "|---|---|---|"]
    lines += [f"| {g['goal']} | {('yes' if g['met'] is True else 'equal ' + g['met']) if g['met'] else '**no**'} | "
              f"{g['detail']} |" for g in goals]
    lines += ["", END]
    return "\n".join(lines)


def finish(record, raw_path):
    record["summaries"] = {name: summarise_dataset(d, record["seeds"]) for name, d in record["datasets"].items()}
    record["goals"] = judge(record)
    raw_path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    bench_load.update_results(HERE / "RESULTS.md", render(record), BEGIN, END)
    log(f"wrote {raw_path.relative_to(HERE)} and the quality section of RESULTS.md")


def merge(record, paths):
    """Adds the datasets and seeds of earlier raw files (same binary, same data) to `record`: a
    dataset new to it comes whole; for a dataset it has, the other file's seeds that it lacks are
    added (their runs and scores; every ratio pairs jobs of one seed, so runs stay comparable)."""
    for path in paths:
        other = json.loads(Path(path).read_text(encoding="utf-8"))
        if Path(path).name not in {m["raw_file"] for m in record.get("merged_from", [])}:
            record.setdefault("merged_from", []).append({"raw_file": Path(path).name, "date_utc": other["date_utc"],
                                                         "seeds": other["seeds"], "datasets": list(other["datasets"])})
        for name, data in other["datasets"].items():
            mine = record["datasets"].get(name)
            if mine is None:
                record["datasets"][name] = data
                continue
            have = {run["seed"] for run in mine["runs"]}
            new = [run for run in data["runs"] if run["seed"] not in have]
            mine["runs"] += new
            for seed in {run["seed"] for run in new}:
                for entry, scores in data["scores"]["entries"].items():
                    if entry.endswith(f"-seed{seed}"):
                        mine["scores"]["entries"][entry] = scores
        record["seeds"] = sorted(set(record["seeds"]) | set(other["seeds"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessera", default=str(ROOT / ".build/release/tessera"))
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--render", help="only rewrite the RESULTS.md section from a raw runs/quality-*.json file")
    parser.add_argument("--note", action="append", default=[],
                        help="a sentence about the run for the section (kept in the raw file; repeatable)")
    parser.add_argument("--merge", nargs="*", default=[],
                        help="raw files of earlier runs whose datasets are added (this run's win)")
    args = parser.parse_args(argv)
    if args.render:
        record = json.loads(Path(args.render).read_text(encoding="utf-8"))
        merge(record, args.merge)
        record["notes"] = record.get("notes", []) + args.note
        finish(record, Path(args.render).resolve())
        return 0
    tessera = str(Path(args.tessera).resolve())
    if not Path(tessera).exists():
        die(f"no tessera binary at {tessera}; build it with swift build -c release")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    names = [n for n in args.datasets.split(",") if n]
    for name in names:
        if name not in DATASETS:
            die(f"unknown dataset {name}; known: {', '.join(DATASETS)}")
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    raw_path = RUNS_DIR / f"quality-{stamp}.json"
    started = time.perf_counter()
    record = {"date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "seeds": seeds,
              "machine": bench_load.describe_machine(tessera), "raw_file": raw_path.name,
              "blas_environment": {name: os.environ.get(name) for name in BLAS_VARIABLES}, "datasets": {}}
    with tempfile.TemporaryDirectory(prefix="quality-", dir=DATA_DIR) as scratch:
        for name in names:
            record["datasets"][name] = run_dataset(tessera, name, DATASETS[name], seeds, Path(scratch))
            record["wall_minutes"] = (time.perf_counter() - started) / 60
            raw_path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    merge(record, args.merge)
    record["notes"] = list(args.note)
    finish(record, raw_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
