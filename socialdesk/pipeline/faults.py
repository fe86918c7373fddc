"""Crash points for the tests that kill a worker at the worst moment (SOCIALDESK_CRASH_AT).

A real `kill -9` at a named point: the process gets no chance to clean up, exactly like a power cut,
so the tests see what a restart really finds. Unset (always, outside those tests) it does nothing.
"""

from __future__ import annotations

import os
import signal

from socialdesk.config import get_settings


def crash_point(name: str) -> None:
    if get_settings().crash_at == name:
        os.kill(os.getpid(), signal.SIGKILL)
