"""IPP/NDA shapes configured from partages.yaml and PARTAGES_* (not only Python), and weekdays
written next to a date recomputed after the date shift (a kept weekday would leak the real date)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from partages.config import Settings
from partages.deid import DeidConfigError, Detector, DetectorConfig, IdPatterns, Pseudonymizer

from .test_cli import read_jsonl, run, write_jsonl

NOTE = "Réf. hospit. 24-118. Patient vu ce jour."  # "Réf. hospit." is no built-in NDA label


def test_nda_keyword_from_environment(monkeypatch, data_dir):
    det = Detector(DetectorConfig(data_dir=data_dir, id_patterns=IdPatterns.from_settings(Settings())))
    assert not [s for s in det.detect(NOTE) if s.label == "NDA"]  # built-in shapes miss it
    monkeypatch.setenv("PARTAGES_DEID_NDA_KEYWORDS", json.dumps([r"r[ée]f\.?\s+hospit\.?"]))
    det = Detector(DetectorConfig(data_dir=data_dir, id_patterns=IdPatterns.from_settings(Settings())))
    assert [(s.label, s.text) for s in det.detect(NOTE) if s.label == "NDA"] == [("NDA", "24-118")]


def test_ipp_keyword_and_value_from_partages_yaml(tmp_path):
    (tmp_path / "partages.yaml").write_text(
        "deid_ipp_keywords:\n  - 'code\\s+EPI'\n"
        "deid_id_value: '[A-Z]{2}-\\d{3}-[A-Z]{2}'\n", encoding="utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": "Code EPI : KQ-482-ZT, vu en consultation."}])
    run("detect", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    spans = read_jsonl(tmp_path / "out.jsonl")[0]["spans"]
    assert [(s["label"], s["text"]) for s in spans] == [("IPP", "KQ-482-ZT")]


def test_bad_pattern_setting_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTAGES_DEID_IPP_KEYWORDS", json.dumps(["n°(unclosed"]))
    with pytest.raises(DeidConfigError, match="deid_ipp_keywords"):
        IdPatterns.from_settings(Settings())
    (tmp_path / "partages.yaml").write_text("deid_nda_keywords: ['séjour[']\n", encoding="utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": "rien"}])
    monkeypatch.delenv("PARTAGES_DEID_IPP_KEYWORDS")
    p = run("detect", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), "--workers", "2", cwd=tmp_path, check=False)
    assert p.returncode != 0 and "deid_nda_keywords" in p.stdout + p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("text", [
    "Consultation le lundi 12/03/2024 au matin.",
    "Revu le mardi 5 mars 2024.",
    "Sortie vendredi 18 février 2022, retour prévu le Samedi 26/02/2022.",
    "RDV JEUDI 04.04.2024 à 9 h.",
])
def test_weekday_next_to_a_shifted_date_is_recomputed(text, detector, key):
    p = Pseudonymizer(key, "surrogate", detector=detector)
    out = p.pseudonymize(text, scope="patient-weekday")
    shift = p.factory.date_shift("patient-weekday")
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    dates = [s for s in out.spans if s.label == "DATE"]
    assert dates and all(re.match(r"(?i)(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", s.text) for s in dates)
    for s in dates:
        day = s.replacement.split()[0]
        m = re.search(r"(\d{1,2})[/. ](\d{2}|\w+)[/. ](\d{4})", s.text)
        months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
        mo = int(m.group(2)) if m.group(2).isdigit() else months.index(m.group(2).lower()) + 1
        new = dt.date(int(m.group(3)), mo, int(m.group(1))) + dt.timedelta(days=shift)
        assert day.lower() == days[new.weekday()]  # the weekday of the *shifted* date
        assert day[:1].isupper() == s.text[:1].isupper() and day.isupper() == s.text.split()[0].isupper()  # case kept
