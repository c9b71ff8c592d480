"""A hard wall-clock deadline for work that may not return (a case stuck in one long step).

The case loop checks its deadline between steps; a single step that never ends (a trajectory
sampled a billion times, a road walked end to end) would never reach that check. This
deadline interrupts the work itself: ``SIGALRM`` (POSIX ``setitimer(ITIMER_REAL)``) raises
:class:`DeadlineExceeded` in the main thread wherever the Python code is, so the case ends as
an error and the run goes on. Code stuck inside one C call is interrupted when it returns to
Python. Outside the main thread (signal handlers cannot be set there), where ``setitimer``
does not exist, or while another real-time timer is armed (pytest-timeout's, say), the
deadline is not armed and only the between-steps check remains.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from runners.interfaces import RunnerError


class DeadlineExceeded(RunnerError):
    """The wall-clock deadline of :func:`wall_deadline` passed during the work."""


@contextlib.contextmanager
def wall_deadline(seconds: float, what: str) -> Iterator[bool]:
    """Run the ``with`` body under a hard deadline of ``seconds`` [s] (> 0; ``inf`` or a
    non-positive value: none). Yields whether the deadline is armed.

    Raises:
        DeadlineExceeded: the body was still running after ``seconds``; the message names
            ``what`` (e.g. "case", "scoring") and the limit.
    """
    usable = (0.0 < seconds < float("inf") and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0)  # not over another timer
    if not usable:
        yield False
        return

    def expire(signum, frame):
        raise DeadlineExceeded(f"{what} exceeded its wall-clock deadline of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)
