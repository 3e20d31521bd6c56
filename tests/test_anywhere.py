"""A lesson opens anywhere: the setup lines find the course's utils, and on Colab fetch the course first.

Colab is simulated: a fake `google.colab` module, a local bare git repository standing in for GitHub, an empty
folder standing in for /content, names.txt served from 127.0.0.1, and the installed copy of the course hidden
(Colab has none). Every run is a fresh Python process, as a fresh kernel is.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

import anywhere
from anywhere import COLAB_DIR, REPO_URL, ROOT, SETUP, lessons

NAMES = ROOT / "data" / "names.txt"

# Runs the setup lines as a kernel runs a cell (exec in one namespace), `times` times, then what the lesson
# does next, and prints a JSON summary. HIDE_INSTALL hides the installed (editable) copy of the course;
# COLAB imports a fake google.colab first, as Colab's kernel has it.
RUNNER = textwrap.dedent('''
    import json, os, sys, types
    if os.environ.get("HIDE_INSTALL"):
        sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
    if os.environ.get("COLAB"):
        google, colab = types.ModuleType("google"), types.ModuleType("google.colab")
        google.colab = colab
        sys.modules.update({"google": google, "google.colab": colab})
    source = open(sys.argv[1]).read()
    namespace = {"__name__": "__main__"}
    for _ in range(int(sys.argv[2])):
        exec(compile(source, "<setup cell>", "exec"), namespace)
    import utils
    result = {"utils": utils.__file__, "names_path": str(utils.NAMES_PATH)}
    if len(sys.argv) > 3:  # the first lesson's load_words, from the given address
        result["words"] = len(utils.load_words(url=sys.argv[3], progress=False))
    print(json.dumps(result))
''')


def run_setup(tmp_path: Path, cwd: Path, source: str = SETUP, *, times: int = 1, env: dict | None = None,
              names_url: str | None = None) -> subprocess.CompletedProcess:
    cell, runner = tmp_path / "cell.py", tmp_path / "runner.py"
    cell.write_text(source)
    runner.write_text(RUNNER)
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLAB", "HIDE_INSTALL")}
    args = [sys.executable, str(runner), str(cell), str(times), *([names_url] if names_url else [])]
    return subprocess.run(args, cwd=cwd, env=base | (env or {}), capture_output=True, text=True, timeout=120)


# ----------------------------------------------------------------------------
# every lesson holds the current badges and setup lines, and reads no file by a relative path


@pytest.mark.parametrize("path", lessons(), ids=[p.name for p in lessons()])
def test_lesson_starts_with_the_badges_and_the_setup_lines(path):
    assert not anywhere.problems(path), "run: python tests/anywhere.py"


@pytest.mark.parametrize("path", lessons(), ids=[p.name for p in lessons()])
def test_no_lesson_depends_on_the_current_folder(path):
    """Data, checkpoints and images are found from the course's folder, not from where the kernel started."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for pattern in (r"""["']\.\.?/""", r"os\.chdir", r"Path\.cwd", r"getcwd", r"""Path\(["']\.\.?["']\)"""):
                assert not re.search(pattern, cell.source), f"{cell.id}: {pattern} depends on the current folder"
        else:
            for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", cell.source):
                assert target.startswith("https://"), f"{cell.id}: the image {target} is not found on Colab"


def test_writing_them_twice_changes_nothing():
    nb = nbformat.read(lessons()[1], as_version=4)
    title, code = anywhere.first_cells(nb)
    assert anywhere.with_setup(code.source) == code.source
    assert anywhere.with_badges(title.source, lessons()[1].name) == title.source


def test_the_old_setup_lines_are_replaced_and_what_follows_them_kept():
    assert anywhere.with_setup(anywhere.OLD_SETUP + "\nimport torch\n\nx = 1") == SETUP + "\nimport torch\n\nx = 1"


def test_badges_open_this_lesson_on_the_main_branch():
    line = anywhere.badges("04_training.ipynb")
    assert "https://colab.research.google.com/github/makemore-mlp/makemore-mlp/blob/main/notebooks/04_training.ipynb" in line
    assert "https://mybinder.org/v2/gh/makemore-mlp/makemore-mlp/main?labpath=notebooks%2F04_training.ipynb" in line


def test_a_practice_notebooks_badges_open_the_practice_version():
    from nbtools import PRACTICE
    line = anywhere.badges("practice/04_training.ipynb")
    assert "/blob/main/notebooks/practice/04_training.ipynb)" in line
    assert "?labpath=notebooks%2Fpractice%2F04_training.ipynb)" in line
    for path in lessons():
        title = nbformat.read(PRACTICE / path.name, as_version=4).cells[1]  # cells[0]: the practice note
        assert anywhere.badges(f"practice/{path.name}") in title.source, path.name


def test_the_setup_never_installs_packages():
    """Colab's torch and numpy are newer than ours and pinning them breaks it; Colab already has rich and matplotlib."""
    commands = re.findall(r'subprocess\.run\("([^"]+)"', SETUP)
    assert len(commands) == 1 and "git clone" in commands[0] and "pip" not in commands[0]
    assert "%pip" not in SETUP and "!pip" not in SETUP


def test_binder_installs_the_cpu_build_of_the_outputs_torch_and_the_requirements():
    from utils.envcheck import REFERENCE_TORCH
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines and "-r ../requirements.txt" in lines
    torch_pin = next(line for line in lines if line.startswith("torch=="))
    assert torch_pin.startswith(f"torch=={REFERENCE_TORCH}.") and torch_pin.endswith("+cpu")
    assert f"torch=={torch_pin[7:-4]}" in (ROOT / ".ci" / "run").read_text(), "CI and Binder use the same torch"
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)


def test_the_readme_lesson_table_has_every_lessons_badges():
    readme = (ROOT / "README.md").read_text()
    for path in lessons():
        assert anywhere.badges(path.name) in readme, path.name


def test_the_issue_template_asks_for_the_environment_check():
    template = (ROOT / ".github" / "ISSUE_TEMPLATE" / "lesson-fails.md").read_text()
    assert "python -m utils.envcheck" in template and "utils/envcheck.py" in template


# ----------------------------------------------------------------------------
# locally


def test_with_the_course_installed_it_prints_nothing_from_any_folder(tmp_path):
    proc = run_setup(tmp_path, tmp_path, times=2)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert Path(json.loads(proc.stdout)["utils"]) == ROOT / "utils" / "__init__.py"


def test_another_package_named_utils_gives_a_clear_error(tmp_path):
    foreign = tmp_path / "site" / "utils"
    foreign.mkdir(parents=True)
    (foreign / "__init__.py").write_text('"""Some other package that happens to be called utils."""\n')
    proc = run_setup(tmp_path, tmp_path, env={"PYTHONPATH": str(tmp_path / "site")})
    assert proc.returncode != 0
    assert "ImportError: `import utils` does not find this course's helpers" in proc.stderr
    assert "pip install -r requirements.txt" in proc.stderr and str(foreign / "__init__.py") in proc.stderr


def test_without_the_course_installed_the_error_says_how_to_fix_it(tmp_path):
    proc = run_setup(tmp_path, tmp_path, env={"HIDE_INSTALL": "1"})
    assert proc.returncode != 0
    assert "does not find this course's helpers" in proc.stderr and "Found: nothing" in proc.stderr


# ----------------------------------------------------------------------------
# Colab, simulated


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=course", "-c", "user.email=course@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def remote(tmp_path_factory) -> Path:
    """A bare git repository holding the course's utils, standing in for the one on GitHub."""
    base = tmp_path_factory.mktemp("remote")
    work = base / "work"
    shutil.copytree(ROOT / "utils", work / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "data").mkdir()
    (work / "data" / ".gitkeep").write_text("")
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "the course", cwd=work)
    git("clone", "--quiet", "--bare", str(work), str(base / "makemore-mlp.git"), cwd=base)
    return base / "makemore-mlp.git"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args):
        QuietHandler.requests.append(self.path)


