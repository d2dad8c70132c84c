"""Chunks and progress of a frame's evaluation: ``evaluate_frame(..., chunksize=, progress=)``.

The SDK evaluates a frame's rows a chunk at a time (GIL released while it does); between two
chunks the extension checks for signals, so that Ctrl-C raises :class:`KeyboardInterrupt` there,
and reports the rows done to a progress callback. Here: how many rows a chunk holds, and the
callback, a tqdm bar or the caller's own function.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

__all__ = ["DEFAULT_CHUNK", "chunk_rows", "Progress"]

#: Rows a chunk of the batch path holds when ``chunksize`` does not say: large enough that chunking
#: costs nothing measurable (1M rows of benchmark_policy on the JIT take no longer in chunks of
#: 65,536 than in one: the chunk's columns stay in cache), small enough that Ctrl-C is heard within
#: half a second on the interpreter back end (about 7 µs a row there).
DEFAULT_CHUNK = 1 << 16

#: With a progress bar and no ``chunksize``: about this many updates, in chunks of at least
#: MIN_PROGRESS_CHUNK rows (and at most DEFAULT_CHUNK).
PROGRESS_STEPS = 100
MIN_PROGRESS_CHUNK = 4096


def chunk_rows(chunksize: Optional[int], progress: Any, rows: int, columnar: bool) -> int:
    """Rows per chunk for the extension (0: its own default, 4096 rows, on the row-by-row path).
    ``chunksize`` must be a positive int (a :class:`TypeError` or :class:`ValueError` if not)."""
    if chunksize is not None:
        if isinstance(chunksize, bool) or not isinstance(chunksize, int):
            raise TypeError(f"chunksize must be a positive int (rows per chunk), not {type(chunksize).__name__}")
        if chunksize < 1:
            raise ValueError(f"chunksize must be a positive int (rows per chunk), not {chunksize}")
        return chunksize
    if not columnar:
        return 0
    if progress is None or progress is False:
        return DEFAULT_CHUNK
    return min(max(math.ceil(rows / PROGRESS_STEPS), MIN_PROGRESS_CHUNK), DEFAULT_CHUNK)


class Progress:
    """``progress=`` of :func:`proviso.evaluate_frame` as a context manager whose :attr:`callback`
    (None: no progress wanted) the extension calls with ``(done_rows, total_rows)`` after each
    chunk. ``True`` draws a tqdm bar (closed on leaving, where it stopped if interrupted); a callable
    is called as it is. Anything else is a :class:`TypeError`; ``True`` without tqdm installed an
    :class:`ImportError` saying how to get it. Raised when made, before any row is evaluated."""

    def __init__(self, progress: Any, total: int, description: str = "") -> None:
        self.callback: Optional[Callable[[int, int], Any]] = None
        self._bar: Any = None
        if progress is None or progress is False:
            return
        if progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError as e:
                raise ImportError("evaluate_frame(progress=True) draws its bar with tqdm, which is not installed "
                                  "(pip install tqdm, or apt install python3-tqdm); or pass a callable, "
                                  "progress(done_rows, total_rows)") from e
            self._bar = tqdm(total=total, unit="rows", unit_scale=True, desc=description or None)
            bar = self._bar

            def update(done: int, _total: int) -> None:
                bar.update(done - bar.n)

            self.callback = update
            return
        if not callable(progress):
            raise TypeError("progress= takes True (a tqdm bar), False, None or a callable "
                            f"progress(done_rows, total_rows); not {type(progress).__name__}")
        self.callback = progress

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.close()
