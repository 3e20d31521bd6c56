"""Shared pytest settings for the unit tests."""

import matplotlib

matplotlib.use("Agg")  # tests never open a window
