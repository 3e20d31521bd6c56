"""The lines that let a lesson open anywhere: the Colab and Binder badges under each title, and the setup lines
that start each lesson's first code cell.

    python tests/anywhere.py          # write the current badges and setup lines into every lesson
    python tests/anywhere.py --check  # exit 1 if a lesson does not hold them

Only the title cell and the start of the first code cell change; nothing is executed, and the stored outputs
stay valid because the setup lines print nothing outside Colab. tests/test_anywhere.py runs them on a simulated
Colab and in a clone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

OWNER, NAME = "makemore-mlp", "makemore-mlp"  # the GitHub repository: change it here, then run this script
REF = "main"  # the branch (or a release tag) the badges open and Colab fetches
REPO_URL = f"https://github.com/{OWNER}/{NAME}"
COLAB_DIR = "/content/makemore-mlp"  # where Colab keeps its copy of the course (Colab starts in /content)

SETUP = f'''\
import sys

if "google.colab" in sys.modules:  # on Colab: fetch the course once; Colab's own torch and numpy are kept
    import subprocess
    subprocess.run("test -d {COLAB_DIR} || git clone --quiet --depth 1 --branch {REF} {REPO_URL} {COLAB_DIR}",
                   shell=True, check=True)
    sys.path.insert(0, "{COLAB_DIR}")
try:
    import utils  # the course's helpers, wherever this notebook runs
    utils.load_words
except (ImportError, AttributeError):
    raise ImportError("`import utils` does not find this course's helpers: install the course as its README says "
                      "(pip install -r requirements.txt in the course's folder) and pick that environment's kernel. "
                      f"Found: {{getattr(sys.modules.get('utils'), '__file__', 'nothing')}}") from None
'''

# What every lesson's first code cell started with before the lines above.
OLD_SETUP = 'import sys\n\nsys.path.insert(0, "..")  # the course\'s helpers live in ../utils\n'

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def lessons() -> list[Path]:
    """Return the lesson notebooks in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def colab_url(lesson: str) -> str:
    return f"https://colab.research.google.com/github/{OWNER}/{NAME}/blob/{REF}/notebooks/{lesson}"


def binder_url(lesson: str) -> str:
    return f"https://mybinder.org/v2/gh/{OWNER}/{NAME}/{REF}?labpath=notebooks%2F{lesson.replace('/', '%2F')}"


def badges(lesson: str) -> str:
    """Return the Markdown line with the Open-in-Colab and Binder badges of one lesson (a path under notebooks/:
    "01_dataset.ipynb", or "practice/01_dataset.ipynb" for its practice version)."""
    return (f"[![Open In Colab]({COLAB_BADGE})]({colab_url(lesson)}) "
            f"[![Launch Binder]({BINDER_BADGE})]({binder_url(lesson)})")


def with_setup(source: str) -> str:
    """Return a first code cell's source starting with SETUP (in place of the old or an earlier version)."""
    if source.startswith(OLD_SETUP):
        rest = source[len(OLD_SETUP):]
    elif source.startswith("import sys\n\nif \"google.colab\""):
        rest = source[source.index("from None\n") + len("from None\n"):]
    else:
        rest = source
    return SETUP + "\n" + rest.lstrip("\n")


def with_badges(source: str, lesson: str) -> str:
    """Return a title cell's source with the badge line right under the title (replacing an older one)."""
    title, _, rest = source.partition("\n")
    rest = rest.lstrip("\n")
    if rest.startswith("[![Open In Colab]"):
        rest = rest.partition("\n")[2].lstrip("\n")
    return f"{title}\n\n{badges(lesson)}\n\n{rest}"


def first_cells(nb: nbformat.NotebookNode):
    """Return the title (first markdown) cell and the first code cell of a lesson."""
    return (next(c for c in nb.cells if c.cell_type == "markdown"),
            next(c for c in nb.cells if c.cell_type == "code"))


def problems(path: Path) -> list[str]:
    """Return what is out of date in one lesson (empty when its badges and setup lines are current)."""
    title, code = first_cells(nbformat.read(path, as_version=4))
    found = []
    if not code.source.startswith(SETUP + "\n"):
        found.append(f"{path.name}: the first code cell does not start with the current setup lines")
    if badges(path.name) not in title.source:
        found.append(f"{path.name}: the title cell has no current Colab/Binder badges")
    return found


def update(path: Path) -> bool:
    """Write the badges and setup lines into one lesson; return True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    title, code = first_cells(nb)
    new_title, new_code = with_badges(title.source, path.name), with_setup(code.source)
    if (new_title, new_code) == (title.source, code.source):
        return False
    title.source, code.source = new_title, new_code
    nbformat.write(nb, path)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report lessons that are out of date")
    args = parser.parse_args()
    if args.check:
        found = [p for path in lessons() for p in problems(path)]
        print("\n".join(found) or f"{len(lessons())} lessons hold the current badges and setup lines")
        return 1 if found else 0
    for path in lessons():
        print(f"{path.name}: {'updated' if update(path) else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
