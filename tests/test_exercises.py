"""Tests of utils.check, the self-check behind every exercise."""

import pytest
import torch

from utils import check


def test_unanswered_exercise_is_not_an_error():
    assert check(None, 3).startswith("Not answered yet")


def test_right_answers_pass():
    assert check(228_146, 228_146) == "Correct!"
    assert check(0.14041, 0.1404) == "Correct!"
    assert check(torch.tensor([1, 2]), torch.tensor([1, 2])) == "Correct!"


def test_wrong_answer_fails_with_the_hint():
    with pytest.raises(AssertionError, match="count the rows"):
        check(5, 6, hint="count the rows")
    with pytest.raises(AssertionError):
        check(0.2, 0.1404)
    with pytest.raises(AssertionError):
        check(torch.tensor([1, 2, 3]), torch.tensor([1, 2]))
