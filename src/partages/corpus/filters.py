"""Per-document stages: normalisation, licence, language and quality filters.

Thresholds are deliberately simple and visible (Gopher/C4-style heuristics) so a data card can
say exactly why a document was dropped.
"""

from __future__ import annotations

import re
import unicodedata

from partages.corpus.base import PipelineStep
from partages.corpus.document import Document

_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_NEWLINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_text(text: str) -> str:
    """NFC, no control characters, straightened whitespace (keeps paragraph breaks)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()


class Normalise(PipelineStep):
    """Unicode NFC + whitespace clean-up, on the text and on every chat turn."""

    name = "normalise"

    def process(self, doc: Document) -> Document | None:
        if doc.messages:
            doc.messages = [{"role": m["role"], "content": normalise_text(m["content"])} for m in doc.messages]
            doc.text = "\n".join(m["content"] for m in doc.messages)
        else:
            doc.text = normalise_text(doc.text)
        if not doc.text:
            self.drop("empty")
            return None
        return doc


def is_non_commercial(licence: str) -> bool:
    """NC or ND licences (CC BY-NC, CC BY-NC-ND, CC BY-ND...) are kept out unless opted in."""
    up = licence.upper().replace("_", "-")
    return bool(re.search(r"\bNC\b|\bND\b|NON[- ]?COMMERCIAL|NO[- ]?DERIV", up))


class LicenceFilter(PipelineStep):
    """Drops NC/ND records (per-record licence, as published) unless ``allow_nc``."""

    name = "licence"

    def __init__(self, allow_nc: bool = False) -> None:
        super().__init__()
        self.allow_nc = allow_nc

    def process(self, doc: Document) -> Document | None:
        if not self.allow_nc and is_non_commercial(doc.licence):
            self.drop("non_commercial")
            return None
        return doc


class LanguageFilter(PipelineStep):
    """Keeps documents whose language is one of ``languages`` (py3langid: the model ships in
    the wheel, no download). Chat records are judged on all their turns together."""

    name = "language"
    requires = (("py3langid", "py3langid"),)

    def __init__(self, languages: tuple[str, ...] = ("fr",), min_chars: int = 20) -> None:
        super().__init__()
        import py3langid

        self._classify = py3langid.classify
        self.languages, self.min_chars = tuple(languages), min_chars

    def process(self, doc: Document) -> Document | None:
        if len(doc.text) < self.min_chars:  # too short to judge: keep (quality filter decides)
            return doc
        lang, _ = self._classify(doc.text[:2000])
        self.stats[f"lang_{lang}"] += 1
        if lang not in self.languages:
            self.drop("language")
            return None
        return doc


_WORD = re.compile(r"\w+", re.UNICODE)


class QualityFilter(PipelineStep):
    """Length, word length, symbol and repetition heuristics (after Gopher, Rae et al. 2021)."""

    name = "quality"

    def __init__(self, min_words: int = 3, max_words: int = 100_000, max_mean_word_len: float = 15.0,
                 max_symbol_ratio: float = 0.1, max_dup_line_ratio: float = 0.3, min_alpha_ratio: float = 0.5) -> None:
        super().__init__()
        self.min_words, self.max_words = min_words, max_words
        self.max_mean_word_len, self.max_symbol_ratio = max_mean_word_len, max_symbol_ratio
        self.max_dup_line_ratio, self.min_alpha_ratio = max_dup_line_ratio, min_alpha_ratio

    def process(self, doc: Document) -> Document | None:
        words = _WORD.findall(doc.text)
        n = len(words)
        if n < self.min_words:
            return self._no("too_short")
        if n > self.max_words:
            return self._no("too_long")
        if sum(map(len, words)) / n > self.max_mean_word_len:
            return self._no("long_words")
        symbols = sum(doc.text.count(s) for s in ("#", "…", "{", "}", "<", ">", "|"))
        if symbols / n > self.max_symbol_ratio:
            return self._no("symbols")
        alpha = sum(1 for w in words if any(c.isalpha() for c in w))
        if alpha / n < self.min_alpha_ratio:
            return self._no("not_alphabetic")
        lines = [ln for ln in doc.text.split("\n") if ln.strip()]
        if len(lines) >= 5 and 1 - len(set(lines)) / len(lines) > self.max_dup_line_ratio:
            return self._no("repeated_lines")
        self.stats["words"] += n
        return doc

    def _no(self, reason: str) -> None:
        self.drop(reason)
        return None
