"""Answer keys of lesson 03 (softmax by hand and cross-entropy). Reading them spoils the exercises."""

import torch
import torch.nn.functional as F

from utils.exercises import Key, fail
from utils.model import DTYPE


def _log_softmax(logits):
    return F.log_softmax(logits, dim=-1)


def _cross_entropy_grad(logits, targets):
    z = logits.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        F.cross_entropy(z, targets).backward()
    return z.grad


_g = torch.Generator().manual_seed(3)


def _randn(*shape, scale=1.0):
    return torch.randn(shape, generator=_g, dtype=DTYPE) * scale


def _targets(n, vocab_size):
    return torch.randint(0, vocab_size, (n,), generator=_g)


def _tensor(rows):
    return torch.tensor(rows, dtype=DTYPE)


LOSS_TARGET = 2.83  # the loss the context-free logits must get below, stated in the exercise


def _verify_context_free(answer, Y):
    if isinstance(answer, (list, tuple)) or type(answer).__module__ == "numpy":
        try:
            answer = torch.as_tensor(answer, dtype=DTYPE)
        except (TypeError, ValueError, RuntimeError):
            fail("expected 27 numbers, one logit per character")
    if not isinstance(answer, torch.Tensor) or answer.dtype == torch.bool:
        fail(f"expected 27 numbers, one logit per character, got {type(answer).__name__}")
    logits = answer.detach().to(DTYPE).reshape(-1)
    if logits.numel() != 27:
        fail(f"expected 27 logits, one per character, got {logits.numel()} numbers")
    if not torch.isfinite(logits).all():
        fail("some logits are inf or nan")
    counts = torch.bincount(Y, minlength=27).to(DTYPE)  # (27,) how often each character is the target
    loss = -(counts * F.log_softmax(logits, dim=0)).sum().item() / len(Y)  # the mean over Y, without expanding
    if not loss < LOSS_TARGET:
        fail(f"with these logits for every context the loss is {loss:.4f}, not below {LOSS_TARGET}")


KEYS = {
    "03.1": Key(_log_softmax, rel=1e-9, abs=1e-9,
                cases=[(_randn(4, 27),), (_tensor([[1000.0, 0.0], [0.0, -1000.0]]),),
                       (_tensor([[-1000.0, -1000.0, -1000.0]]),), (_randn(5, 1),),
                       (_tensor([2.0, -1.0, 750.0]),), (_randn(2, 3, 4, scale=100.0),)],
                hint="Stay in log space, with the shift of section 4: never take the log of a probability, since one "
                     "that underflows to 0 has log -inf. Reduce along the last dimension with keepdim=True, so any "
                     "number of dimensions works."),
    "03.2": Key(_cross_entropy_grad, rel=1e-9, abs=1e-12,
                cases=[(_randn(5, 27), _targets(5, 27)), (_tensor([[3.0]]), torch.tensor([0])),
                       (_tensor([[1000.0, 0.0], [0.0, 1000.0], [-1000.0, 0.0]]), torch.tensor([1, 1, 0])),
                       (_randn(4, 3, scale=5.0), torch.tensor([2, 2, 2, 2])),
                       (_randn(1, 6), torch.tensor([5]))],
                hint="Start from a stable softmax of each row, subtract 1 at each row's target, and remember the "
                     "loss is a mean over the n rows."),
    "03.3": Key(verify=_verify_context_free, needs=("Y",),
                hint="Average the rows of the gradient of exercise 2 over all the examples: with the same logits in "
                     "every row, the one-hot part becomes each character's share of the targets."),
}
