"""BM25 search over the knowledge documents, and the dev-set scores against their targets."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from partages.cli.app import app
from partages.knowledge import reciprocal_rank_fusion
from partages.knowledge.evalsets import (
    load_devset,
    score_drug_questions,
    score_interaction_pairs,
    score_search_drug_questions,
)

runner = CliRunner()
HIT_KEYS = {"id", "source", "title", "snippet", "score", "licence", "version"}


def test_hits_have_the_issue_shape_and_stable_ids(kb) -> None:
    hits = kb.search("doliprane 1000 mg comprimé", k=5)
    assert hits and set(hits[0].to_dict()) == HIT_KEYS
    assert "bdpm:cis:60234100" in [h.id for h in hits]
    assert all(h.licence and h.version for h in hits)
    cim = kb.search("diabète sucré de type 2 sans complication", k=5, sources=["cim10"])
    assert "cim10:E11.9" in [h.id for h in cim]
    assert all(h.source == "cim10" for h in cim)
    ccam = kb.search("appendicectomie par coelioscopie", k=3, sources=["ccam"])
    assert ccam[0].id.startswith("ccam:HHFA")


def test_french_stemming_and_accents(kb) -> None:
    # "hemorragiques" (no accent, plural adjective) finds the thesaurus' "hémorragique"
    ids = [h.id for h in kb.search("risque hemorragiques antivitamines K", k=10)]
    assert any(i.startswith("ansm:interaction:") and "antivitamines-k" in i for i in ids)
    a = [h.to_dict() for h in kb.search("surdosage paracétamol", k=5)]
    assert a == [h.to_dict() for h in kb.search("surdosage paracétamol", k=5)]  # deterministic


def test_brand_names_reach_the_thesaurus(kb) -> None:
    # the thesaurus never names brands: "previscan" is expanded to fluindione
    ids = [h.id for h in kb.search("previscan interactions", k=10, sources=["ansm"])]
    assert ids and all(i.startswith("ansm:interaction:") for i in ids)


def test_hybrid_search_fuses_the_drug_lookup(kb) -> None:
    # a misspelt brand: BM25 alone has no term "dolipranne"; the drug lookup finds DOLIPRANE 1000
    assert "bdpm:cis:60234100" not in [h.id for h in kb.search("dolipranne 1000", k=5, hybrid=False)]
    hits = kb.search("dolipranne 1000", k=5)
    assert "bdpm:cis:60234100" in [h.id for h in hits]
    assert all(0 < h.score < 1 for h in hits)  # fused: RRF scores


def test_nothing_matches_gives_no_hit(kb) -> None:
    assert kb.search("xqzzw", k=5) == []


def test_rrf_fusion() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert [d for d, _ in fused][:1] == ["b"]


def test_kb_search_cli_json(kb_home: Path) -> None:
    r = runner.invoke(app, ["kb", "search", "anticoagulants oraux AINS", "-k", "3", "--json"], env={"PARTAGES_HOME": str(kb_home)})
    assert r.exit_code == 0
    hits = json.loads(r.stdout)
    assert len(hits) == 3 and set(hits[0]) == HIT_KEYS
    # "AINS" is expanded to the thesaurus class name
    assert "ansm:interaction:anti-inflammatoires-non-steroidiens+anticoagulants-oraux" in [h["id"] for h in hits]


def test_devsets_meet_their_targets(kb) -> None:
    q, p = load_devset("drug_questions"), load_devset("interaction_pairs")
    assert len(q["items"]) >= 50 and len(p["items"]) >= 30
    drugs = score_drug_questions(kb)
    assert drugs.score >= 0.9, drugs.failures
    pairs = score_interaction_pairs(kb)
    assert pairs.score >= 0.95, pairs.failures
    search = score_search_drug_questions(kb)
    assert search.score >= 0.9, search.failures
