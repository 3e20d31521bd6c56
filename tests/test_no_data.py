"""Without data/names.txt and with no way to download it, the test command stops at once and says why, last."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def closed_local_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: a download from it fails at once, as it does offline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_test_command_without_data_stops_at_once_with_the_data_message_last(tmp_path):
    project = tmp_path / "course"
    shutil.copytree(ROOT / "utils", project / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "tests").mkdir()
    (project / "notebooks").mkdir()
    for name in ("conftest.py", "nbval_sanitize.cfg"):
        shutil.copy(ROOT / "tests" / name, project / "tests" / name)
    shutil.copy(ROOT / "pytest.ini", project / "pytest.ini")
    shutil.copy(ROOT / "notebooks" / "01_dataset.ipynb", project / "notebooks" / "01_dataset.ipynb")
    (project / "tests" / "test_something.py").write_text("def test_nothing():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["MAKEMORE_MLP_NAMES_URL"] = f"http://127.0.0.1:{closed_local_port()}/names.txt"
    env["PYTHONPATH"] = str(project)  # this copy's utils, not the installed course's

    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest"], cwd=project, env=env, capture_output=True, text=True,
                            timeout=120)
    seconds = time.perf_counter() - start

    assert result.returncode != 0
    printed = (result.stdout + result.stderr).strip().splitlines()
    assert printed[0].startswith("ERROR: the lessons need data/names.txt")
    assert "Could not download names.txt" in "\n".join(printed)
    assert printed[-1].strip() == str(project / "data" / "names.txt")  # the path to copy the file to comes last
    assert "passed" not in result.stdout and "failed" not in result.stdout  # nothing ran
    assert seconds < 60  # a few seconds on an idle machine; the lessons alone take minutes
