"""Grounded answers: retrieve trusted passages, build a prompt that cites them, check the markers.

Why the checks: a small model (the embedded Gemma 3 270M) does not reliably cite. The answer is
therefore post-processed so that every ``[n]`` marker points to a retrieved passage (markers to
non-existent passages are removed) and, when the model cited nothing, the answer ends with a
``Sources : [1] [2]...`` line naming the passages it was given. When retrieval finds nothing
relevant the model is not called at all: the answer says so instead of answering from memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from partages.engines.base import ChatMessage, Engine, SamplingParams
from partages.knowledge import Hit, KnowledgeBase
from partages.knowledge.text import fold, tokens

NO_SOURCE_ANSWER = (
    "Je n'ai trouvé aucune source pertinente dans la base de connaissances de confiance "
    "(BDPM, thésaurus ANSM des interactions, CIM-10, CCAM) pour répondre à cette question. "
    "Je ne réponds pas de mémoire : reformulez la question ou consultez directement une source officielle."
)

SYSTEM_PROMPT = (
    "Tu es un assistant médical pour des professionnels de santé en France. Réponds en français, "
    "brièvement, UNIQUEMENT à partir des sources numérotées ci-dessous. Après chaque phrase, indique "
    "la source utilisée entre crochets, par exemple [1]. Si les sources ne permettent pas de répondre, "
    "dis-le."
)

# words that make a question a question but say nothing about its subject
_QUESTION_WORDS = {fold(w) for w in (
    "quel", "quelle", "quels", "quelles", "comment", "pourquoi", "combien", "quand", "où", "qui", "que", "quoi",
    "est-ce", "peut", "peux", "faut", "doit", "donner", "donne", "dire", "expliquer", "explique", "savoir",
    "connaître", "information", "informations", "question", "réponse", "bonjour", "merci", "svp", "stp",
    # every source here is French: the country name says nothing about a question's subject
    # (and "ZYDUS FRANCE"-style laboratory names would make any question about France match)
    "france", "français", "française",
)}


@dataclass
class Citation:
    index: int
    id: str
    source: str
    title: str
    snippet: str
    licence: str
    version: str
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GroundedAnswer:
    text: str
    citations: list[Citation]
    grounded: bool  # False when nothing relevant was found (the model was not called)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    mode: str = "generated"  # generated | extractive (the model's text was unusable) | none


def _content_terms(question: str) -> list[str]:
    skip = {t for w in _QUESTION_WORDS for t in tokens(w)}
    return [t for t in tokens(question) if t not in skip]


def relevant_hits(kb: KnowledgeBase, question: str, k: int = 5, sources: list[str] | None = None,
                  min_coverage: float = 0.5) -> list[Hit]:
    """Hits that contain at least ``min_coverage`` of the question's content terms (and at
    least one of them). BM25 always returns *something* for a common word; this keeps only
    passages that are about the question."""
    terms = set(_content_terms(question))
    if not terms:
        return []
    hits = kb.search(question, k=k, sources=sources)
    out = []
    for h in hits:
        doc_terms = set(tokens(f"{h.title} {h.snippet}"))
        row = kb.store.document(h.id)
        if row is not None:
            doc_terms |= set(tokens(row["text"]))
        cov = len(terms & doc_terms) / len(terms)
        if cov >= min_coverage and cov > 0:
            out.append(h)
    return out


def build_messages(question: str, hits: Sequence[Hit], history: Sequence[ChatMessage] = ()) -> list[ChatMessage]:
    sources = "\n".join(f"[{i}] {h.title} — {h.snippet}" for i, h in enumerate(hits, 1))
    user = f"Sources :\n{sources}\n\nQuestion : {question}\n\nRéponse (avec les numéros des sources entre crochets) :"
    return [ChatMessage("system", SYSTEM_PROMPT), *history, ChatMessage("user", user)]


_MARKER = re.compile(r"\[(\d{1,2})\]")


def check_markers(text: str, n_sources: int) -> str:
    """Drop markers that point to no passage; add a Sources line if none is left."""
    text = _MARKER.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_sources else "", text).strip()
    if n_sources and not _MARKER.search(text):
        text = (text + "\n\n" if text else "") + "Sources : " + " ".join(f"[{i}]" for i in range(1, n_sources + 1))
    return text


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = fold(text).split()
    return {tuple(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def unusable(text: str, prompt: str) -> bool:
    """The model echoed its prompt (what a base model without chat tuning does) or said nothing."""
    if len(fold(text)) < 3:
        return True
    if "Question :" in text or "Sources :" in text.split("\n\nSources : [")[0]:
        return True
    sh = _shingles(text)
    return bool(sh) and len(sh & _shingles(prompt)) / len(sh) > 0.6


def extractive(hits: Sequence[Hit]) -> str:
    """The passages themselves, each with its marker: always grounded, never invented."""
    lines = ["D'après les sources :"]
    for i, h in enumerate(hits[:2], 1):
        lines.append(f"- {h.title} — {h.snippet} [{i}]")
    return "\n".join(lines)


def answer(engine: Engine, kb: KnowledgeBase, question: str, *, k: int = 5, sources: list[str] | None = None,
           params: SamplingParams | None = None, history: Sequence[ChatMessage] = ()) -> GroundedAnswer:
    """Retrieve, prompt, generate, check markers. Deterministic when ``params.temperature`` is 0.

    When the model's text is unusable (empty, or an echo of the prompt, as the embedded base
    model does before instruction tuning), the answer quotes the top passages instead
    (``mode="extractive"``): the caller still gets a cited answer, never an invented one."""
    hits = relevant_hits(kb, question, k=k, sources=sources)
    if not hits:
        return GroundedAnswer(NO_SOURCE_ANSWER, [], grounded=False, mode="none")
    citations = [Citation(i, h.id, h.source, h.title, h.snippet, h.licence, h.version, h.score) for i, h in enumerate(hits, 1)]
    params = params or SamplingParams(max_tokens=200, temperature=0.0)
    messages = build_messages(question, hits, history)
    comp = engine.chat(messages, params)
    mode = "generated"
    text = comp.text.strip()
    if unusable(text, "\n".join(m.content for m in messages)):
        text, mode = extractive(hits), "extractive"
    return GroundedAnswer(check_markers(text, len(citations)), citations, True, comp.prompt_tokens,
                          comp.completion_tokens, comp.finish_reason, mode)
