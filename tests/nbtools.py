"""Execute lessons and store their outputs the way the tests expect; checks shared with the hygiene tests.

    python tests/nbtools.py notebooks/01_dataset.ipynb [more.ipynb ...]   # execute and save
    python tests/nbtools.py --all                                          # every lesson, in order

Each notebook runs top to bottom in a fresh kernel with notebooks/ as its working directory, then
per-run noise is removed before saving: execution timestamps, Jupyter widget outputs (a progress
bar's model id changes every run), the empty display a finished progress bar leaves, and widget state.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PROGRESS_NOTICE = re.compile(r"No such comm: [0-9a-f]{32}")
# an absolute path of two or more folders, site-packages, or a memory address
MACHINE_SPECIFIC = re.compile(r"((?<![\w.:/])/(?:[\w.-]+/){2,}|site-packages|0x[0-9a-fA-F]{6,}|[A-Z]:\\\\Users)")


def lessons() -> list[Path]:
    """Return the lesson notebooks in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove per-run metadata and widget outputs from an executed notebook."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _is_progress_residue(o)]
    return nb


def _is_progress_residue(output) -> bool:
    """A widget output, the empty display a finished transient rich progress bar leaves behind, or the kernel's
    "No such comm" notice about a progress widget that had already closed (rich shows it while a bar is live)."""
    data = output.get("data", {})
    if WIDGET_MIME in data:
        return True
    text = "".join(data.get("text/plain", "x")).strip()
    return output.get("output_type") == "display_data" and (not text or PROGRESS_NOTICE.fullmatch(text) is not None)


def execute(path: Path, timeout: int = 600) -> float:
    """Run a notebook in a fresh kernel, clean it and save it in place; return the wall seconds."""
    from nbconvert.preprocessors import ExecutePreprocessor

    nb = nbformat.read(path, as_version=4)
    os.environ["MAKEMORE_MLP_PROGRESS"] = "0"  # no progress bars: they are not stored, and they flood the kernel's messages
    start = time.perf_counter()
    ExecutePreprocessor(timeout=timeout, kernel_name="python3", record_timing=False).preprocess(
        nb, {"metadata": {"path": str(path.parent)}})
    seconds = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every lesson in notebooks/")
    args = parser.parse_args()
    paths = lessons() if args.all else args.paths
    if not paths:
        parser.error("name a notebook or pass --all")
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
