"""The CI workflow users can fork runs exactly the README's commands, on Linux, macOS and Windows."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"


def readme_commands() -> set[str]:
    """Every command line in the README's shell code blocks, comments removed."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return {line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()}


def test_workflow_is_valid_yaml_with_one_job_on_three_systems():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert set(workflow) >= {"name", True, "jobs"}  # YAML reads the key `on` as True
    (job,) = workflow["jobs"].values()
    systems = [entry["os"] for entry in job["strategy"]["matrix"]["include"]]
    assert sorted(s.split("-")[0] for s in systems) == ["macos", "ubuntu", "windows"]
    assert job["runs-on"] == "${{ matrix.os }}"
    for step in job["steps"]:
        assert set(step) <= {"name", "uses", "with", "run"}, step
        assert ("uses" in step) != ("run" in step), step


def test_workflow_runs_only_the_readme_commands():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    lines = [line.strip() for step in job["steps"] if "run" in step for line in step["run"].splitlines() if line.strip()]
    tests = {entry["test"] for entry in job["strategy"]["matrix"]["include"]}
    lines = [line for line in lines if line != "${{ matrix.test }}"] + sorted(tests)
    commands = readme_commands()
    assert "python -m pytest" in tests
    for line in lines:
        assert line in commands, f"the workflow runs {line!r}, which the README does not show"
