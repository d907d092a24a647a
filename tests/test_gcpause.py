"""Check + compute + plan pause the cyclic garbage collector, and always start it again."""

from __future__ import annotations

import gc

import pytest

from automations.gcpause import gc_paused


def test_the_collector_is_paused_inside_and_running_after():
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves it as the outer one found it
    assert gc.isenabled()


def test_an_error_inside_starts_the_collector_again():
    @gc_paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def test_a_collector_paused_by_the_host_program_stays_paused():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
