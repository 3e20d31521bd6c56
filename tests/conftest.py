"""Shared pytest settings and the tiny dataset the unit tests build on."""

import os

import matplotlib
import pytest
import torch

matplotlib.use("Agg")  # tests never open a window
import matplotlib.font_manager  # noqa: E402  builds matplotlib's font cache now, on a fresh machine, so that
# its one-time "building the font cache" notice is printed here and not stored as stderr by the first lesson

from utils import Vocab, build_dataset  # noqa: E402

torch.set_num_threads(1)  # tiny tensors: one thread is faster, and parallel test workers don't fight over cores
# No progress bars in test runs, here or in the lessons' kernels (which inherit this): nobody watches them, the
# cells that draw them are not compared, and each redraw is kernel messages the test runner must read.
os.environ["MAKEMORE_MLP_PROGRESS"] = "0"

TINY_WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn",
              "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett"]


@pytest.fixture(scope="session")
def data():
    """(vocab, X, Y) for 20 names with block size 3: small enough for tests that train."""
    vocab = Vocab.from_words(TINY_WORDS)
    X, Y = build_dataset(TINY_WORDS, 3, vocab)
    return vocab, X, Y


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Make sure data/names.txt is there before anything runs; without it, stop at once with the reason.

    It is fetched here, once, so a first download's progress bar is never stored by a lesson. If it cannot be
    had (offline, and not copied by hand), every lesson would fail the same way: stop now, with the message last.
    """
    if hasattr(session.config, "workerinput"):  # a parallel worker: the main process has already done this
        return
    import utils.data as data

    url = os.environ.get("MAKEMORE_MLP_NAMES_URL", data.NAMES_URL)  # tests of this hook point it at a local server
    try:
        data.load_words(url=url)
    except data.DataError as err:  # printed once, as the last thing: "ERROR: ...", exit status 4
        raise pytest.UsageError(f"the lessons need data/names.txt, and it is not there.\n{err}") from None


# The longest first (as measured by `python -m bench series` and `--durations`), then the rest in the order
# collected: with one test worker per core, the long lessons start at once on different workers and the
# short ones fill the gaps, so the workers finish close together. Nothing depends on this order.
LONGEST_FIRST = ["09_beyond_bengio", "06_splits", "04_training", "05_learning_rate_search", "08_sampling",
                 "07_embedding_plots", "test_studies", "03_softmax_vs_cross_entropy", "test_reproducibility",
                 "01_dataset", "02_embeddings_and_views", "test_anywhere", "test_practice", "test_no_data"]


def pytest_collection_modifyitems(session, config, items):
    """Order the tests longest file first (a stable sort: cells and tests keep their order within a file)."""
    def rank(item):
        stem = item.path.stem
        return LONGEST_FIRST.index(stem) if stem in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
