"""The cyclic garbage collector paused over a burst of allocations.

Checking and planning a workbook builds hundreds of thousands of small objects (cells, row
models, planned updates) and frees them by reference counting; the cyclic collector,
triggered every 700 allocations, walks them again and again for nothing: about a fifth of
the CPU time of check + compute + plan at 10,000 members. Pausing it over that work and
starting it again after is what batch jobs do; the few cycles made meanwhile are collected
then. Nested pauses leave the collector as the outermost found it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or the decorated function)."""
    if not gc.isenabled():  # already paused by a caller (or by the host program)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
