"""The declarative corpus configuration (``corpus.yaml``), validated with pydantic.

```yaml
sources:                      # read in this order (dedup keeps the first copy)
  - {type: frenchmedmcqa}                      # shared datasets: path defaults to data_dir
  - {type: bdpm, max_drugs: 300}
  - {type: jsonl, path: notes.jsonl, name: service-x, licence: "internal (pseudonymised)", clinical: true}
language: [fr]
quality: {min_words: 3}
dedup: {threshold: 0.8}
decontaminate: {n: 8, min_overlap: 0.3, extra: [my_eval.jsonl]}
gate: {detector: deid, scope: clinical}        # deid (partages.deid.detect) | rules (stand-in)
shard_size: 5000
tokenizer: gemma3-270m                          # registry model used to count tokens
```
Unknown keys are errors, so a typo cannot silently disable a stage.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from partages.corpus.errors import CorpusError

SHARED_TYPES = ("frenchmedmcqa", "morfitt", "e3c_pamj", "e3c_leaflets", "labforsims2", "bdpm")
FILE_TYPES = ("jsonl", "parquet", "txt", "fhir")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(Strict):
    type: Literal["jsonl", "parquet", "txt", "fhir", "frenchmedmcqa", "morfitt", "e3c_pamj", "e3c_leaflets", "labforsims2", "bdpm"]
    path: str | None = None
    name: str | None = Field(None, description="Source name recorded on every record.")
    licence: str | None = None
    limit: int | None = None
    strict: bool = False
    clinical: bool = Field(False, description="Mark records as clinical text (checked by the gate).")
    options: dict[str, Any] = Field(default_factory=dict, description="Reader-specific options (max_drugs, splits...).")


class DedupConfig(Strict):
    enabled: bool = True
    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5


class DecontamConfig(Strict):
    enabled: bool = True
    n: int = 8
    min_overlap: float = 0.3
    max_item_frequency: int = 3
    extra: list[str] = Field(default_factory=list, description="More evaluation files (JSONL 'text' or one item per line).")


class GateConfig(Strict):
    enabled: bool = True
    detector: Literal["deid", "rules"] = "deid"
    scope: Literal["clinical", "all"] = "clinical"
    ignore_labels: list[str] = Field(default_factory=list)


class QualityConfig(Strict):
    min_words: int = 3
    max_words: int = 100_000
    max_mean_word_len: float = 15.0
    max_symbol_ratio: float = 0.1
    max_dup_line_ratio: float = 0.3
    min_alpha_ratio: float = 0.5


class CorpusConfig(Strict):
    name: str = "corpus"
    sources: list[SourceConfig]
    allow_nc: bool = False
    language: list[str] = Field(default_factory=lambda: ["fr"])
    quality: QualityConfig = Field(default_factory=QualityConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    decontaminate: DecontamConfig = Field(default_factory=DecontamConfig)
    gate: GateConfig = Field(default_factory=GateConfig)
    shard_size: int = 5000
    tokenizer: str | None = "gemma3-270m"
    base_dir: str | None = Field(None, description="Relative paths are resolved from here (the config's folder).")

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() or not self.base_dir else Path(self.base_dir) / p


def load_config(path: Path) -> CorpusConfig:
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus configuration")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CorpusError(f"{where}: invalid YAML") from exc
    if not isinstance(raw, dict):
        raise CorpusError(f"{path}: expected a mapping at the top level")
    raw.setdefault("base_dir", str(path.parent.resolve()))
    try:
        return CorpusConfig(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise CorpusError(f"{path}: {loc}: {first['msg']} ({len(exc.errors())} error(s))") from exc
