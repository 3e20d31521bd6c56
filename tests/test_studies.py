"""The stored study results (notebooks/studies/*.json) are current and are what the code produces."""

import json

import pytest
import torch

from bench.studies import studies
from utils.studies import STUDIES_DIR, load_study

STUDIES = studies()


def test_every_stored_file_belongs_to_a_study():
    stored = {p.stem for p in STUDIES_DIR.glob("*.json")}
    assert stored <= set(STUDIES), f"results without a study: {sorted(stored - set(STUDIES))}"


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_stored_results_use_the_current_settings(name):
    record = load_study(name)
    assert record["settings"] == STUDIES[name].settings, (
        f"notebooks/studies/{name}.json was made with other settings: run `python -m bench studies {name}`")
    assert record["lesson"] == STUDIES[name].lesson


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_a_stored_number_is_reproduced(name):
    record = load_study(name)
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    try:
        recomputed, stored = STUDIES[name].spot(record["settings"], record["results"])
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
    assert recomputed == pytest.approx(stored, abs=1e-6)


def test_a_missing_study_says_how_to_make_it():
    with pytest.raises(FileNotFoundError, match="python -m bench studies no_such_study"):
        load_study("no_such_study")


def test_a_file_holding_another_study_is_refused(tmp_path, monkeypatch):
    import utils.studies
    monkeypatch.setattr(utils.studies, "STUDIES_DIR", tmp_path)
    (tmp_path / "a.json").write_text(json.dumps({"study": "b"}))
    with pytest.raises(ValueError, match="holds the study 'b'"):
        utils.studies.load_study("a")
