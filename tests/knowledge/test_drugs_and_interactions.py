"""Drug normalisation and ANSM interaction checks on the full BDPM and thesaurus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partages.cli.app import app
from partages.knowledge import LEVELS

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "cis", "substance"),
    [
        ("kardegic 75mg", "64755969", "acide acetylsalicylique"),
        ("PREVISCAN 20 mg cp", "68133651", "fluindione"),
        ("doliprane 1g", "60234100", "paracetamol"),
        ("dolipranne 1000", "60234100", "paracetamol"),  # typo
        ("levothyrox 75 µg", "62080626", "levothyroxine"),
        ("depakine 500", "60184188", "acide valproique"),  # SODIUM (VALPROATE DE) -> valproate
    ],
)
def test_prescriber_text_finds_the_speciality(kb, text: str, cis: str, substance: str) -> None:
    res = kb.lookup_drug(text)
    assert cis in [m.cis for m in res.matches[:5]]
    assert substance in res.substances
    assert 0.8 <= res.confidence <= 1.0


def test_strength_decides_between_specialities_and_lowers_confidence(kb) -> None:
    res = kb.lookup_drug("kardegic 75mg")
    assert res.matches[0].cis == "64755969" and res.matches[0].confidence == 1.0
    assert all(m.confidence < 1.0 for m in res.matches[1:])  # 160 mg, 300 mg...
    assert res.doses == ["75 mg"]


def test_generic_name_without_accents_and_misspelt(kb) -> None:
    generic = kb.lookup_drug("amoxicilline")
    assert generic.substances == ["amoxicilline"]
    assert all("AMOXICILLINE" in " ".join(m.substances) for m in generic.matches)
    typo = kb.lookup_drug("amoxiciline 1g")
    assert typo.matches and typo.matches[0].match.startswith("fuzzy")
    assert typo.confidence < generic.confidence
    assert kb.lookup_drug("acide acetylsalicylique").substances == ["acide acetylsalicylique"]


def test_unknown_text_is_not_resolved(kb) -> None:
    res = kb.lookup_drug("zzqxw")
    assert not res.resolved and res.matches == [] and res.confidence == 0.0


def test_interaction_shape_levels_and_classes(kb) -> None:
    rep = kb.interactions(["kardegic 75", "previscan 20 mg cp"])
    assert rep.unresolved == []
    assert rep.interactions, "aspirin + fluindione is in the thesaurus (via the class anticoagulants oraux)"
    for i in rep.interactions:
        assert set(i) == {"a", "b", "substances", "level", "mechanism", "conduct", "source"}
        assert i["level"] in LEVELS
        assert i["source"]["id"].startswith("ansm:interaction:") and i["source"]["version"] == "2020_01"
    first = rep.interactions[0]
    assert (first["a"], first["b"]) == ("kardegic 75", "previscan 20 mg cp")
    assert first["substances"] == ["acide acetylsalicylique", "fluindione"]
    assert first["level"] == "contre-indication"  # most severe first
    assert first["source"]["id"] == "ansm:interaction:acide-acetylsalicylique+anticoagulants-oraux"
    # a class named directly, and a substance's class ("AINS" + warfarine)
    rep2 = kb.interactions(["AINS", "coumadine"])
    assert [i["level"] for i in rep2.interactions] == ["association déconseillée"]
    assert set(rep2.interactions[0]["source"]["entry"]) == {"ANTI-INFLAMMATOIRES NON STÉROÏDIENS", "ANTICOAGULANTS ORAUX"}


def test_no_interaction_is_an_empty_list_and_deterministic(kb) -> None:
    assert kb.interactions(["doliprane 1000", "amoxicilline"]).interactions == []
    a = kb.interactions(["tramadol", "deroxat 20", "coumadine"]).to_dict()
    b = kb.interactions(["tramadol", "deroxat 20", "coumadine"]).to_dict()
    assert a == b and len({(i["a"], i["b"]) for i in a["interactions"]}) >= 2


def test_drugs_cli_json(kb_home: Path) -> None:
    env = {"PARTAGES_HOME": str(kb_home)}
    r = runner.invoke(app, ["drugs", "lookup", "doliprane 1g", "--json"], env=env)
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["matches"][0]["id"].startswith("bdpm:cis:") and out["substances"] == ["paracetamol"]
    r = runner.invoke(app, ["drugs", "interactions", "simvastatine", "clarithromycine", "--json"], env=env)
    assert r.exit_code == 0
    levels = [i["level"] for i in json.loads(r.stdout)]
    assert levels[0] == "contre-indication"
    r = runner.invoke(app, ["drugs", "interactions", "doliprane", "amoxicilline", "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    r = runner.invoke(app, ["drugs", "interactions", "zzqxw", "doliprane"], env=env)
    assert r.exit_code == 1 and "not recognised" in r.output
    r = runner.invoke(app, ["drugs", "lookup", "zzqxw"], env=env)
    assert r.exit_code == 1
    r = runner.invoke(app, ["drugs", "show", "60234100"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["composition"][0]["substance"] == "PARACÉTAMOL"
