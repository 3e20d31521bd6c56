"""The exercises as nbgrader sees them, and the practice notebooks generated from the lessons.

Each lesson is the one source of its exercises: answer cells are nbgrader solution cells (the worked solution
between BEGIN/END SOLUTION markers), check cells are locked nbgrader test cells with points. The practice
notebooks in notebooks/practice/ are the lessons with the solutions replaced by nbgrader's stub. These tests
check that structure, that the practice notebooks are up to date, and that every check fails on its stub:
a check that passed with no answer would prove nothing. (nbval runs the lessons themselves, where every check
must print "Correct!".)
"""

import re

import nbformat
import pytest

from nbtools import (BEGIN, END, PRACTICE, STUB, exercise_start, lessons, nbgrader_role, practice_path,
                     practice_version, run_exercises, strip_solution)
from utils.exercises import answer_key

LESSONS = lessons()
HEADING = re.compile(r"^\*\*Exercise (\d)\*\* · (thought|code|experiment) · (★{1,3}) — \S")
CHECK_CALL = re.compile(r'^print\(check\("(\d\d)\.(\d)", [^\n]*\)\)$')


@pytest.fixture(params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request):
    return request.param, nbformat.read(request.param, as_version=4)


def exercises(nb):
    """[(heading markdown cell, answer cell, check cell)] in order, from the Exercises section."""
    cells = nb.cells[exercise_start(nb):]
    out = []
    for i, cell in enumerate(cells):
        if nbgrader_role(cell) == "answer":
            out.append((cells[i - 1], cell, cells[i + 1] if i + 1 < len(cells) else None))
    return out


def test_each_lesson_has_two_to_four_exercises_with_code_and_an_experiment(lesson):
    path, nb = lesson
    found = exercises(nb)
    assert 2 <= len(found) <= 4, f"{path.name}: {len(found)} exercises"
    kinds = []
    for k, (heading, answer, check_cell) in enumerate(found, start=1):
        match = HEADING.match(heading.source)
        assert heading.cell_type == "markdown" and match, f"{path.name}: exercise {k} has no heading like " \
            "'**Exercise 1** · code · ★★ — title'"
        assert int(match.group(1)) == k
        kinds.append(match.group(2))
        assert check_cell is not None and nbgrader_role(check_cell) == "check", \
            f"{path.name}: exercise {k}'s answer cell is not followed by its check cell"
        points = check_cell.metadata["nbgrader"]["points"]
        assert points == len(match.group(3)), f"{path.name}: exercise {k} is worth as many points as stars"
    assert "code" in kinds and "experiment" in kinds, f"{path.name}: {kinds}"
    assert not any(line.startswith("## Solutions") for c in nb.cells if c.cell_type == "markdown"
                   for line in c.source.splitlines()), f"{path.name}: solutions belong in the answer cells"


def test_cells_carry_valid_nbgrader_metadata(lesson):
    path, nb = lesson
    ids = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        ids.append(meta["grade_id"])
        assert meta["schema_version"] == 3 and cell.cell_type == "code"
        assert set(meta) >= {"grade", "grade_id", "locked", "solution", "task"}
        if nbgrader_role(cell) == "answer":
            assert not meta["locked"] and not meta["grade"]
            assert cell.source.count(BEGIN) == cell.source.count(END) == 1, f"{path.name} {cell.id}"
            strip_solution(cell.source)  # markers in order
        if nbgrader_role(cell) == "check":
            assert meta["locked"] and meta["points"] > 0 and not meta["solution"]
        assert re.fullmatch(rf"lesson{path.name[:2]}-[a-z0-9-]+", meta["grade_id"]), meta["grade_id"]
    assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"


