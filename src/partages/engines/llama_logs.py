"""Silence llama.cpp's own logging (model-loading chatter on stderr).

llama-cpp-python's default callback prints every llama.cpp log line to stderr, which mixes with
`--json` output and server logs. Installed once per process.
"""

from __future__ import annotations

import ctypes

_installed: list[object] = []  # keeps the ctypes callback alive


def quiet_llama_logs() -> None:
    if _installed:
        return
    import llama_cpp

    @llama_cpp.llama_log_callback
    def _drop(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:  # pragma: no cover
        return None

    _installed.append(_drop)
    llama_cpp.llama_log_set(_drop, ctypes.c_void_p(0))