@pytest.fixture(scope="module")
def names_url():
    """names.txt served from 127.0.0.1, standing in for its download address."""
    if not NAMES.exists():
        pytest.skip("data/names.txt is not here to serve")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(NAMES.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/names.txt"
    server.shutdown()
    server.server_close()


def test_on_colab_it_fetches_the_course_once_and_the_lesson_finds_utils_and_data(tmp_path, remote, names_url):
    content = tmp_path / "content"  # Colab's /content
    content.mkdir()
    course = content / "makemore-mlp"
    source = SETUP.replace(COLAB_DIR, str(course)).replace(REPO_URL, remote.as_uri())
    assert source != SETUP and remote.as_uri() in source
    QuietHandler.requests.clear()
    colab = {"COLAB": "1", "HIDE_INSTALL": "1"}

    proc = run_setup(tmp_path, content, source, times=2, env=colab, names_url=names_url)  # the cell run twice
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert Path(result["utils"]) == course / "utils" / "__init__.py"
    assert Path(result["names_path"]) == course / "data" / "names.txt" and result["words"] == 32_033
    assert (course / "data" / "names.txt").read_bytes() == NAMES.read_bytes()
    assert QuietHandler.requests == ["/names.txt"]
    assert subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=course, capture_output=True,
                          text=True).stdout.strip() == "true"

    (course / "kept").write_text("the clone is not fetched again")
    proc = run_setup(tmp_path, content, source, env=colab, names_url=names_url)  # a restarted kernel
    assert proc.returncode == 0, proc.stderr
    assert (course / "kept").exists() and QuietHandler.requests == ["/names.txt"], "fetched again"
    assert Path(json.loads(proc.stdout)["utils"]) == course / "utils" / "__init__.py"
