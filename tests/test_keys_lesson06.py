"""The answer keys of lesson 06: right answers in any form pass, plausible wrong ones and empty ones fail.
The budget run is checked on tiny fake splits, with hand-set models and with models trained for 100 steps."""

import numpy as np
import pytest
import torch

from utils import MLP, ModelConfig, check, train
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


# --- 06.3: beat dev 2.27 within 3,000 steps, training on train --------------------------------------------------

# Tiny fake splits with one context '...': in train it is followed by 'a' three times in four, in dev by '.' three
# times in four. A model fits best the split it trained on, as with real names, only more visibly.
X_TRAIN = torch.zeros((8, 3), dtype=torch.int64)
Y_TRAIN = torch.tensor([1, 1, 1, 1, 1, 1, 0, 0])
X_DEV = torch.zeros((8, 3), dtype=torch.int64)
Y_DEV = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1])
SPLITS = {"Xtr": X_TRAIN, "Ytr": Y_TRAIN, "Xdev": X_DEV, "Ydev": Y_DEV}


def fake_model(sure: bool, **settings) -> MLP:
    """A tiny MLP with hand-set outputs: uniform over the 27 characters (train and dev loss both log 27 = 3.30),
    or, if `sure`, '.' or 'a', half and half (train and dev loss both log 2 = 0.69)."""
    model = MLP(ModelConfig(embedding_dim=2, hidden_size=8, output_scale=0.01, **settings))
    with torch.no_grad():
        model.W2.zero_()  # the output no longer depends on the context
        model.b2.zero_()
        if sure:
            model.b2[:2] = 20.0
    return model


def fake_history(steps: int) -> History:
    return History(steps=list(range(steps)), losses=[2.0] * steps, lrs=[0.1] * steps)


def reference_run(X, Y, steps=100):
    """The worked solution's recipe (embedding 10, hidden 200, batches of 64, 0.3 decaying linearly), shortened."""
    model = MLP(ModelConfig(embedding_dim=10, hidden_size=200, output_scale=0.01))
    return model, train(model, X, Y, steps=steps, batch_size=64, lr=lambda step: 0.3 * (1 - step / steps),
                        progress=False)


def section_2_run(X, Y, steps=100):
    """Another right answer: section 2's recipe (embedding 2, hidden 100, batches of 32, 0.1 then 0.01), shortened."""
    model = MLP(ModelConfig(embedding_dim=2, hidden_size=100, output_scale=0.01))
    return model, train(model, X, Y, steps=steps, lr=lambda step: 0.1 if step < 0.75 * steps else 0.01,
                        progress=False)


def test_a_good_model_within_budget_passes_as_a_tuple_or_a_list():
    model = fake_model(sure=True)
    assert check("06.3", (model, fake_history(3000)), **SPLITS) == "Correct!"
    assert check("06.3", [model, fake_history(1)], **SPLITS) == "Correct!"


@pytest.mark.parametrize("recipe", [reference_run, section_2_run])
def test_a_model_trained_on_train_passes(recipe):
    assert check("06.3", recipe(X_TRAIN, Y_TRAIN), **SPLITS) == "Correct!"


def test_a_model_trained_on_dev_fails_naming_the_rule():
    with pytest.raises(WrongAnswer, match="Dev is for choosing, never for training"):
        check("06.3", reference_run(X_DEV, Y_DEV), **SPLITS)


def test_only_a_dev_loss_more_than_0_01_below_the_train_loss_fails():
    model = fake_model(sure=True)  # a bias of 20 + d for '.' and 20 for 'a': dev - train = -d / 2
    with torch.no_grad():
        model.b2[0] = 20.0 + 0.018  # dev 0.009 below train: passes
    assert check("06.3", (model, fake_history(10)), **SPLITS) == "Correct!"
    with torch.no_grad():
        model.b2[0] = 20.0 + 0.022  # dev 0.011 below train: fails
    with pytest.raises(WrongAnswer, match="never for training"):
        check("06.3", (model, fake_history(10)), **SPLITS)


@pytest.mark.parametrize("make_answer, message", [
    (lambda: (fake_model(sure=False), fake_history(3000)), "dev loss"),  # 3.30: not below the target
    (lambda: (fake_model(sure=True), fake_history(3001)), "budget"),
    (lambda: (fake_model(sure=True), fake_history(0)), "no training step"),
    (lambda: (fake_model(sure=True, block_size=4), fake_history(100)), "context"),
    (lambda: (fake_model(sure=True, direct=True), fake_history(100)), "direct"),
    (lambda: fake_model(sure=True), "pair"),
    (lambda: (fake_history(100), fake_model(sure=True)), "MLP"),
    (lambda: (fake_model(sure=True), [0.1] * 100), "History"),
])
def test_a_weak_model_an_overspent_budget_or_another_family_fails(make_answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check("06.3", make_answer(), **SPLITS)


def test_no_model_is_unanswered_and_both_splits_are_required():
    with pytest.raises(NotAnswered):
        check("06.3", None, **SPLITS)
    with pytest.raises(TypeError, match="Xtr, Ytr, Xdev, Ydev"):
        check("06.3", (fake_model(sure=True), fake_history(10)))
    with pytest.raises(TypeError, match="Xtr, Ytr"):
        check("06.3", (fake_model(sure=True), fake_history(10)), Xdev=X_DEV, Ydev=Y_DEV)
