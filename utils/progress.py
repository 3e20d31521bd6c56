"""The progress bar `train` draws while it runs (rich), and the switch that turns every bar off."""

from __future__ import annotations

import os


class ProgressBar:
    """A transient rich progress bar redrawn at most REFRESHES + 1 times per run; nothing when disabled.

    No background refresh thread: in Jupyter every redraw is several kernel messages, and a thread
    redrawing 10 times a second floods a long cell with thousands of them (past ZeroMQ's limit of
    1,000 queued messages, a test runner that reads them only after the cell loses some). A fixed
    number of redraws keeps a run of any length to a few hundred messages.
    """

    REFRESHES = 50

    def __init__(self, enabled: bool, total: int):
        # MAKEMORE_MLP_PROGRESS=0 turns every bar off: the course's tests and nbtools set it, since a run
        # nobody watches needs no bar (and a stored notebook keeps none)
        self.enabled = enabled and os.environ.get("MAKEMORE_MLP_PROGRESS", "1") != "0"
        self.total = total
        self.every = max(1, total // self.REFRESHES)

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("loss {task.fields[loss]:.4f}"), TimeRemainingColumn(),
                                transient=True, auto_refresh=False)
            self.bar.start()
            self.task = self.bar.add_task("training", total=self.total, loss=float("nan"))
        return self

    def update(self, done: int, loss: float, force: bool = False) -> None:
        if self.enabled and (done % self.every == 0 or force):
            self.bar.update(self.task, completed=done, loss=loss, refresh=True)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False
