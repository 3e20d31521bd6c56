"""Shared pytest settings and the tiny dataset the unit tests build on."""

import matplotlib
import pytest

matplotlib.use("Agg")  # tests never open a window
import matplotlib.font_manager  # noqa: E402  builds matplotlib's font cache now, on a fresh machine, so that
# its one-time "building the font cache" notice is printed here and not stored as stderr by the first lesson

from utils import Vocab, build_dataset  # noqa: E402

TINY_WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn",
              "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett"]


@pytest.fixture(scope="session")
def data():
    """(vocab, X, Y) for 20 names with block size 3: small enough for tests that train."""
    vocab = Vocab.from_words(TINY_WORDS)
    X, Y = build_dataset(TINY_WORDS, 3, vocab)
    return vocab, X, Y


def pytest_sessionstart(session):
    """Fetch data/names.txt before any lesson runs, so a first download's progress bar is not stored by a lesson."""
    import utils.data as data

    if not data.NAMES_PATH.exists():
        try:
            data.load_words()
        except data.DataError as err:  # offline: the lessons will fail with this same message
            print(f"\n{err}\n")
