"""Grounded answers through the real gateway and the real embedded model (openai client)."""

from __future__ import annotations

import openai
import pytest

from partages.rag import NO_SOURCE_ANSWER, check_markers, relevant_hits
from partages.rag.grounded import unusable

MODEL = "gemma3-270m"


def test_markers_are_checked() -> None:
    assert check_markers("Oui [1], voir [7].", 2) == "Oui [1], voir ."
    assert check_markers("Réponse sans source.", 2) == "Réponse sans source.\n\nSources : [1] [2]"
    assert check_markers("", 0) == ""


def test_prompt_echo_is_unusable() -> None:
    prompt = "Sources :\n[1] WARFARINE + MICONAZOLE : contre-indication — Augmentation de l'effet de l'anticoagulant oral\n\nQuestion : warfarine et miconazole ?"
    assert unusable(prompt, prompt)
    assert unusable("  ", prompt)
    assert not unusable("L'association est contre-indiquée [1].", prompt)


def test_relevance_filter(kb) -> None:
    assert relevant_hits(kb, "Quelle est la capitale de la France ?") == []
    hits = relevant_hits(kb, "Peut-on associer un AINS et un anticoagulant oral ?", k=3)
    assert "ansm:interaction:anti-inflammatoires-non-steroidiens+anticoagulants-oraux" in [h.id for h in hits]


@pytest.mark.slow
def test_grounded_answer_with_citations(gateway_with_kb) -> None:
    client = gateway_with_kb.client("clinician")
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Peut-on associer un AINS et un anticoagulant oral ?"}],
        max_tokens=48,
        temperature=0,
        extra_body={"retrieval": {"enabled": True, "k": 3}},
    )
    body = resp.model_dump()
    cites = body["citations"]
    assert 1 <= len(cites) <= 3
    assert [c["index"] for c in cites] == list(range(1, len(cites) + 1))
    assert all(c["id"] and c["title"] and c["snippet"] and c["licence"] for c in cites)
    assert "ansm:interaction:anti-inflammatoires-non-steroidiens+anticoagulants-oraux" in [c["id"] for c in cites]
    text = resp.choices[0].message.content
    markers = {int(m) for m in __import__("re").findall(r"\[(\d+)\]", text)}
    assert markers and markers <= set(range(1, len(cites) + 1))
    assert resp.usage.completion_tokens > 0  # the model was called
    assert body["answer_mode"] in ("generated", "extractive")


@pytest.mark.slow
def test_nothing_relevant_says_so_without_calling_the_model(gateway_with_kb) -> None:
    client = gateway_with_kb.client("learner")
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Quelle est la capitale de la France ?"}],
        extra_body={"retrieval": {"enabled": True}},
    )
    assert resp.choices[0].message.content == NO_SOURCE_ANSWER
    assert resp.model_dump()["citations"] == [] and resp.usage.completion_tokens == 0
    assert resp.model_dump()["answer_mode"] == "none"


def test_retrieval_options_are_validated(gateway_with_kb) -> None:
    client = gateway_with_kb.client("clinician")
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "AINS"}],
                                       extra_body={"retrieval": {"enabled": True, "sources": ["wikipedia"]}})
    assert "retrieval.sources" in str(e.value)
    with pytest.raises(openai.BadRequestError, match="stream"):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "AINS"}], stream=True,
                                       extra_body={"retrieval": {"enabled": True}})
