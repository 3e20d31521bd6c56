"""Results of the studies too long to run inside a lesson (several seeds, long runs, ablations).

`python -m bench studies NAME` trains the models and writes notebooks/studies/NAME.json; a lesson reads the
results with `load_study(NAME)`. Where each study comes from and how it is kept honest: bench/studies/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STUDIES_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "studies"


def load_study(name: str) -> dict[str, Any]:
    """Return the stored record of study `name`: its settings, results and the command that makes it."""
    path = STUDIES_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No stored results for the study {name!r} (notebooks/studies/{name}.json). "
                                f"Run `python -m bench studies {name}` from the course's folder to make them.")
    record = json.loads(path.read_text())
    if record.get("study") != name:
        raise ValueError(f"notebooks/studies/{name}.json holds the study {record.get('study')!r}, not {name!r}.")
    return record
