"""Every stored lesson is a clean, complete, top-to-bottom run that readers can trust."""

import getpass
import json
import re

import nbformat
import pytest

from nbtools import MACHINE_SPECIFIC, PROGRESS_NOTICE, ROOT, WIDGET_MIME, lessons

LESSONS = lessons()
MAX_BYTES = 1_000_000


def test_there_are_lessons_to_test():
    assert LESSONS, "notebooks/ holds no lessons"
    assert LESSONS[0].name == "01_dataset.ipynb"


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


@pytest.fixture(params=LESSONS, ids=[p.name for p in LESSONS])
def lesson(request):
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_notebook_is_valid_nbformat(lesson):
    path, nb = lesson
    nbformat.validate(nb)


def test_all_code_cells_ran_once_in_order(lesson):
    path, nb = lesson
    counts = [c.execution_count for _, c in code_cells(nb)]
    assert None not in counts, f"{path.name}: a code cell was never run"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: cells ran out of order: {counts}"


def test_no_error_or_stderr_outputs(lesson):
    path, nb = lesson
    for i, cell in code_cells(nb):
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name} cell {i}: stored error {out.get('ename')}"
            assert out.get("name") != "stderr", f"{path.name} cell {i}: stored stderr output {out.get('text')!r}"


def test_no_machine_specific_text_in_outputs(lesson):
    path, nb = lesson
    user = getpass.getuser()
    user_pattern = re.compile(rf"\b{re.escape(user)}\b") if user not in ("root", "") else None
    for i, cell in code_cells(nb):
        for out in cell.outputs:
            text = json.dumps({k: v for k, v in out.items() if k != "data"} | {
                "data": {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}})
            match = MACHINE_SPECIFIC.search(text)
            assert not match, f"{path.name} cell {i}: machine-specific text {match.group(0)!r}"
            assert not (user_pattern and user_pattern.search(text)), f"{path.name} cell {i}: user name in output"
            assert str(ROOT) not in text, f"{path.name} cell {i}: the project path in output"


def test_no_per_run_metadata_or_widgets(lesson):
    path, nb = lesson
    assert "widgets" not in nb.metadata, f"{path.name}: stored widget state"
    for i, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata, f"{path.name} cell {i}: execution timestamps in metadata"
        for out in cell.get("outputs", []):
            assert WIDGET_MIME not in out.get("data", {}), f"{path.name} cell {i}: stored widget output"
            text = "".join(out.get("data", {}).get("text/plain", "")) + "".join(out.get("text", ""))
            assert not PROGRESS_NOTICE.search(text), f"{path.name} cell {i}: a progress widget's notice in the output"


def test_notebook_is_small(lesson):
    path, _ = lesson
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"


def test_lesson_has_title_goals_recap_and_exercises(lesson):
    path, nb = lesson
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown and markdown[0].startswith("# "), f"{path.name}: the first cell is not a title"
    headings = [line for src in markdown for line in src.splitlines() if line.startswith("#")]
    for wanted in ("What you will learn", "Recap", "Exercises"):  # solutions: in the answer cells (test_practice.py)
        assert any(wanted.lower() in h.lower() for h in headings), f"{path.name}: no '{wanted}' section"


def test_lesson_plots_do_not_leak_matplotlib_reprs(lesson):
    path, nb = lesson
    for i, cell in code_cells(nb):
        for out in cell.outputs:
            data = out.get("data", {})
            text = data.get("text/plain", "")
            figure_without_image = "<Figure size" in text and "image/png" not in data
            assert "<matplotlib" not in text and not figure_without_image, \
                f"{path.name} cell {i}: a plot cell shows a matplotlib repr; end it with plt.show()"


def test_readme_lists_every_lesson():
    readme = (ROOT / "README.md").read_text()
    for path in LESSONS:
        assert path.name in readme, f"README.md does not list {path.name}"


TIMING = re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|us|s|sec|seconds|minutes)\b")


def test_no_timings_in_stored_outputs(lesson):
    path, nb = lesson
    for i, cell in code_cells(nb):
        for out in cell.outputs:
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            match = TIMING.search(text)
            assert not match, f"{path.name} cell {i}: a timing in a stored output: {match.group(0)!r}"


def test_printed_text_is_stored_in_one_piece_per_stream(lesson):
    """Where the kernel splits printed text depends on timing: stored outputs join it (tests/nbtools.py)."""
    path, nb = lesson
    for i, cell in code_cells(nb):
        kinds = [(o.get("output_type"), o.get("name")) for o in cell.outputs]
        for a, b in zip(kinds, kinds[1:]):
            assert not (a == b and a[0] == "stream"), f"{path.name} cell {i}: the same stream stored in pieces"
