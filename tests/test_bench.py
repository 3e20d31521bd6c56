"""The benchmark scripts keep working (tiny sizes: this checks they run, not how fast)."""

import pytest

import utils.data as data


@pytest.mark.skipif(not data.NAMES_PATH.exists(), reason="data/names.txt is not present")
def test_training_benchmark_reports_every_loop_and_the_ratios():
    from bench.training import measure

    result = measure(steps=20, repeats=1)
    assert all(result[f"{name} steps/s"] > 0 for name in ("plain loop, float32", "plain loop, float64", "utils.train, float64"))
    assert result["time per step, float64 / float32"] == pytest.approx(
        result["plain loop, float32 steps/s"] / result["plain loop, float64 steps/s"])


@pytest.mark.skipif(not data.NAMES_PATH.exists(), reason="data/names.txt is not present")
def test_float32_lecture_run_trains_in_float32_and_reports_a_dev_loss(monkeypatch):
    import math

    import torch

    import bench.quality as quality

    dtypes = []
    evaluate = quality.evaluate
    monkeypatch.setattr(quality, "evaluate", lambda model, X, Y: dtypes.append(model.W1.dtype) or evaluate(model, X, Y))
    loss = quality.lecture_in_float32(steps=20)
    assert dtypes == [torch.float32]
    assert math.isfinite(loss) and loss > 0