def test_every_check_has_a_key_and_every_key_a_check(lesson):
    path, nb = lesson
    number = path.name[:2]
    used = []
    for k, (_, _, check_cell) in enumerate(exercises(nb), start=1):
        match = CHECK_CALL.match(check_cell.source.strip())
        assert match, f"{path.name}: exercise {k}'s check cell is not one line print(check(\"{number}.{k}\", ...))"
        assert match.groups() == (number, str(k))
        answer_key(f"{number}.{k}")  # raises if there is no key
        used.append(f"{number}.{k}")
    module = __import__(f"utils.answer_keys.lesson{number}", fromlist=["KEYS"])
    assert sorted(module.KEYS) == used, f"{path.name}: keys without a check, or checks without a key"


def test_expected_numbers_are_not_in_sight(lesson):
    """A constant numeric key does not appear in the exercise's text or its check cell."""
    path, nb = lesson
    for k, (heading, _, check_cell) in enumerate(exercises(nb), start=1):
        key = answer_key(f"{path.name[:2]}.{k}")
        if callable(key.expected) or key.verify or isinstance(key.expected, (bool, str)):
            continue
        values = key.expected if isinstance(key.expected, (list, tuple)) else [key.expected]
        for value in values:
            if isinstance(value, (int, float)) and abs(value) >= 10 or (isinstance(value, float) and value % 1):
                for text in {str(value), f"{value:,}", f"{value:.4f}"}:
                    assert text not in heading.source + check_cell.source, f"{path.name} exercise {k}: {text}"


def test_practice_notebooks_are_up_to_date(lesson):
    path, nb = lesson
    target = practice_path(path)
    assert target.exists(), f"{target.name} is missing: run `python tests/nbtools.py --practice`"
    fresh = nbformat.writes(practice_version(nb, path.name))
    assert nbformat.writes(nbformat.read(target, as_version=4)) == fresh, \
        f"practice/{target.name} is stale: run `python tests/nbtools.py --practice` and commit the result"


def test_practice_notebooks_hold_no_solution_and_no_exercise_output():
    for path in LESSONS:
        nb = nbformat.read(practice_path(path), as_version=4)
        for cell in nb.cells[exercise_start(nb):]:
            assert BEGIN not in cell.source and END not in cell.source
            if nbgrader_role(cell) == "answer":
                assert "\n".join(STUB) in "\n".join(line.strip() for line in cell.source.splitlines())
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None
    assert sorted(p.name for p in PRACTICE.glob("*.ipynb")) == [p.name for p in LESSONS]


def test_strip_solution_keeps_indentation_and_the_code_around():
    source = "def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n\ny = f"
    assert strip_solution(source) == ("def f(x):\n    \"\"\"Doc.\"\"\"\n    # YOUR CODE HERE\n"
                                      "    raise NotImplementedError()\n\n\ny = f")
    with pytest.raises(ValueError):
        strip_solution("### BEGIN SOLUTION\nx = 1")


@pytest.fixture
def torch_state_restored():
    """The practice notebooks set PyTorch's default dtype; put it back for the tests that run after them here."""
    import torch

    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    yield
    torch.set_default_dtype(dtype)
    torch.set_num_threads(threads)


def test_every_check_fails_on_its_stub(torch_state_restored, monkeypatch):
    """Run each practice notebook's exercise section (setup, stubs, checks) and watch every check fail as
    unanswered: not pass, and not fail for another reason (a NameError would mean the section needs cells
    from above it). In this process: a fresh namespace per notebook, no kernel to start. Training is skipped
    (`utils.train` returns an empty history at once): with no answer, a check fails before it looks at a model,
    and nbval runs the real setup cells in the lessons."""
    import utils
    from utils import History

    monkeypatch.setattr(utils, "train", lambda *args, **kwargs: History())
    for lesson in LESSONS:
        cells = run_exercises(practice_path(lesson))
        name = lesson.name
        checks = [c for c in cells if c["role"] == "check"]
        assert len(checks) >= 2, name
        for cell in cells:
            error = cell["error"]
            if cell["role"] == "check":
                assert error and error["type"] == "NotAnswered", f"{name} {cell['id']}: {error}"
            elif cell["role"] == "answer":
                assert error is None or error["type"] == "NotImplementedError", f"{name} {cell['id']}: {error}"
            else:
                assert error is None, f"{name} {cell['id']} (setup): {error}"
