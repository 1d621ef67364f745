"""Executes every notebook headlessly (nbclient) against a small run made with the built binary.

Usage: python3 notebooks/check_notebooks.py PATH/TO/tessera
Makes two small runs and a sweep in a temporary folder, points the notebooks at them through
TESSERA_RUN, TESSERA_RUN_A/B and TESSERA_SWEEP, and fails on the first cell that raises.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

here = Path(__file__).resolve().parent
tessera = sys.argv[1]
work = Path(tempfile.mkdtemp(prefix="tessera-notebooks-"))
audience = work / "audience.jsonl"

def run(*args):
    subprocess.run([tessera, *args, "--quiet"], check=True, stdout=subprocess.DEVNULL)

run("generate", "--profiles", "3000", "--segments", "6", "--interests", "2000", "--seed", "5", "--out", str(audience))
demo = here.parent / "datasets" / "demo"
catalogue = ["--assets", str(demo / "assets.csv"), "--partners", str(demo / "partners.csv")]
run("segment", str(audience), "--k", "6", "--seed", "1", "--assignments", "--out", str(work / "a"), *catalogue)
run("segment", str(audience), "--k", "7", "--seed", "2", "--assignments", "--out", str(work / "b"), *catalogue)
run("sweep", str(audience), "--k", "4...8", "--step", "2", "--out", str(work / "sweep"))

os.environ.update(TESSERA_RUN=str(work / "a"), TESSERA_RUN_A=str(work / "a"), TESSERA_RUN_B=str(work / "b"),
                  TESSERA_SWEEP=str(work / "sweep"), MPLBACKEND="Agg")
for path in sorted(here.glob("*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
    print(f"ok  {path.name}")
