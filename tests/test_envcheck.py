"""`python -m utils.envcheck`: one clear line per check, and a non-zero exit on a hard problem.

Broken machines are simulated in-process (an old Python, a missing or too old package, torch that does not
import, a corrupted names.txt, another platform, a slow CPU), so these tests take about a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import utils.data
from utils import envcheck
from utils.envcheck import FAIL, NOTE, OK, Report

ROOT = Path(__file__).resolve().parent.parent


def by_name(report: Report) -> dict[str, envcheck.Check]:
    return {c.name: c for c in report.checks}


def test_this_environment_passes_with_one_line_per_check(capsys):
    assert envcheck.main(["--probe-seconds", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "makemore-mlp environment check" and lines[-1] == "All set: open the first lesson."
    assert any(line.startswith("✓ Python 3.") and "needs >=3.10" in line for line in lines)
    for package in ("torch", "matplotlib", "jupyter", "nbval", "rich", "pytest"):
        assert any(line.startswith(f"✓ {package} ") for line in lines), f"no line for {package}"
    assert any(line.startswith("✓ CPU kernels ") and "threads" in line for line in lines)
    assert any(line.startswith("✓ torch is a CPU build") for line in lines)


def test_json_output_holds_the_facts(capsys):
    assert envcheck.main(["--json", "--probe-seconds", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True
    assert {"python", "packages", "torch_build", "cpu_capability", "threads", "outputs_reproduce_exactly"} <= set(result["facts"])


def test_the_checksum_is_the_loaders():
    assert envcheck.NAMES_SHA256 == utils.data.NAMES_SHA256


@pytest.mark.skipif(not (ROOT / "data" / "names.txt").exists(), reason="data/names.txt is not here")
def test_the_course_data_is_verified():
    report = Report()
    envcheck.check_data(report)
    assert by_name(report)["data"].status == OK and "SHA-256 verified" in by_name(report)["data"].detail


def test_an_old_python_is_a_hard_problem():
    report = Report()
    envcheck.check_python(report, "3.9.18")
    assert by_name(report)["python"].status == FAIL and not report.ok
    assert "Python 3.9.18 is too old: the course needs >=3.10" in by_name(report)["python"].detail


def test_a_missing_or_too_old_package_fails_with_the_command_that_fixes_it(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("rich>=13.0\nmatplotlib>=3.7  # plots\n-e .\n--index-url https://example.invalid\n")
    versions = {"rich": None, "matplotlib": "3.5.1"}
    report = Report()
    envcheck.check_packages(report, requirements, version_of=versions.get)
    checks = by_name(report)
    assert checks["rich"].status == FAIL and "rich is not installed (requirements: >=13.0)" in checks["rich"].detail
    assert checks["matplotlib"].status == FAIL and "matplotlib 3.5.1 is not what the course needs" in checks["matplotlib"].detail
    assert f"pip install -r {requirements}" in checks["rich"].detail
    assert set(checks) == {"rich", "matplotlib"}, "options and paths are not packages"


def test_torch_that_does_not_import_says_to_install_the_cpu_build(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("torch>=2.2\n")
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    report = Report()
    assert envcheck.check_packages(report, requirements, version_of=lambda name: None) is None
    detail = by_name(report)["torch"].detail
    assert by_name(report)["torch"].status == FAIL
    assert "torch is not installed" in detail and "--index-url https://download.pytorch.org/whl/cpu" in detail


def test_a_corrupted_names_file_fails_and_the_exit_status_says_so(tmp_path, capsys):
    bad = tmp_path / "names.txt"
    bad.write_text("emma\nolivia\n")
    assert envcheck.main(["--names", str(bad), "--probe-seconds", "0"]) == 1
    out = capsys.readouterr().out
    assert "✗ " in out and "is not the course's names.txt" in out and "delete it" in out
    assert out.splitlines()[-1] == "1 problem (✗) to fix before the lessons will run."


def test_a_missing_names_file_is_only_a_note(tmp_path):
    report = Report()
    envcheck.check_data(report, tmp_path / "names.txt")
    assert by_name(report)["data"].status == NOTE and "the first lesson downloads it" in by_name(report)["data"].detail
    assert report.ok


@pytest.mark.parametrize("torch_version, system, machine, exact", [
    ("2.13.0+cpu", "Linux", "x86_64", True),
    ("2.13.1", "Linux", "x86_64", True),
    ("2.12.0", "Linux", "x86_64", False),
    ("2.13.0", "Darwin", "arm64", False),
    ("2.13.0", "Windows", "AMD64", False),
])
def test_whether_outputs_reproduce_exactly(torch_version, system, machine, exact):
    report = Report()
    envcheck.check_reproduction(report, torch_version, system, machine)
    line = by_name(report)["outputs"]
    assert report.facts["outputs_reproduce_exactly"] is exact
    assert line.status == (OK if exact else NOTE) and report.ok
    assert exact or "--nbval-lax" in line.detail


def test_the_run_time_estimate_scales_with_the_probe():
    reference = envcheck.REFERENCE_STEPS_PER_SECOND
    report = Report()
    envcheck.check_speed(report, 1.0, measure=lambda seconds: reference / 2)  # a machine half as fast
    assert report.facts["expected_course_minutes"] == pytest.approx(2 * envcheck.REFERENCE_COURSE_MINUTES, abs=0.1)
    assert by_name(report)["speed"].status == OK
    slow = Report()
    envcheck.check_speed(slow, 1.0, measure=lambda seconds: reference / 10)
    assert by_name(slow)["speed"].status == NOTE and "Colab or Binder" in by_name(slow)["speed"].detail
    failed = Report()
    envcheck.check_speed(failed, 1.0, measure=lambda seconds: 1 / 0)
    assert by_name(failed)["speed"].status == NOTE and "ZeroDivisionError" in by_name(failed)["speed"].detail


def test_the_probe_trains_and_returns_a_rate():
    assert envcheck.probe(0.05) > 10


@pytest.mark.parametrize("version, specifier, expected", [
    ("2.13.0+cpu", ">=2.2", True), ("2.1.2", ">=2.2", False), ("3.11.7", ">=3.10", True), ("3.9.1", ">=3.10", False),
    ("13.0", ">=13.0", True), ("2.13.0", "==2.13.0", True), ("2.13.0", "==2.13.*", True), ("2.14.0", "==2.13.*", False),
    ("2.13.0", ">=2.2,<3", True), ("3.0.0", ">=2.2,<3", False), ("2.2.1", "~=2.2", True), ("3.0", "~=2.2", False),
    ("1.0", "", True),
])
def test_version_specifiers(version, specifier, expected):
    assert envcheck.satisfies(version, specifier) is expected


def test_the_course_requirements_are_read():
    names = [name for name, _ in envcheck.read_requirements(ROOT / "requirements.txt")]
    assert names[:6] == ["torch", "matplotlib", "jupyter", "nbval", "rich", "pytest"]


def test_terminals_without_unicode_get_plain_marks():
    assert envcheck.marks_for("ascii") == {OK: "ok", NOTE: "!", FAIL: "X"}
    assert envcheck.marks_for("utf-8")[OK] == "✓"


def test_as_a_file_it_runs_where_nothing_is_installed(tmp_path):
    """`python utils/envcheck.py`, with no site-packages (python -S): no torch, no rich, still one line per check."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-S", str(ROOT / "utils" / "envcheck.py"), "--probe-seconds", "0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "makemore-mlp environment check"
    assert any(line.startswith("✗ torch is not installed") for line in lines)
    assert any(line.startswith("✓ Python 3.") for line in lines)
    assert lines[-1].endswith("to fix before the lessons will run.")
