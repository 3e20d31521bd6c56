"""Lesson 01's exercise checks: plausible wrong answers fail, right answers in other forms pass."""

from collections import Counter

import numpy as np
import pytest
import torch

from utils import check
from utils.exercises import NotAnswered, WrongAnswer


def test_last_letter():
    assert check("01.1", "n") == "Correct!"
    assert check("01.1", " N ") == "Correct!"
    for wrong in ("a", "e", 14, ["n"]):  # 'a': the most common first letter and letter overall; 14: its index
        with pytest.raises(WrongAnswer):
            check("01.1", wrong)
    with pytest.raises(NotAnswered):
        check("01.1", None)


def test_context_counts_any_mapping_of_counts():
    def with_counter(words, block_size):
        return Counter(("." * block_size + w)[i:i + block_size] for w in words for i in range(len(w) + 1))

    def with_tensor_counts(words, block_size):
        counts = with_counter(words, block_size)
        return {k: torch.tensor(v) for k, v in counts.items()}

    assert check("01.2", with_counter) == "Correct!"
    assert check("01.2", with_tensor_counts) == "Correct!"


@pytest.mark.parametrize("wrong", [
    lambda words, bs: Counter(("." * bs + w)[i:i + bs] for w in words for i in range(len(w))),  # forgets the end
    lambda words, bs: {("." * bs + w)[i:i + bs]: 1 for w in words for i in range(len(w) + 1)},  # no counting
    lambda words, bs: Counter(("." * bs + w + ".")[i:i + bs] for w in words for i in range(len(w) + 2)),  # one extra
    lambda words, bs: {"...": 1, "..e": 1, ".em": 1, "emm": 1, "mma": 1},  # hard-coded from the example
])
def test_context_counts_wrong_versions_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("01.2", wrong)


def test_block_size_where_most_contexts_are_seen_once():
    for form in (5, 5.0, np.int64(5), torch.tensor(5)):
        assert check("01.3", form) == "Correct!"
    for wrong in (4, 6, True, "5"):
        with pytest.raises(WrongAnswer):
            check("01.3", wrong)
