"""Run ids: short, unique and sortable by creation time.

Nine base-32 characters of milliseconds since the epoch, then five of randomness
(incremented within one millisecond so ids made in one process stay ordered).
"""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case
_TIME_CHARS = 9
_RANDOM_CHARS = 5
_RANDOM_LIMIT = 32**_RANDOM_CHARS

_lock = threading.Lock()
_last_ms = -1
_last_random = 0


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_run_id() -> str:
    global _last_ms, _last_random
    with _lock:
        ms = int(time.time() * 1000)
        if ms <= _last_ms:
            ms = _last_ms
            _last_random += 1
            if _last_random >= _RANDOM_LIMIT:
                ms += 1
                _last_random = int.from_bytes(os.urandom(3), "big")
        else:
            _last_random = int.from_bytes(os.urandom(3), "big")
        _last_ms = ms
        return _encode(ms, _TIME_CHARS) + _encode(_last_random, _RANDOM_CHARS)
