"""Answer keys of lesson 02 (embeddings, views and the forward pass). Reading them spoils the exercises."""

import numbers

import torch

from utils.exercises import Key, fail, plain
from utils.model import DTYPE, MLP, ModelConfig


def _contiguous_stride(shape):
    return torch.empty(shape).stride()


def _position_terms(emb, W1):
    N, T, m = emb.shape
    return torch.stack([emb[:, t, :] @ W1[t * m:(t + 1) * m] for t in range(T)], dim=1)  # (N, T, h)


_g = torch.Generator().manual_seed(2)


def _case(n, block_size, m, h):
    emb = torch.randn((n, block_size, m), generator=_g, dtype=DTYPE)
    return emb, torch.randn((block_size * m, h), generator=_g, dtype=DTYPE)


SILENT = frozenset({1, 100})  # the batch sizes N from 1 to 300 for which (N, 100) + (100, 1) raises no error


def _verify_silent(answer):
    """The silent batch sizes in any order and form (list, tuple, set, 1-D tensor or array); the messages say
    what is wrong without saying how many sizes there are."""
    answer = plain(answer)
    if isinstance(answer, (set, frozenset, list, tuple)):
        items = [plain(v) for v in answer]
    elif isinstance(answer, torch.Tensor) or type(answer).__module__ == "numpy":
        if getattr(answer, "ndim", None) != 1:
            fail(f"expected a flat list of batch sizes, got an array of shape {tuple(answer.shape)}")
        items = answer.tolist()
    else:
        fail(f"expected a list of batch sizes, got {type(answer).__name__} {answer!r}")
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) and float(v).is_integer() for v in items):
        fail("expected whole numbers: the batch sizes N")
    got = {int(v) for v in items}
    missing, extra = SILENT - got, got - SILENT
    if extra and missing:
        fail("some of these batch sizes raise an error, and some that raise none are missing")
    if extra:
        fail("some of these batch sizes raise an error")
    if missing:
        fail("some batch sizes that raise no error are missing")


SATURATED = 0.99  # |h| above this counts as saturated
TARGET = 0.05  # the share of saturated hidden values to stay below
MARGIN = 1.05  # the answer must be the largest such scale within 5%


def saturated_share(scale: float, X: torch.Tensor) -> float:
    """The share of |h| > 0.99 over the first 1,000 contexts of X, for the lesson's model with W1 times scale."""
    model = MLP(ModelConfig(embedding_dim=2, hidden_size=100))  # rebuilt: a model changed in the notebook can't matter
    with torch.no_grad():
        x = model.C[X[:1000]].view(min(len(X), 1000), -1)  # (1000, 6)
        h = torch.tanh(x @ (model.W1 * scale) + model.b1)  # (1000, 100)
    return (h.abs() > SATURATED).to(DTYPE).mean().item()


def _verify_scale(answer, X):
    if isinstance(answer, torch.Tensor) or type(answer).__module__ == "numpy":
        try:
            answer = answer.item()  # a 1-element tensor, a numpy scalar or array: the plain number
        except (ValueError, RuntimeError):
            fail(f"expected one number (the factor s), got {len(answer.reshape(-1))} numbers")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        fail(f"expected a number (the factor s), got {answer!r}")
    scale = float(answer)
    if not scale > 0:
        fail(f"the factor must be positive, got {scale:g}")
    share = saturated_share(scale, X)
    if share >= TARGET:
        fail(f"at s = {scale:g}, 5% or more of the hidden values are saturated")
    larger = saturated_share(MARGIN * scale, X)
    if larger < TARGET:
        fail(f"s = {scale:g} meets the target, but a factor 5% larger meets it too: find the largest")


KEYS = {
    "02.1": Key(_contiguous_stride,
                cases=[((2, 3, 4),), ((5,),), ((),), ((3, 1, 2),), ((1, 1, 7),), ((4, 6),), ((2, 2, 2, 3),)],
                hint="The last dimension steps 1 element in storage; one step along an earlier dimension skips a "
                     "whole block of everything to its right. A shape () has no dimensions, so no strides."),
    "02.2": Key(verify=_verify_silent,
                hint="Line the two shapes up from the right; a pair of sizes is compatible when they are equal or "
                     "when either one is 1. Check both pairs, and both sides of each pair."),
    "02.3": Key(_position_terms,
                cases=[_case(4, 3, 2, 5), _case(1, 1, 1, 1), _case(3, 5, 3, 7), _case(2, 2, 4, 3)],
                hint="Flattening writes emb[n, 0], then emb[n, 1], ... side by side in one row, so position t fills "
                     "a run of m neighbouring columns of x; those columns meet the same run of rows of W1. A view of W1 "
                     "with one block of m rows per position cuts it into those runs."),
    "02.4": Key(verify=_verify_scale, needs=("X",),
                hint="Measure the saturated share for many values of s, finely enough to tell s from 1.05 s, and look "
                     "at how it changes with s."),
}
