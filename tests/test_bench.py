"""The benchmark scripts keep working (tiny sizes: this checks they run, not how fast)."""

import pytest

import utils.data as data


@pytest.mark.skipif(not data.NAMES_PATH.exists(), reason="data/names.txt is not present")
def test_training_benchmark_reports_both_loops_and_the_ratio():
    from bench.training import measure

    result = measure(steps=20, repeats=1)
    assert result["plain loop steps/s"] > 0 and result["utils.train steps/s"] > 0
    assert result["ratio helper/plain"] == pytest.approx(result["utils.train steps/s"] / result["plain loop steps/s"])
