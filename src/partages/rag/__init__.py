"""Retrieval-augmented generation: answers grounded in the trusted knowledge base, with citations."""

from partages.rag.grounded import (
    NO_SOURCE_ANSWER,
    Citation,
    GroundedAnswer,
    answer,
    build_messages,
    check_markers,
    relevant_hits,
)

__all__ = ["NO_SOURCE_ANSWER", "Citation", "GroundedAnswer", "answer", "build_messages", "check_markers", "relevant_hits"]
