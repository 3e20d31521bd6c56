"""The answer keys of lesson 02: right answers pass in any reasonable form, plausible wrong ones and unanswered
exercises fail."""

import numpy as np
import pytest
import torch

from utils import MLP, ModelConfig, Vocab, build_dataset, check, load_words
from utils.exercises import NotAnswered, WrongAnswer
from utils.answer_keys.lesson02 import saturated_share


@pytest.fixture(scope="module")
def X():
    """The first contexts of the dataset (the first 300 names give the same first 1,000 rows as all of them)."""
    words = load_words()
    X, _ = build_dataset(words[:300], 3, Vocab.from_words(words))
    return X


# --- 02.1 contiguous_stride ------------------------------------------------------------------------------------

def test_contiguous_stride_right_in_any_form():
    def as_tuple(shape):
        stride, step = [], 1
        for size in reversed(shape):
            stride.append(step)
            step *= size
        return tuple(reversed(stride))

    def as_list(shape):
        return [int(np.prod(shape[i + 1:])) for i in range(len(shape))]

    def as_tensor(shape):
        return torch.tensor(as_list(shape), dtype=torch.long)

    for right in (as_tuple, as_list, as_tensor):
        assert check("02.1", right) == "Correct!"


def test_contiguous_stride_wrong_and_hard_coded_fail():
    def reversed_order(shape):  # strides listed from the last dimension
        return [int(np.prod(shape[:i])) for i in range(len(shape))]

    def including_own_size(shape):  # the product of the sizes from this dimension on
        return [int(np.prod(shape[i:])) for i in range(len(shape))]

    def hard_coded(shape):
        return (12, 4, 1)

    def by_tensor_but_empty_is_one(shape):  # a plausible slip on the 0-d shape
        return tuple(torch.empty(shape).stride()) or (1,)

    for wrong in (reversed_order, including_own_size, hard_coded, by_tensor_but_empty_is_one):
        with pytest.raises(WrongAnswer):
            check("02.1", wrong)


def test_contiguous_stride_unanswered():
    def stub(shape):
        raise NotImplementedError()

    for empty in (None, stub):
        with pytest.raises(NotAnswered):
            check("02.1", empty)


# --- 02.2 silent broadcasting ---------------------------------------------------------------------------------

def test_silent_batch_sizes_right_in_any_form():
    for form in ([1, 100], (1, 100), torch.tensor([1, 100]), np.array([1, 100]), {1, 100}, [100, 1], [1.0, 100.0],
                 [np.int64(1), torch.tensor(100)]):
        assert check("02.2", form) == "Correct!"


def test_silent_batch_sizes_wrong_fail():
    for wrong in ([100], [1], [1, 2, 100], [6, 100], [], "1, 100", 100, [True, 100], [1, 100.5],
                  torch.tensor([[1, 100]])):
        with pytest.raises(WrongAnswer):
            check("02.2", wrong)
    with pytest.raises(NotAnswered):
        check("02.2", None)


def test_silent_batch_sizes_messages_do_not_give_the_count_away():
    for wrong, says in (([100], "some batch sizes that raise no error are missing"),
                        ([1, 2, 100], "some of these batch sizes raise an error"),
                        ([6, 100], "some of these batch sizes raise an error, and some that raise none are missing")):
        with pytest.raises(WrongAnswer) as err:
            check("02.2", wrong)
        message = str(err.value)
        assert says in message
        for leak in ("(2,)", "(1,)", "2 items", "1 item", "expected shape"):
            assert leak not in message, message


# --- 02.3 position_terms --------------------------------------------------------------------------------------

def test_position_terms_right_in_any_form():
    def by_loop(emb, W1):
        N, T, m = emb.shape
        return torch.stack([emb[:, t] @ W1[t * m:(t + 1) * m] for t in range(T)], dim=1)

    def by_einsum(emb, W1):
        N, T, m = emb.shape
        return torch.einsum("ntm,tmh->nth", emb, W1.view(T, m, -1))

    def as_numpy(emb, W1):
        return by_einsum(emb, W1).numpy()

    for right in (by_loop, by_einsum, as_numpy):
        assert check("02.3", right) == "Correct!"


def test_position_terms_wrong_fail():
    def interleaved_rows(emb, W1):  # takes every T-th row of W1 for position t
        N, T, m = emb.shape
        return torch.stack([emb[:, t] @ W1[t::T] for t in range(T)], dim=1)

    def flattened(emb, W1):  # the summed pre-activation, not the per-position terms
        return emb.reshape(len(emb), -1) @ W1

    def positions_first(emb, W1):  # (T, N, h)
        N, T, m = emb.shape
        return torch.stack([emb[:, t] @ W1[t * m:(t + 1) * m] for t in range(T)], dim=0)

    for wrong in (interleaved_rows, flattened, positions_first):
        with pytest.raises(WrongAnswer):
            check("02.3", wrong)
    with pytest.raises(NotAnswered):
        check("02.3", None)


# --- 02.4 saturation ------------------------------------------------------------------------------------------

def test_saturation_scale_found_on_a_grid_passes_in_any_form(X):
    scales = [k / 100 for k in range(1, 101)]
    best = max(s for s in scales if saturated_share(s, X) < 0.05)
    for form in (best, torch.tensor(best), np.float64(best), torch.tensor([best])):
        assert check("02.4", form, X=X) == "Correct!"


def test_saturation_scale_wrong_fail(X):
    with pytest.raises(WrongAnswer, match="5% or more of the hidden values are saturated"):
        check("02.4", 1.0, X=X)  # the lesson's own scale
    with pytest.raises(WrongAnswer, match="a factor 5% larger meets it too"):
        check("02.4", 0.1, X=X)  # meets the target, but far from the largest such scale
    for wrong in (0.0, -0.3, True, "0.3", [0.3, 0.32]):
        with pytest.raises(WrongAnswer):
            check("02.4", wrong, X=X)
    with pytest.raises(NotAnswered):
        check("02.4", None, X=X)


def test_saturation_uses_the_lesson_model_even_if_the_notebook_changed_it(X):
    model = MLP(ModelConfig(embedding_dim=2, hidden_size=100))
    with torch.no_grad():
        model.W1 *= 0.01  # a student scaled the model in place: the check does not depend on it
    assert saturated_share(1.0, X) > 0.3


def test_an_answer_that_changes_its_input_in_place_cannot_spoil_the_cases_for_the_next_check():
    def right(emb, W1):
        N, T, m = emb.shape
        return torch.stack([emb[:, t] @ W1[t * m:(t + 1) * m] for t in range(T)], dim=1)

    def spoils_its_input(emb, W1):
        W1.zero_()
        return right(emb, W1) + 1

    with pytest.raises(WrongAnswer):
        check("02.3", spoils_its_input)
    assert check("02.3", right) == "Correct!"
