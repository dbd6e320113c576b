"""Jobs for the parse pool's own tests: each item names what the parse process does with it."""

from __future__ import annotations

import os
import signal
import sys
import time

_held: list[bytearray] = []


def act(item: str) -> str:
    """``ok:x`` answers at once; ``sleep:S`` sleeps S seconds; ``hold:MB`` keeps that many MB
    resident for a few seconds; ``keep:MB`` keeps them; ``die`` kills its own process; ``main`` reports whether the
    caller's main module came along."""
    kind, _, arg = item.partition(":")
    if kind == "sleep":
        time.sleep(float(arg))
    elif kind == "hold":
        block = bytearray(int(arg) * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident, not just mapped
        _held.append(block)
        time.sleep(5)
        _held.clear()
    elif kind == "keep":  # and never let go, as a heap that grew and keeps its pages
        block = bytearray(int(arg) * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])
        _held.append(block)
    elif kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "loaded":
        return str(arg in sys.modules)
    return item


def reject(item, code: str, message: str) -> tuple:
    return ("rejected", item, code)
