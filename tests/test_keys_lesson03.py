"""The answer keys of lesson 03: right answers pass in any reasonable form, plausible wrong ones and unanswered
exercises fail."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils import Vocab, build_dataset, check, load_words
from utils.exercises import NotAnswered, WrongAnswer

# --- 03.1 log_softmax -----------------------------------------------------------------------------------------


def test_log_softmax_right_in_any_form():
    def by_shift(logits):
        shifted = logits - logits.max(dim=-1, keepdim=True).values
        return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()

    def by_logsumexp(logits):
        return logits - torch.logsumexp(logits, dim=-1, keepdim=True)

    def as_numpy(logits):
        return by_shift(logits).numpy()

    for right in (by_shift, by_logsumexp, as_numpy):
        assert check("03.1", right) == "Correct!"


def test_log_softmax_wrong_fail():
    def log_of_stable_softmax(logits):  # -inf where a probability underflows
        return F.softmax(logits, dim=-1).log()

    def naive(logits):  # nan once exp overflows
        return logits - logits.exp().sum(dim=-1, keepdim=True).log()

    def over_first_dim(logits):
        return F.log_softmax(logits, dim=0)

    def without_keepdim(logits):
        shifted = logits - logits.max(dim=-1).values
        return shifted - shifted.exp().sum(dim=-1).log()

    def softmax_not_log(logits):
        return F.softmax(logits, dim=-1)

    for wrong in (log_of_stable_softmax, naive, over_first_dim, without_keepdim, softmax_not_log):
        with pytest.raises(WrongAnswer):
            check("03.1", wrong)

    def stub(logits):
        raise NotImplementedError()

    for empty in (None, stub):
        with pytest.raises(NotAnswered):
            check("03.1", empty)


# --- 03.2 cross_entropy_grad ----------------------------------------------------------------------------------

def test_cross_entropy_grad_right_in_any_form():
    def by_formula(logits, targets):
        n, V = logits.shape
        return (F.softmax(logits, dim=1) - F.one_hot(targets, V)) / n

    def by_autograd(logits, targets):
        z = logits.clone().requires_grad_(True)
        F.cross_entropy(z, targets).backward()
        return z.grad

    def in_place_and_numpy(logits, targets):
        probs = F.softmax(logits, dim=1)
        probs[torch.arange(len(targets)), targets] -= 1
        return (probs / len(targets)).numpy()

    for right in (by_formula, by_autograd, in_place_and_numpy):
        assert check("03.2", right) == "Correct!"


def test_cross_entropy_grad_wrong_fail():
    def no_mean(logits, targets):  # the gradient of the sum, not the mean
        return F.softmax(logits, dim=1) - F.one_hot(targets, logits.shape[1])

    def naive_softmax(logits, targets):  # nan for huge logits
        counts = logits.exp()
        return (counts / counts.sum(dim=1, keepdim=True) - F.one_hot(targets, logits.shape[1])) / len(targets)

    def sign_flipped(logits, targets):
        return (F.one_hot(targets, logits.shape[1]) - F.softmax(logits, dim=1)) / len(targets)

    def softmax_only(logits, targets):
        return F.softmax(logits, dim=1) / len(targets)

    for wrong in (no_mean, naive_softmax, sign_flipped, softmax_only):
        with pytest.raises(WrongAnswer):
            check("03.2", wrong)
    with pytest.raises(NotAnswered):
        check("03.2", None)


# --- 03.3 context-free logits ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def Y():
    """The targets of the first 1,000 names: every character occurs, and the floor is below the target."""
    words = load_words()
    return build_dataset(words[:1000], 3, Vocab.from_words(words))[1]


def test_context_free_logits_right_in_any_form(Y):
    share = torch.bincount(Y, minlength=27).double() / len(Y)
    best = share.log()
    for form in (best, best + 3.0, best.numpy(), best.tolist(), best.view(1, 27), best.clone().requires_grad_(True)):
        assert check("03.3", form, Y=Y) == "Correct!"


def test_context_free_logits_wrong_fail(Y):
    share = torch.bincount(Y, minlength=27).double() / len(Y)
    for wrong in (torch.zeros(27), -share.log(), share, share.log()[:26], torch.full((27,), float("nan")), 2.8,
                  "log(share)", torch.ones(27, dtype=torch.bool)):
        with pytest.raises(WrongAnswer):
            check("03.3", wrong, Y=Y)
    with pytest.raises(NotAnswered):
        check("03.3", None, Y=Y)


def test_an_answer_that_changes_its_input_in_place_cannot_spoil_the_cases_for_the_next_check():
    def right(logits, targets):
        n, V = logits.shape
        return (F.softmax(logits, dim=1) - F.one_hot(targets, V)) / n

    def spoils_its_input(logits, targets):
        logits.exp_()  # in place: 1000 becomes inf
        return right(logits, targets) * 2

    with pytest.raises(WrongAnswer):
        check("03.2", spoils_its_input)
    assert check("03.2", right) == "Correct!"
