"""Execute lessons and store their outputs the way the tests expect; checks shared with the hygiene tests.

    python tests/nbtools.py notebooks/01_dataset.ipynb [more.ipynb ...]   # execute and save
    python tests/nbtools.py --all                                          # every lesson, in order
    python tests/nbtools.py --practice                                     # write notebooks/practice/

Each notebook runs top to bottom in a fresh kernel with notebooks/ as its working directory, then
per-run noise is removed before saving: execution timestamps, Jupyter widget outputs (a progress
bar's model id changes every run), the empty display a finished progress bar leaves, and widget state.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PRACTICE = NOTEBOOKS / "practice"
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
            cell.outputs = merge_streams([o for o in cell.outputs if not _is_progress_residue(o)])
    return nb


def merge_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream into one output. Where the kernel splits a cell's printed
    text depends on timing, so unjoined outputs would differ from run to run (nbval joins them to compare)."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


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


# --- exercises: nbgrader cells, practice notebooks -------------------------------------------------------------
# Each lesson is the one source of its exercises. An answer cell is an nbgrader solution cell: its worked solution
# sits between the two markers below. A check cell is an nbgrader graded test cell, locked. The practice notebook
# is the lesson with each solution replaced by nbgrader's own stub and the exercise outputs cleared.

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]  # what `nbgrader generate_assignment` writes
PRACTICE_NOTE = (
    "> **Practice version.** This is lesson {number} with the exercise solutions removed: write your own in the "
    "cells that say `# YOUR CODE HERE` and run the check below each. The complete lesson, solutions included, is "
    "[`../{name}`](../{name}).")


def nbgrader_role(cell) -> str | None:
    """"answer" for an nbgrader solution cell, "check" for a graded test cell, None otherwise."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "check"
    return None


def exercise_start(nb) -> int:
    """Index of the markdown cell that opens the "## Exercises" section."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and any(line.startswith("## Exercises") for line in cell.source.splitlines()):
            return i
    raise ValueError("no '## Exercises' section")


def strip_solution(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region (markers included) by the stub, at the markers' indentation."""
    out, inside = [], False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError("nested BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
        elif marker == END:
            if not inside:
                raise ValueError("END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def practice_version(nb, lesson_name: str):
    """Return the practice notebook of a lesson (a new notebook; the lesson is not changed)."""
    nb = copy.deepcopy(nb)
    start = exercise_start(nb)
    for i, cell in enumerate(nb.cells):
        role = nbgrader_role(cell)
        if role == "answer":
            cell.source = strip_solution(cell.source)
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if not cell.metadata.get("jupyter", True):
                cell.metadata.pop("jupyter")
        if cell.cell_type == "code" and i >= start:  # the exercises start unrun: no outputs to give answers away
            cell.outputs = []
            cell.execution_count = None
    import anywhere  # the badges under the title open this practice version, not the lesson

    title = nb.cells[0]
    if anywhere.badges(lesson_name) in title.source:
        title.source = title.source.replace(anywhere.badges(lesson_name), anywhere.badges(f"practice/{lesson_name}"))
    number = lesson_name[:2]
    note = nbformat.v4.new_markdown_cell(PRACTICE_NOTE.format(number=number, name=lesson_name))
    note.id = "practice-note"
    nb.cells.insert(0, note)
    return nb


def practice_path(lesson: Path) -> Path:
    return PRACTICE / lesson.name


def write_practice() -> list[Path]:
    """Write notebooks/practice/<lesson>.ipynb for every lesson; return the paths."""
    PRACTICE.mkdir(exist_ok=True)
    written = []
    for lesson in lessons():
        nb = practice_version(nbformat.read(lesson, as_version=4), lesson.name)
        nbformat.write(nb, practice_path(lesson))
        written.append(practice_path(lesson))
    return written


def run_exercises(path: Path) -> list[dict]:
    """Run a notebook's exercise section alone (its first cell loads what it needs) in a fresh namespace, in this
    process, with the notebook's folder as working directory. Return, per code cell, its id, nbgrader role and
    the exception it raised (type and message) or None. Every cell runs, even after an error."""
    import contextlib
    import io
    import traceback

    nb = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__main__"}
    results = []
    old = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in nb.cells[exercise_start(nb):]:
            if cell.cell_type != "code":
                continue
            error = None
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # what the cells print is not the report
                    exec(compile(cell.source, f"<cell {cell.get('id')}>", "exec"), namespace)
            except BaseException as exc:  # noqa: B902  the caller decides what was expected
                error = {"type": type(exc).__name__, "bases": [c.__name__ for c in type(exc).__mro__],
                         "message": str(exc), "where": traceback.format_exc(limit=-1).strip().splitlines()[-3:]}
            results.append({"id": cell.get("id"), "role": nbgrader_role(cell), "error": error})
    finally:
        os.chdir(old)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every lesson in notebooks/")
    parser.add_argument("--practice", action="store_true", help="write the practice notebooks into notebooks/practice/")
    parser.add_argument("--run-exercises", action="store_true",
                        help="run the exercise section of each notebook named; print a JSON report")
    args = parser.parse_args()
    if args.practice:
        for path in write_practice():
            print(path.relative_to(ROOT))
        return
    if args.run_exercises:
        import matplotlib
        matplotlib.use("Agg")
        print(json.dumps({str(p): run_exercises(p.resolve()) for p in args.paths}))
        return
    paths = lessons() if args.all else args.paths
    if not paths:
        parser.error("name a notebook or pass --all")
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
