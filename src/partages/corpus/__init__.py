"""Corpus building: licensed French medical sources → filtered, deduplicated, decontaminated,
pseudonymisation-gated Parquet shards with a data card.

Stages follow the datatrove pattern (:class:`PipelineStep` with ``run(docs, rank, world_size)``);
:func:`build` assembles them from a :class:`CorpusConfig` (``corpus.yaml``).
"""

from partages.corpus.base import PipelineStep, Stats, require, run_pipeline
from partages.corpus.build import BuildResult, build, make_reader
from partages.corpus.config import CorpusConfig, load_config
from partages.corpus.datasets import (
    BdpmFactsReader,
    E3CLeafletsReader,
    E3CPamjReader,
    FrenchMedMCQAReader,
    LabForSimsReader,
    MorfittReader,
    format_mcq,
    format_mcq_answer,
)
from partages.corpus.decontaminate import Decontaminate
from partages.corpus.dedup import MinHashDedup
from partages.corpus.document import Document
from partages.corpus.errors import BadRecord, CorpusError, MissingDependency
from partages.corpus.filters import LanguageFilter, LicenceFilter, Normalise, QualityFilter, is_non_commercial
from partages.corpus.gate import PseudonymisationGate, rule_detector
from partages.corpus.readers import FhirReader, JsonlReader, ParquetReader, Reader, TextFolderReader
from partages.corpus.writer import ParquetShardWriter

__all__ = [
    "BadRecord", "BdpmFactsReader", "BuildResult", "CorpusConfig", "CorpusError", "Decontaminate", "Document",
    "E3CLeafletsReader", "E3CPamjReader", "FhirReader", "FrenchMedMCQAReader", "JsonlReader", "LabForSimsReader",
    "LanguageFilter", "LicenceFilter", "MinHashDedup", "MissingDependency", "MorfittReader", "Normalise",
    "ParquetReader", "ParquetShardWriter", "PipelineStep", "PseudonymisationGate", "QualityFilter", "Reader",
    "Stats", "TextFolderReader", "build", "format_mcq", "format_mcq_answer", "is_non_commercial", "load_config",
    "make_reader", "require", "rule_detector", "run_pipeline",
]
