"""Ctrl-C (SIGINT) and SIGTERM: stop at once, and leave every book as it was.

Python's default turns SIGINT into a KeyboardInterrupt wherever the main thread happens to
be, and during a build that is often code that cannot pass it on: raised inside a cffi
callback of WeasyPrint's text layout it is printed and dropped (the build goes on as if
nothing had been pressed), and raised inside code run from a string (cssselect2 compiles
selectors with `eval`) it marks the interpreter as killed by SIGINT, so that the process
ends by signal whatever exit code it then asks for. Neither is what a user expects.

So a command that writes (`stopping_cleanly`) handles the signals itself: it runs the
cleanups registered by what is half-made at that moment (`on_interrupt`: the staging folder,
temporary files, Pandoc processes, layout workers), says so in one line and ends the
process with 130 (SIGINT) or 143 (SIGTERM). The few steps that must not be cut in two,
such as putting a build's outputs in place together, run in `deferred()`: a signal that
arrives meanwhile takes effect as soon as the step is done.

The handler runs in the main thread between two bytecodes of whatever it interrupted, so
cleanups must not wait for a lock the interrupted code may hold: they remove files and
send signals, nothing more. Registering is a dict operation (atomic under the GIL), so any
thread may register."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
from typing import Callable, Iterator

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

_cleanups: dict[int, Callable[[], object]] = {}
_tickets = itertools.count()
_state = {"deferring": 0, "pending": None, "message": None}


def register(cleanup: Callable[[], object]) -> int:
    """Run `cleanup` if the process is stopped by a signal before `unregister(ticket)`."""
    ticket = next(_tickets)
    _cleanups[ticket] = cleanup
    return ticket


def unregister(ticket: int) -> None:
    _cleanups.pop(ticket, None)


@contextlib.contextmanager
def on_interrupt(cleanup: Callable[[], object]) -> Iterator[None]:
    """Run `cleanup` if the process is stopped by a signal inside this block."""
    ticket = register(cleanup)
    try:
        yield
    finally:
        unregister(ticket)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A step a signal must not cut in two (main thread): it waits until the step is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        if not _state["deferring"] and _state["pending"] is not None:
            _stop(_state["pending"])


@contextlib.contextmanager
def stopping_cleanly(message: str) -> Iterator[None]:
    """Within this block SIGINT and SIGTERM stop the process cleanly (see the module's doc);
    outside it, and for the main thread's other uses, Python's own handlers are restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state["message"] = message
    with _handlers({number: _handle for number in EXIT_CODES}):
        yield


def raising() -> contextlib.AbstractContextManager:
    """Python's own handling inside this block (Ctrl-C raises KeyboardInterrupt): for a
    command whose usual end is Ctrl-C, such as `ikidil watch`."""
    return _handlers({signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL})


@contextlib.contextmanager
def _handlers(handlers: dict) -> Iterator[None]:
    before = {number: signal.getsignal(number) for number in handlers}
    for number, handler in handlers.items():
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _handle(number: int, _frame) -> None:
    if _state["deferring"]:
        _state["pending"] = number
        return
    _stop(number)


def _stop(number: int) -> None:
    for number_ in EXIT_CODES:               # a second Ctrl-C while cleaning up changes nothing
        signal.signal(number_, signal.SIG_IGN)
    for cleanup in reversed(list(_cleanups.values())):     # the innermost first
        with contextlib.suppress(Exception):
            cleanup()
    for stream in (sys.stdout, sys.stderr):  # what was printed before the signal, then the message
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        os.write(2, f"ikidil: {_state['message']}\n".encode())
    os._exit(EXIT_CODES[number])
