"""The answer keys of lesson 07: right answers in any form pass, plausible wrong ones and empty ones fail."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils import check
from utils.exercises import NotAnswered, WrongAnswer


def not_written(*args):
    raise NotImplementedError()


# --- 07.1: cosine similarity -----------------------------------------------------------------------------------

def cosine(u, v):
    return u @ v / (u.norm() * v.norm())


def cosine_with_torch(u, v):
    return F.cosine_similarity(u, v, dim=0).item()


def cosine_in_numpy(u, v):
    a, b = u.numpy(), v.numpy()
    return np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b))


def dot_product(u, v):  # forgets to divide by the lengths
    return u @ v


def one_norm_twice(u, v):  # divides by the length of u twice
    return u @ v / u.norm() ** 2


def centred(u, v):  # subtracts each vector's mean, as the lesson does across the 27 rows of C
    return F.cosine_similarity(u - u.mean(), v - v.mean(), dim=0).item()


def always_one(u, v):
    return 1.0


@pytest.mark.parametrize("right", [cosine, cosine_with_torch, cosine_in_numpy])
def test_cosine_by_formula_torch_or_numpy_is_right(right):
    assert check("07.1", right) == "Correct!"


@pytest.mark.parametrize("wrong", [dot_product, one_norm_twice, centred, always_one])
def test_cosine_slips_and_a_constant_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("07.1", wrong)


@pytest.mark.parametrize("empty", [None, not_written])
def test_a_missing_cosine_is_unanswered(empty):
    with pytest.raises(NotAnswered):
        check("07.1", empty)


def test_a_wrong_cosine_is_told_the_input_values_and_not_the_expected_cosine():
    with pytest.raises(WrongAnswer) as err:
        check("07.1", dot_product)  # right on u = [1, 0], v = [0, 2] (both 0); 50 instead of 1 on the next pair
    message = str(err.value)
    assert "dot_product(u, v) with u = [3, 4] and v = [6, 8] returned 50.0" in message
    assert "1.0" not in message


# --- 07.2: share of variance of the first k principal directions --------------------------------------------

def pca_share(C, k):
    S = torch.linalg.svdvals(C - C.mean(dim=0))
    return (S[:k] ** 2).sum() / (S ** 2).sum()


def pca_share_by_eigenvalues(C, k):  # the covariance's eigenvalues are the squared singular values (over n - 1)
    eigenvalues = torch.linalg.eigvalsh(torch.cov(C.T)).flip(0).clamp(min=0)
    return (eigenvalues[:k].sum() / eigenvalues.sum()).numpy()


def pca_share_lowrank_full(C, k):
    _, S, _ = torch.pca_lowrank(C, q=min(C.shape), center=True)
    return float((S[:k] ** 2).sum() / ((C - C.mean(dim=0)) ** 2).sum())


def not_centred(C, k):
    S = torch.linalg.svdvals(C)
    return (S[:k] ** 2).sum() / (S ** 2).sum()


def singular_values_not_squared(C, k):
    S = torch.linalg.svdvals(C - C.mean(dim=0))
    return S[:k].sum() / S.sum()


def k_of_d(C, k):
    return min(k / C.shape[1], 1.0)


def lowrank_default(C, k):  # randomised, with q=6 by default: not exact
    torch.manual_seed(0)
    _, S, _ = torch.pca_lowrank(C)
    return float((S[:k] ** 2).sum() / ((C - C.mean(dim=0)) ** 2).sum())


@pytest.mark.parametrize("right", [pca_share, pca_share_by_eigenvalues, pca_share_lowrank_full])
def test_pca_share_by_svd_or_eigenvalues_is_right(right):
    assert check("07.2", right) == "Correct!"


@pytest.mark.parametrize("wrong", [not_centred, singular_values_not_squared, k_of_d, lowrank_default])
def test_pca_share_slips_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("07.2", wrong)


@pytest.mark.parametrize("empty", [None, not_written])
def test_a_missing_pca_share_is_unanswered(empty):
    with pytest.raises(NotAnswered):
        check("07.2", empty)


# --- 07.3: the chance level of a 2-D projection ------------------------------------------------------------------

def chance_share(n_tables, seed, centre=True, squared=True):
    C = torch.randn(n_tables, 27, 10, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    if centre:
        C = C - C.mean(dim=1, keepdim=True)
    S = torch.linalg.svdvals(C)
    if squared:
        S = S ** 2
    return (S[:, :2].sum(dim=1) / S.sum(dim=1)).mean()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_estimate_from_2000_random_tables_passes_in_any_form(seed):
    estimate = chance_share(2000, seed)
    for form in (estimate, estimate.item(), estimate.numpy(), round(estimate.item(), 3)):
        assert check("07.3", form) == "Correct!"


@pytest.mark.parametrize("wrong", [
    0.2,  # two of ten equal dimensions
    0.7659,  # the trained embedding of the lesson
    chance_share(2000, 0, centre=False),  # forgets to centre each table
    chance_share(2000, 0, squared=False),  # shares of S instead of S**2
    chance_share(1, 0),  # one table is not the chance level
    True,
])
def test_other_shares_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("07.3", wrong)


def test_no_share_is_unanswered():
    with pytest.raises(NotAnswered):
        check("07.3", None)
