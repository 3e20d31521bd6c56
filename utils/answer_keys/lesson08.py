"""Answer keys of lesson 08 (sampling and scoring). Reading them spoils the exercises.

Exercises 1 and 2 ask for functions of a model; their checks call the answer with the notebook's trained model
(passed as `model=`) and with untrained models built here, and compare with the reference below.
"""

import math

import torch
import torch.nn.functional as F

from utils.data import context_windows
from utils.exercises import Key, NotAnswered, fail, matches, numbers_of
from utils.model import MLP, ModelConfig
from utils.sample import CUT_MARKER


@torch.no_grad()
def _greedy(model, vocab, prefix="", max_length=30):
    """Always the most likely next character; cut with the marker at max_length characters."""
    out = vocab.encode(prefix)
    context = ([0] * model.config.block_size + out)[-model.config.block_size:]
    while len(out) < max_length:
        ix = model(torch.tensor([context]))[0].argmax().item()
        if ix == 0:
            return vocab.decode(out)
        out.append(ix)
        context = context[1:] + [ix]
    return vocab.decode(out) + CUT_MARKER


@torch.no_grad()
def _name_probability(model, vocab, word, temperature=1.0):
    """The probability that sampling at this temperature (no prefix) draws exactly `word`."""
    pairs = context_windows(word, model.config.block_size, vocab)
    X = torch.tensor([context for context, _ in pairs])  # (len+1, block_size)
    Y = torch.tensor([ix for _, ix in pairs])  # (len+1,)
    log_probs = F.log_softmax(model(X) / temperature, dim=1)  # (len+1, V)
    return math.exp(log_probs[torch.arange(len(Y)), Y].sum().item())


def _untrained(vocab, block_size):
    """A fresh model (every weight N(0, 1)): its greedy names run into loops."""
    return MLP(ModelConfig(vocab_size=len(vocab), block_size=block_size))


def _call(function, model_name, model, vocab, *args, **kwargs):
    """Call the answer; NotImplementedError means not answered, another error is a wrong answer."""
    shown = ", ".join([model_name, "vocab", *map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    try:
        return function(model, vocab, *args, **kwargs), f"{function.__name__}({shown})"
    except NotImplementedError:
        raise NotAnswered(f"{function.__name__} is not written yet (it raises NotImplementedError)") from None
    except Exception as err:
        fail(f"{function.__name__}({shown}) raised {type(err).__name__}: {str(err).rstrip('.')}")


def _shown(value):
    """A returned value, short: a 0-d tensor as its number, a long text cut in the middle."""
    if isinstance(value, torch.Tensor):
        value = value.item() if value.ndim == 0 else f"a tensor of shape {tuple(value.shape)}"
        return value if isinstance(value, str) else repr(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:40] + "..." + text[-15:]


def _models(model, vocab):
    return {"model": model, "a fresh MLP(ModelConfig(block_size=2))": _untrained(vocab, 2),
            "a fresh MLP(ModelConfig(block_size=5))": _untrained(vocab, 5)}


def _verify_function(reference, cases):
    """A verify function: call the answer on (model name, args, kwargs) cases, compare with the reference."""
    def verify(answer, model, vocab):
        if not callable(answer):
            fail(f"expected a function, got {answer!r}")
        models = _models(model, vocab)
        for name, args, kwargs in cases:
            got, call = _call(answer, name, models[name], vocab, *args, **kwargs)
            if got is None:
                raise NotAnswered(f"{answer.__name__} returns None: it is not written yet")
            if not matches(got, reference(models[name], vocab, *args, **kwargs), rel=1e-6, abs=0.0):
                fail(f"{call} returned {_shown(got)}, which is not right")
    return verify


GREEDY_CASES = [
    ("model", (), {}),
    ("model", ("chris",), {}),
    ("model", ("q",), {"max_length": 30}),
    ("model", ("",), {"max_length": 3}),  # cut before the end
    ("a fresh MLP(ModelConfig(block_size=2))", ("",), {}),  # a loop: only max_length ends it
    ("a fresh MLP(ModelConfig(block_size=2))", ("emma",), {"max_length": 12}),
    ("a fresh MLP(ModelConfig(block_size=5))", ("x",), {}),
]

PROBABILITY_CASES = [
    ("model", ("emma",), {}),
    ("model", ("emma", 0.5), {}),
    ("model", ("",), {}),  # the empty name: the end drawn first
    ("model", ("xzqyt", 2.0), {}),
    ("model", ("kate",), {"temperature": 0.8}),
    ("a fresh MLP(ModelConfig(block_size=5))", ("ava", 1.5), {}),
]

TEMPERATURES = [0.5 + 0.05 * i for i in range(41)]  # 0.50, 0.55, ..., 2.50


@torch.no_grad()
def _best_temperature(model, Xdev, Ydev):
    logits = model(Xdev)  # (N, V)
    losses = [F.cross_entropy(logits / T, Ydev).item() for T in TEMPERATURES]
    return TEMPERATURES[losses.index(min(losses))]


def _verify_best_temperatures(answer, model, confident, Xdev, Ydev):
    """Compare (best T of model, best T of confident) item by item: a message about the pair as a whole (its
    largest difference) would give the expected value away."""
    got = numbers_of(answer, 2, "a pair of temperatures")
    for value, m, name in zip(got, (model, confident), ("model", "confident")):
        if not math.isclose(value, _best_temperature(m, Xdev, Ydev), rel_tol=1e-6):
            fail(f"the best T for {name}, {value:g}, is not right")


KEYS = {
    "08.1": Key(verify=_verify_function(_greedy, GREEDY_CASES), needs=("model", "vocab"),
                hint="Take logits.argmax() where sampling draws with torch.multinomial; start the context from "
                     "the prefix (padded with the boundary on the left, block_size long), stop at index 0 without "
                     "adding it, and after max_length characters (the prefix counts) return the name with '…' "
                     "added, as utils.sample does."),
    "08.2": Key(verify=_verify_function(_name_probability, PROBABILITY_CASES), needs=("model", "vocab"),
                hint="One prediction per character and one for the end (context_windows gives the pairs); "
                     "divide the logits by the temperature before the softmax, and multiply the probabilities of "
                     "the true next characters (or add their logs and exponentiate once)."),
    "08.3": Key(verify=_verify_best_temperatures, needs=("model", "confident", "Xdev", "Ydev"),
                hint="Temperature divides the logits: score each temperature of the grid by the loss on the whole dev "
                     "split, for each model; answer (best T of the model passed as model=, best T of confident), "
                     "in that order. The grid matters: the check expects the best of the exercise's grid, 0.50 to "
                     "2.50 in steps of 0.05, and a finer grid can find its best T between two of those points."),
}
