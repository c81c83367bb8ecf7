"""Loaders on tiny files written in the official formats (cp1252 TSV, thesaurus JSON, CSV)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from partages.knowledge import SourceMissing, bdpm, terminologies, thesaurus
from partages.knowledge.text import Dose, doses, fold, tokens


def write_cp1252(path: Path, rows: list[str]) -> None:
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))


def tiny_bdpm(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    write_cp1252(d / "CIS_bdpm.txt", [
        "60000001\tPARAFICTIF 500 mg, comprimé sécable\tcomprimé sécable\torale\tAutorisation active\tProcédure nationale\tCommercialisée\t01/02/2003\t\t\t LABO TEST\tNon",
        "6000X002\tLIGNE CASSÉE\tcomprimé",  # malformed: bad CIS and too few fields
        "60000003\tFICTIVANE 2 mg, gélule\tgélule\torale\tAutorisation active\tProcédure nationale\tNon commercialisée\t01/02/2003\t\t\t LABO TEST\tNon",
    ])
    write_cp1252(d / "CIS_COMPO_bdpm.txt", [
        "60000001\tcomprimé\t00001\tPARACÉTAMOL\t500 mg\tun comprimé\tSA\t1\t",
        "60000003\tgélule\t00002\tWARFARINE SODIQUE\t2 mg\tune gélule\tSA\t1\t",
    ])
    return d


def test_bdpm_loads_present_files_counts_malformed_and_decodes_cp1252(tmp_path: Path) -> None:
    src = bdpm.load(tiny_bdpm(tmp_path / "bdpm" / "2099-01"))
    assert src.version == "2099-01"
    specs = src.tables["specialities"]
    assert [r[0] for r in specs] == ["60000001", "60000003"]
    assert specs[0][1] == "PARAFICTIF 500 mg, comprimé sécable"  # accents decoded from cp1252
    rep = {r.file: r for r in src.reports}
    assert rep["CIS_bdpm.txt"].malformed == 1 and rep["CIS_bdpm.txt"].malformed_lines == [2]
    assert src.tables["compositions"][0][3] == "PARACÉTAMOL"
    # files that are not there are optional and reported as such
    assert src.tables["generic_groups"] == [] and any("CIS_GENER_bdpm.txt absent" in n for n in src.notes)


def test_bdpm_without_cis_file_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(SourceMissing, match="base-donnees-publique.medicaments.gouv.fr"):
        bdpm.load(tmp_path)


def test_thesaurus_levels_classes_and_duplicates(tmp_path: Path) -> None:
    d = tmp_path / "2099_01"
    d.mkdir()
    (d / "index-des-substances.json").write_text(json.dumps([
        {"substance": "warfarine", "drug_classes": ["anticoagulants oraux", "antivitamines K"]},
        {"substance": "ibuprofène", "drug_classes": ["anti-inflammatoires non stéroïdiens"]},
    ]), encoding="utf-8")
    rec = {"main_drug": "ANTICOAGULANTS ORAUX", "plus_drug": "ANTI-INFLAMMATOIRES NON STÉROÏDIENS",
           "severity_levels": [{"level": "Association DECONSEILLEE", "info": "Si l'association ne peut être évitée, surveillance."}],
           "interaction_mechanism": "Majoration du risque hémorragique."}
    twin = {**rec, "main_drug": rec["plus_drug"], "plus_drug": rec["main_drug"]}
    multi = {"main_drug": "X", "plus_drug": "Y", "severity_levels": [
        {"level": "A prendre en compte", "info": "petites doses"}, {"level": "CONTRE-INDICATION", "info": "fortes doses"}],
        "interaction_mechanism": "m"}
    bad = {"main_drug": "X", "severity_levels": []}
    (d / "thesaurus-2099.json").write_text(json.dumps([rec, twin, multi, bad]), encoding="utf-8")
    src = thesaurus.load(d)
    pairs = {r[0]: r for r in src.tables["ansm_interactions"]}
    assert set(pairs) == {"ansm:interaction:anti-inflammatoires-non-steroidiens+anticoagulants-oraux", "ansm:interaction:x+y"}
    assert pairs["ansm:interaction:anti-inflammatoires-non-steroidiens+anticoagulants-oraux"][5] == "association déconseillée"
    # several levels: the most severe is the level, the conduct keeps each level's condition
    x = pairs["ansm:interaction:x+y"]
    assert x[5] == "contre-indication" and "fortes doses" in x[8] and "à prendre en compte" in x[8]
    assert ("anticoagulants oraux", "anticoagulants oraux", "warfarine", "warfarine") in src.tables["ansm_class_members"]
    assert src.malformed == 1


def test_cim10_and_ccam_csv(tmp_path: Path) -> None:
    cim = tmp_path / "cim10.csv.gz"
    cim.write_bytes(gzip.compress("code,type,ssr,psy,short,long\nE11,3,,,DIABETE,Diabète sucré de type 2\nE119,0,,,X,\"Diabète sucré de type 2, sans complication\"\n???,0,,,,\n".encode()))
    src = terminologies.load_cim10(cim)
    assert [r[0] for r in src.tables["cim10"]] == ["E11", "E11.9"]
    assert src.malformed == 1
    ccam = tmp_path / "ccam.csv"
    ccam.write_text(
        "CNAM - CCAM version 99 applicable 01/01/2099,,,,,,,,,,\n"
        "Code,,Texte,Activité,Phase,Tarif 1,Tarif 2,,,,\n"
        "07.01,,ACTES SUR L'APPENDICE,,,,,,,,\n"
        "HHFA016,,\"Appendicectomie, par cœlioscopie\",1,0,250.00,250.00,,,2,ADC\n"
        "HHFA016,,\"Appendicectomie, par cœlioscopie\",4,0,100.00,100.00,,,2,ADA\n"
        "[F, P, S, U],,Modificateurs,,,,,,,,\n"
        "ZZZ,,ligne inconnue,,,,,,,,\n",
        encoding="utf-8",
    )
    src = terminologies.load_ccam(ccam)
    assert src.version == "v99"
    assert src.tables["ccam"] == [("HHFA016", "Appendicectomie, par cœlioscopie", "1,4", "250.00", "ACTES SUR L'APPENDICE")]
    assert src.malformed == 1 and src.reports[0].malformed_lines == [7]


def test_text_folding_doses_and_french_stems() -> None:
    assert fold("Acide ACÉTYLSALICYLIQUE, 75mg") == "acide acetylsalicylique 75mg"
    assert doses("doliprane 1g") == [Dose(1000.0, "mg")]
    assert doses("LEVOTHYROX 75 µg") == [Dose(0.075, "mg")]
    assert doses("LOVENOX 4 000 UI (40 mg)/0,4 ml")[:2] == [Dose(4000.0, "ui"), Dose(40.0, "mg")]
    assert tokens("hémorragies") == tokens("hemorragie")
    assert "le" not in tokens("le risque")
