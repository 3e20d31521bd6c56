"""Answer keys of lesson 07 (what the embeddings learn). Reading them spoils the exercises."""

import torch

from utils.exercises import Key, NotAnswered, fail, matches, plain


def _cosine(u, v):
    return (u @ v / (u.norm() * v.norm())).item()


def _pca_share(C, k):
    S = torch.linalg.svdvals(C - C.mean(dim=0))
    return ((S[:k] ** 2).sum() / (S ** 2).sum()).item()


def _tensor(values):
    return torch.tensor(values, dtype=torch.float64)


def _randn(*shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


_u10, _v10 = _randn(10, seed=1), _randn(10, seed=2)
_C = _randn(27, 10, seed=3)  # the shape of an embedding table
_line = _tensor([[0.0], [1.0], [2.0], [3.0], [5.0]]) * _tensor([[1.0, 2.0, -1.0]]) + _tensor([[4.0, 5.0, 6.0]])

# Exercise 1's inputs. A wrong answer's message shows the values of a short vector and describes a long one (and
# never shows the expected cosine).
_COSINE_CASES = [
    (_tensor([1.0, 0.0]), _tensor([0.0, 2.0]), None), (_tensor([3.0, 4.0]), _tensor([6.0, 8.0]), None),
    (_u10, -2.5 * _u10, "u of 10 random values and v = -2.5 * u"), (_u10, _v10, "u and v of 10 random values each"),
    (_tensor([2.0]), _tensor([-3.0]), None), (_tensor([1e-3, 2e-3, 0.0]), _tensor([5e2, -1e2, 3e2]), None),
]


def _show(u, v, description):
    if description:
        return description
    values = lambda t: "[" + ", ".join(f"{x:g}" for x in t.tolist()) + "]"
    return f"u = {values(u)} and v = {values(v)}"


def _verify_cosine(answer):
    """Call the answer on every case, as `cases` would, but name the inputs by their values in a message."""
    if not callable(answer):
        fail(f"expected the function cosine(u, v), got {type(answer).__name__}")
    name = getattr(answer, "__name__", "cosine")
    for u, v, description in _COSINE_CASES:
        shown = _show(u, v, description)
        try:
            got = answer(u.clone(), v.clone())  # copies: a function that changes its inputs cannot change the cases
        except NotImplementedError:
            raise
        except Exception as err:
            fail(f"{name}(u, v) with {shown} raised {type(err).__name__}: {err}")
        if got is None:
            raise NotAnswered(f"{name} returns None: it is not written yet")
        if not matches(got, _cosine(u, v)):
            value = plain(got)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fail(f"{name}(u, v) with {shown} returned {value!r}")
            got = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else \
                f"{str(value)[:40]} ({type(value).__name__})"
            fail(f"{name}(u, v) with {shown} returned {got}, not one number")


# The chance level of exercise 3: the mean share of the first two principal directions of a 27 x 10 table of
# N(0, 1) entries, 0.40343 +- 0.00004 from 400,000 tables. One table varies by about 0.027 around it, so the mean
# of 2,000 tables by about 0.0006; the tolerance (0.5%, about 0.002) takes such estimates and rejects a share
# without centring (0.3993), the share of S instead of S**2 (0.2998), the even 2 of 10 (0.2) and single tables.
CHANCE_SHARE = 0.4034

KEYS = {
    "07.1": Key(verify=_verify_cosine,
                hint="The dot product of u and v, divided by the product of their two lengths (norms); don't "
                     "subtract any mean here."),
    "07.2": Key(_pca_share,
                cases=[(_C, 2), (_C + 5.0, 1), (_line, 1), (_tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 5.0, 1.0]]), 1),
                       (_C, 10), (_tensor([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]]), 1)],
                hint="Centre the rows first (subtract the mean row), then use the squared singular values: the sum "
                     "of the k largest over the sum of all. torch.pca_lowrank is approximate unless q is the "
                     "full width; torch.linalg.svdvals is exact."),
    "07.3": Key(CHANCE_SHARE, rel=0.005,
                hint="Average over many random 27 x 10 tables (thousands), each centred, with the share of the "
                     "squared singular values that the two largest carry."),
}
