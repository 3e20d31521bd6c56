"""Check that this machine can run the course, before the first lesson: `python -m utils.envcheck`.

One line per check: ✓ fine, ! worth knowing, ✗ a problem to fix first. The exit status is 1 when there is a ✗:
Python too old, torch or another requirement missing or at a version requirements.txt does not allow, or a
names.txt that fails its checksum. `python utils/envcheck.py` runs the same checks where `import torch` fails
(the `utils` package itself needs torch). `--json` prints the results for a program.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
NAMES = ROOT / "data" / "names.txt"
NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"  # utils.data's (a test checks)

# The stored outputs were made with this torch release (CPU build) on Linux x86-64, in float64; there the test
# command reproduces them exactly with any CPU's kernels (README, "What reproduces where").
REFERENCE_TORCH = "2.13"
# The course's machine (README, "Results") runs `probe` at this rate ... (`python -m utils.envcheck --json` there:
# facts.steps_per_second) ...
REFERENCE_STEPS_PER_SECOND = 3_050
# ... and all nine lessons, one after another on one core, in about this many minutes (TEACHING.md's run times).
REFERENCE_COURSE_MINUTES = 4.8

OK, NOTE, FAIL = "ok", "note", "fail"


@dataclass
class Check:
    """One line of the report: what was checked, how it went, and what was found."""

    name: str
    status: str  # OK, NOTE or FAIL
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def add(self, name: str, status: str, detail: str) -> None:
        self.checks.append(Check(name, status, detail))

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)


# ----------------------------------------------------------------------------
# versions and requirements


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: '2.13.0+cpu' -> (2, 13, 0)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def satisfies(version: str, specifier: str) -> bool:
    """Return True if `version` is allowed by `specifier` such as '>=2.2,<3' (the operators requirements use)."""
    have = release(version)
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        op, wanted = re.match(r"(~=|==|!=|<=|>=|<|>)?\s*(\S+)", clause).groups()
        want = release(wanted.rstrip(".*"))
        n = len(want)
        head = (have + (0,) * n)[:n]
        ok = {None: head == want, "==": head == want, "!=": head != want, ">=": have >= want, "<=": head <= want,
              ">": have > want and head != want, "<": have < want, "~=": have >= want and head[:-1] == want[:-1]}[op]
        if not ok:
            return False
    return True


def read_requirements(path: Path) -> list[tuple[str, str]]:
    """Return (distribution name, version specifier) for each package line of a requirements file.

    Options (`--index-url`, `-e .`, `-r other.txt`), comments, paths and URLs are skipped.
    """
    wanted = []
    for raw in Path(path).read_text().splitlines():
        line = raw.split("#")[0].split(";")[0].strip()
        if not line or line.startswith(("-", ".", "/")) or "://" in line:
            continue
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)", line)
        if match:
            wanted.append((match.group(1), match.group(3).replace(" ", "")))
    return wanted


def requires_python() -> str:
    """Return requires-python from the course's pyproject.toml (">=3.10" when it cannot be read)."""
    try:
        text = (ROOT / "pyproject.toml").read_text()
    except OSError:
        return ">=3.10"
    match = re.search(r'^\s*requires-python\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return match.group(1) if match else ">=3.10"


def shown(path: Path) -> str:
    """A path as the student knows it: relative to the course when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------
# the checks


def check_python(report: Report, version: str | None = None) -> None:
    version, needed = version or platform.python_version(), requires_python()
    report.facts["python"] = version
    if satisfies(version, needed):
        report.add("python", OK, f"Python {version} (the course needs {needed})")
    else:
        report.add("python", FAIL, f"Python {version} is too old: the course needs {needed}. Install a newer Python "
                                   f"and make a new virtual environment with it.")


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_packages(report: Report, requirements: Path, version_of=None):
    """Check every requirement; return the torch module, or None when it cannot be imported."""
    requirements = Path(requirements)
    if requirements.exists():
        wanted = read_requirements(requirements)
    else:
        report.add("requirements", NOTE, f"no {shown(requirements)}: versions are not checked, only presence")
        wanted = [(name, "") for name in ("torch", "matplotlib", "jupyter", "nbval", "rich", "pytest")]
    fix = f"pip install -r {shown(requirements)}"
    version_of = version_of or installed_version
    torch = None
    for name, spec in wanted:
        version = version_of(name)
        if name.lower() == "torch":
            try:
                import torch
                version = torch.__version__
            except Exception as exc:  # not installed, or installed but broken
                why = "is not installed" if version is None else f"does not import ({type(exc).__name__}: {exc})"
                report.add("torch", FAIL, f"torch {why}. Install the CPU build first: pip install torch==2.13.0 "
                                          f"--index-url https://download.pytorch.org/whl/cpu, then {fix}")
                continue
        report.facts.setdefault("packages", {})[name] = version
        wants = f" (requirements: {spec})" if spec else ""
        if version is None:
            report.add(name, FAIL, f"{name} is not installed{wants}: {fix}")
        elif not satisfies(version, spec):
            report.add(name, FAIL, f"{name} {version} is not what the course needs{wants}: {fix}")
        else:
            report.add(name, OK, f"{name} {version}{wants}")
    return torch


def check_torch_build(report: Report, torch) -> None:
    cuda = torch.version.cuda
    report.facts["torch_build"] = "cpu" if cuda is None else f"cuda {cuda}"
    if cuda is None:
        report.add("torch build", OK, "torch is a CPU build (all the course needs)")
    else:
        report.add("torch build", NOTE, f"torch is a CUDA {cuda} build: it works (the lessons run on the CPU), but "
                                        f"the CPU build is a much smaller download")
    capability = torch.backends.cpu.get_cpu_capability()
    threads, cores = torch.get_num_threads(), os.cpu_count()
    report.facts.update(cpu_capability=capability, threads=threads, cores=cores)
    report.add("cpu", OK, f"CPU kernels {capability}, {threads} torch threads on {cores} cores "
                          f"(each lesson uses one thread)")


def check_data(report: Report, names: Path = NAMES) -> None:
    names = Path(names)
    report.facts["names_present"] = names.exists()
    if not names.exists():
        report.add("data", NOTE, f"{shown(names)} is not here yet: the first lesson downloads it (offline, copy it "
                                 f"there by hand)")
        return
    digest = hashlib.sha256(names.read_bytes()).hexdigest()
    report.facts["names_verified"] = digest == NAMES_SHA256
    if digest == NAMES_SHA256:
        report.add("data", OK, f"{shown(names)} present, SHA-256 verified")
    else:
        report.add("data", FAIL, f"{shown(names)} is not the course's names.txt (SHA-256 {digest[:12]}…, expected "
                                 f"{NAMES_SHA256[:12]}…): delete it and the first lesson downloads a fresh copy")


def check_reproduction(report: Report, torch_version: str, system: str | None = None,
                       machine: str | None = None) -> None:
    """Say whether `python -m pytest` should reproduce the stored outputs digit for digit here."""
    system, machine = system or platform.system(), (machine or platform.machine()).lower()
    same_torch = ".".join(map(str, release(torch_version)[:2])) == REFERENCE_TORCH
    same_platform = system == "Linux" and machine in ("x86_64", "amd64")
    exact = same_torch and same_platform
    report.facts["outputs_reproduce_exactly"] = exact
    if exact:
        report.add("outputs", OK, f"torch {REFERENCE_TORCH} on Linux x86-64, as the stored outputs: "
                                  f"`python -m pytest` should reproduce them digit for digit")
    else:
        here = f"torch {torch_version.split('+')[0]} on {system} {machine}"
        report.add("outputs", NOTE, f"the stored outputs come from torch {REFERENCE_TORCH} on Linux x86-64, this is "
                                    f"{here}: a last printed digit may differ, so test with `python -m pytest "
                                    f"--nbval-lax` (it still checks every lesson's asserts)")


def probe(seconds: float) -> float:
    """Return training steps per second of the lecture model (float64, autograd, batch 32) on one thread."""
    import torch
    import torch.nn.functional as F

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        g = torch.Generator().manual_seed(0)
        shapes = [(27, 10), (30, 200), (200,), (200, 27), (27,)]  # C, W1, b1, W2, b2: block 3, emb 10, hidden 200
        params = [(0.1 * torch.randn(s, generator=g, dtype=torch.float64)).requires_grad_() for s in shapes]
        C, W1, b1, W2, b2 = params
        X = torch.randint(0, 27, (64, 32, 3), generator=g)  # 64 batches of 32 contexts
        Y = torch.randint(0, 27, (64, 32), generator=g)

        def steps(n: int) -> None:
            for i in range(n):
                h = torch.tanh(C[X[i % 64]].view(32, -1) @ W1 + b1)  # (32, 200)
                loss = F.cross_entropy(h @ W2 + b2, Y[i % 64])
                for p in params:
                    p.grad = None
                loss.backward()
                with torch.no_grad():
                    for p in params:
                        p -= 0.01 * p.grad

        steps(20)  # warm up
        done, start = 0, time.perf_counter()
        while True:
            steps(50)
            done += 50
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return done / elapsed
    finally:
        torch.set_num_threads(threads)


def check_speed(report: Report, seconds: float, measure=probe) -> None:
    if seconds <= 0:
        report.add("speed", NOTE, "speed not measured (--probe-seconds 0)")
        return
    try:
        rate = measure(seconds)
    except Exception as exc:
        report.add("speed", NOTE, f"the speed probe failed: {type(exc).__name__}: {exc}")
        return
    minutes = REFERENCE_COURSE_MINUTES * REFERENCE_STEPS_PER_SECOND / rate
    report.facts.update(steps_per_second=round(rate), expected_course_minutes=round(minutes, 1))
    slow = minutes > 4 * REFERENCE_COURSE_MINUTES
    report.add("speed", NOTE if slow else OK,
               f"{rate:,.0f} training steps/s on one thread (the course's machine: {REFERENCE_STEPS_PER_SECOND:,}): "
               f"all nine lessons take about {math.ceil(minutes)} minutes here, one after another"
               + (" — slow: close other programs, or run the lessons on Colab or Binder (README)" if slow else ""))


def run(requirements: Path = REQUIREMENTS, names: Path = NAMES, probe_seconds: float = 2.0) -> Report:
    """Run every check and return the report."""
    report = Report()
    check_python(report)
    torch = check_packages(report, Path(requirements))
    if torch is not None:
        check_torch_build(report, torch)
    check_data(report, names)
    if torch is not None:
        check_reproduction(report, torch.__version__)
        check_speed(report, probe_seconds)
    return report


# ----------------------------------------------------------------------------
# output


def marks_for(encoding: str | None) -> dict[str, str]:
    """✓ ! ✗ where the terminal can show them, else plain letters."""
    try:
        "✓✗…".encode(encoding or "utf-8")
        return {OK: "✓", NOTE: "!", FAIL: "✗"}
    except (UnicodeEncodeError, LookupError):
        return {OK: "ok", NOTE: "!", FAIL: "X"}


def summary(report: Report) -> str:
    failed = sum(c.status == FAIL for c in report.checks)
    if not failed:
        return "All set: open the first lesson."
    return f"{failed} problem{'s' * (failed > 1)} (✗) to fix before the lessons will run."


def print_report(report: Report) -> None:
    """Print one line per check, coloured with rich when it is installed."""
    marks = marks_for(sys.stdout.encoding)
    try:
        from rich.console import Console
        from rich.text import Text
    except ImportError:
        print("makemore-mlp environment check")
        for c in report.checks:
            print(f"{marks[c.status]} {c.detail}")
        print(summary(report))
        return
    styles = {OK: "green", NOTE: "yellow", FAIL: "bold red"}
    console = Console(soft_wrap=True, highlight=False)
    console.print(Text("makemore-mlp environment check", style="bold"))
    for c in report.checks:
        console.print(Text.assemble((marks[c.status], styles[c.status]), " ", c.detail))
    console.print(Text(summary(report), style="bold" if report.ok else "bold red"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.envcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--probe-seconds", type=float, default=2.0, metavar="S",
                        help="how long to time training steps for the run-time estimate (0: skip; default 2)")
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS, help="the requirements file to check against")
    parser.add_argument("--names", type=Path, default=NAMES, help="the names.txt to verify (default: data/names.txt)")
    args = parser.parse_args(argv)
    report = run(args.requirements, args.names, args.probe_seconds)
    if args.json:
        print(json.dumps({"ok": report.ok, "checks": [asdict(c) for c in report.checks], "facts": report.facts},
                         indent=2))
    else:
        print_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
