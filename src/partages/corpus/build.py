"""``partages corpus build``: configuration → readers → stages → Parquet shards + data card.

Stage order: read → licence → normalise → language → quality → pseudonymisation gate →
decontamination → near-dedup → write. The gate runs before dedup so that a rejected note is
counted as a rejection, and dedup runs last among filters so its count is not inflated by
documents other filters would drop anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partages.config import Settings
from partages.corpus import datasets, readers
from partages.corpus.base import PipelineStep, run_pipeline
from partages.corpus.card import write_card
from partages.corpus.config import CorpusConfig, SourceConfig
from partages.corpus.decontaminate import Decontaminate, deid_eval_items, file_items, frenchmedmcqa_items, morfitt_items
from partages.corpus.dedup import MinHashDedup
from partages.corpus.errors import CorpusError
from partages.corpus.filters import LanguageFilter, LicenceFilter, Normalise, QualityFilter, is_non_commercial
from partages.corpus.gate import Detector, PseudonymisationGate, rule_detector
from partages.corpus.writer import ParquetShardWriter


def make_reader(src: SourceConfig, cfg: CorpusConfig, data_dir: Path | None) -> readers.Reader:
    kw: dict[str, Any] = {"limit": src.limit, "strict": src.strict, "clinical": src.clinical}
    if src.type in ("jsonl", "parquet", "txt", "fhir"):
        if not src.path or not src.licence:
            raise CorpusError(f"source of type {src.type} needs 'path' and 'licence'")
        cls = {"jsonl": readers.JsonlReader, "parquet": readers.ParquetReader, "txt": readers.TextFolderReader, "fhir": readers.FhirReader}[src.type]
        reader = cls(cfg.resolve(src.path), src.name or Path(src.path).stem, src.licence, **kw, **src.options)
    else:
        root = cfg.resolve(src.path) if src.path else data_dir
        if root is None:
            raise CorpusError(f"source {src.type} needs the shared data folder: set PARTAGES_DATA_DIR or 'path'")
        cls = {"frenchmedmcqa": datasets.FrenchMedMCQAReader, "morfitt": datasets.MorfittReader, "e3c_pamj": datasets.E3CPamjReader,
               "e3c_leaflets": datasets.E3CLeafletsReader, "labforsims2": datasets.LabForSimsReader, "bdpm": datasets.BdpmFactsReader}[src.type]
        if src.name:
            kw["source"] = src.name
        if src.licence:
            kw["licence"] = src.licence
        reader = cls(root, **kw, **src.options)
        if src.type == "frenchmedmcqa" and src.options.get("split", "train") != "train":
            raise CorpusError("FrenchMedMCQA dev/test are evaluation splits and cannot enter a corpus")
    if is_non_commercial(reader.licence) and not cfg.allow_nc:
        raise CorpusError(f"source '{reader.source}' is licensed '{reader.licence}' (non-commercial/no-derivatives): rerun with --allow-nc to include it")
    return reader


def token_counter(settings: Settings, model_id: str | None) -> tuple[Callable[[str], int], str]:
    """Exact token counts with the registry model's tokenizer (llama.cpp, vocabulary only:
    loads in well under a second), or whitespace words when no model is registered."""
    if model_id:
        from partages.models.registry import Registry, RegistryError

        try:
            entry = Registry(settings).get(model_id)
            from llama_cpp import Llama

            llm = Llama(model_path=entry.path, vocab_only=True, verbose=False)
            return (lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))), f"{model_id} tokenizer"
        except (RegistryError, ValueError):
            pass
    return (lambda text: len(text.split())), "whitespace words (no tokenizer model registered)"


@dataclass
class BuildResult:
    out_dir: Path
    card: dict[str, Any]
    steps: list[PipelineStep] = field(default_factory=list)


def build(cfg: CorpusConfig, out_dir: Path, settings: Settings, *, detector: Detector | None = None, resume: bool = True,
          progress: Callable[[int], None] | None = None, rank: int = 0, world_size: int = 1) -> BuildResult:
    data_dir = settings.data_dir
    srcs = [make_reader(s, cfg, data_dir) for s in cfg.sources]
    if not srcs:
        raise CorpusError("the configuration lists no sources")
    steps: list[PipelineStep] = [*srcs, LicenceFilter(cfg.allow_nc), Normalise()]
    if cfg.language:
        steps.append(LanguageFilter(tuple(cfg.language)))
    steps.append(QualityFilter(**cfg.quality.model_dump()))
    if cfg.gate.enabled:
        det = detector or (rule_detector if cfg.gate.detector == "rules" else None)
        steps.append(PseudonymisationGate(det, scope=cfg.gate.scope, ignore_labels=cfg.gate.ignore_labels))
    if cfg.decontaminate.enabled:
        if data_dir is None:
            raise CorpusError("decontamination needs the evaluation data: set PARTAGES_DATA_DIR (or disable decontaminate)")

        def items():
            yield from frenchmedmcqa_items(data_dir)
            yield from morfitt_items(data_dir)
            yield from deid_eval_items()
            for extra in cfg.decontaminate.extra:
                yield from file_items(cfg.resolve(extra))

        steps.append(Decontaminate(items(), n=cfg.decontaminate.n, min_overlap=cfg.decontaminate.min_overlap, max_item_frequency=cfg.decontaminate.max_item_frequency))
    if cfg.dedup.enabled:
        steps.append(MinHashDedup(cfg.dedup.threshold, cfg.dedup.num_perm, cfg.dedup.ngram))
    counter, counter_name = token_counter(settings, cfg.tokenizer)
    writer = ParquetShardWriter(out_dir, cfg.shard_size, cfg.fingerprint(), resume=resume, token_counter=counter)
    steps.append(writer)
    for i, _doc in enumerate(run_pipeline(steps, rank=rank, world_size=world_size), 1):
        if progress:
            progress(i)
    card = write_card(cfg, out_dir, steps, writer, token_unit=counter_name)
    return BuildResult(out_dir, card, steps)
