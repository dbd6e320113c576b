"""In-process progress notifications: the flow reports, the CLI (or anything else) listens.

A listener is any object with ``started(total)`` and ``advanced(n)``; listeners never affect a run.
"""

from __future__ import annotations

from typing import Protocol


class Listener(Protocol):
    def started(self, total: int) -> None: ...

    def advanced(self, n: int) -> None: ...


_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def started(total: int) -> None:
    for listener in _listeners:
        listener.started(total)


def advanced(n: int) -> None:
    for listener in _listeners:
        listener.advanced(n)
