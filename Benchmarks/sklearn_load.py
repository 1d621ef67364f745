#!/usr/bin/env python3
"""scikit-learn reference path for `tessera load FILE.jsonl`.

Reads follower profiles from a JSON Lines file and builds the same matrix
Tessera builds by default: one row per profile, one column per distinct
interest, tf-idf weighted (smooth idf) and L2-normalised, as a SciPy CSR
matrix.

    read line by line (json.loads)
      -> MultiLabelBinarizer(sparse_output=True)   binary profile x interest
      -> TfidfTransformer()                        smooth idf, l2 (defaults)

Prints one JSON object on stdout:
    {"profiles": ..., "interests": ..., "nonzeros": ..., "seconds": ...}
where `seconds` is time.perf_counter() around the whole read + vectorise +
tf-idf (interpreter start-up and imports are excluded; the harness measures
the whole process separately).
"""

import argparse
import json
import sys
import time

from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import MultiLabelBinarizer


def load(path):
    """Return the tf-idf CSR matrix and the fitted binarizer for `path`."""
    interests_per_profile = []
    with open(path, "r", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue  # blank lines are skipped, as Tessera does
            record = json.loads(line)
            interests = record.get("interests") or []
            if isinstance(interests, dict):
                # Weighted form {"#yoga": 3}: the keys are the interests.
                interests = list(interests)
            interests_per_profile.append(interests)

    binarizer = MultiLabelBinarizer(sparse_output=True)
    binary = binarizer.fit_transform(interests_per_profile).tocsr()
    matrix = TfidfTransformer().fit_transform(binary).tocsr()
    return matrix, binarizer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="JSON Lines profile file")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    matrix, binarizer = load(args.path)
    seconds = time.perf_counter() - start

    json.dump(
        {
            "profiles": int(matrix.shape[0]),
            "interests": int(len(binarizer.classes_)),
            "nonzeros": int(matrix.nnz),
            "seconds": seconds,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
