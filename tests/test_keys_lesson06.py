"""The answer keys of lesson 06: right answers in any form pass, plausible wrong ones and empty ones fail.
No training: the budget run is checked on a tiny fake dev split with hand-set models."""

import numpy as np
import pytest
import torch

from utils import MLP, ModelConfig, check
from utils.exercises import NotAnswered, WrongAnswer
from utils.training import History


# --- 06.1: which split decides, and which model --------------------------------------------------------------

@pytest.mark.parametrize("right", [("dev", "A"), ["Dev", "a"], ("validation", "A"), (" development ", "A"),
                                   np.array(["dev", "A"])])
def test_choosing_on_dev_and_keeping_a_is_right_in_any_spelling(right):
    assert check("06.1", right) == "Correct!"


@pytest.mark.parametrize("wrong", [("test", "B"), ("train", "B"), ("dev", "B"), ("test", "A"), "dev", ("dev",)])
def test_choosing_on_train_or_test_or_keeping_b_is_wrong(wrong):
    with pytest.raises(WrongAnswer):
        check("06.1", wrong)


def test_no_split_chosen_is_unanswered():
    with pytest.raises(NotAnswered):
        check("06.1", None)


# --- 06.2: names of an eval split that also occur in train --------------------------------------------------

def seen_in_train(train_words, eval_words):
    train_set = set(train_words)
    return sum(1 for word in eval_words if word in train_set)


def seen_in_train_with_a_list(train_words, eval_words):  # slow on the real data, but right
    return np.int64(len([word for word in eval_words if word in train_words]))


def distinct_names_in_both(train_words, eval_words):  # forgets that repeated dev lines count each time
    return len(set(train_words) & set(eval_words))


def training_lines_in_eval(train_words, eval_words):  # counts the other direction
    return sum(word in set(eval_words) for word in train_words)


def substring_match(train_words, eval_words):  # a name inside a longer name is not the same name
    joined = " ".join(train_words)
    return sum(word in joined for word in eval_words)


def hard_coded(train_words, eval_words):
    return 424


def not_written(train_words, eval_words):
    raise NotImplementedError()


@pytest.mark.parametrize("right", [seen_in_train, seen_in_train_with_a_list])
def test_counting_eval_lines_found_in_train_is_right(right):
    assert check("06.2", right) == "Correct!"


@pytest.mark.parametrize("wrong", [distinct_names_in_both, training_lines_in_eval, substring_match, hard_coded])
def test_plausible_wrong_counts_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("06.2", wrong)


@pytest.mark.parametrize("empty", [None, not_written])
def test_a_missing_count_function_is_unanswered(empty):
    with pytest.raises(NotAnswered):
        check("06.2", empty)


# --- 06.3: beat dev 2.27 within 3,000 steps --------------------------------------------------------------------

X_DEV = torch.zeros((6, 3), dtype=torch.int64)  # a fake dev split: six contexts '...', each followed by '.'
Y_DEV = torch.zeros(6, dtype=torch.int64)


def fake_model(confident: bool, **settings) -> MLP:
    """A tiny untrained MLP; `confident` sets the output bias so that it predicts '.' almost surely."""
    model = MLP(ModelConfig(embedding_dim=2, hidden_size=8, output_scale=0.01, **settings))
    if confident:
        with torch.no_grad():
            model.b2[0] = 20.0
    return model


def fake_history(steps: int) -> History:
    return History(steps=list(range(steps)), losses=[2.0] * steps, lrs=[0.1] * steps)


def test_a_good_model_within_budget_passes_as_a_tuple_or_a_list():
    model = fake_model(confident=True)
    assert check("06.3", (model, fake_history(3000)), Xdev=X_DEV, Ydev=Y_DEV) == "Correct!"
    assert check("06.3", [model, fake_history(1)], Xdev=X_DEV, Ydev=Y_DEV) == "Correct!"


@pytest.mark.parametrize("make_answer, message", [
    (lambda: (fake_model(confident=False), fake_history(3000)), "dev loss"),  # about 3.3: not below the target
    (lambda: (fake_model(confident=True), fake_history(3001)), "budget"),
    (lambda: (fake_model(confident=True), fake_history(0)), "no training step"),
    (lambda: (fake_model(confident=True, block_size=4), fake_history(100)), "context"),
    (lambda: (fake_model(confident=True, direct=True), fake_history(100)), "direct"),
    (lambda: fake_model(confident=True), "pair"),
    (lambda: (fake_history(100), fake_model(confident=True)), "MLP"),
    (lambda: (fake_model(confident=True), [0.1] * 100), "History"),
])
def test_a_weak_model_an_overspent_budget_or_another_family_fails(make_answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check("06.3", make_answer(), Xdev=X_DEV, Ydev=Y_DEV)


def test_no_model_is_unanswered_and_the_dev_split_is_required():
    with pytest.raises(NotAnswered):
        check("06.3", None, Xdev=X_DEV, Ydev=Y_DEV)
    with pytest.raises(TypeError, match="Xdev"):
        check("06.3", (fake_model(confident=True), fake_history(10)))
