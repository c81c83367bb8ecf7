"""Detection behaviour on crafted French clinical snippets (real lexicons from shared data)."""

from __future__ import annotations

import pytest

from tests.deid.conftest import found


def test_titles_are_not_part_of_names(detector):
    spans = detector.detect("Vu par le Dr Jean-Pierre MARTIN et Mme Claire Dubois.")
    assert found(spans, "PRENOM") == ["Jean-Pierre", "Claire"]
    assert found(spans, "NOM") == ["MARTIN", "Dubois"]
    assert not any(s.text.startswith(("Dr", "Mme")) for s in spans)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("NIR : 2 85 04 75 114 023 31.", "2 85 04 75 114 023 31"),  # valid key, with spaces
        ("NIR 1 84 12 2A 004 123 23 (Corse)", "1 84 12 2A 004 123 23"),  # 2A → 19 in the key
        ("n° sécu 285047511402331", "285047511402331"),
    ],
)
def test_nir(detector, text, expected):
    spans = detector.detect(text)
    assert found(spans, "SECU") == [expected]


def test_nir_checksum_via_stdnum():
    from partages.deid.numbers import nir_is_valid

    assert nir_is_valid("285047511402331")
    assert not nir_is_valid("285047511402332")
    assert nir_is_valid("18412" + "2A" + "00412323")


def test_rpps_luhn_and_context(detector):
    assert found(detector.detect("RPPS : 10003456786"), "RPPS") == ["10003456786"]
    assert found(detector.detect("Praticien 10003456786 vu ce jour"), "RPPS") == ["10003456786"]  # Luhn-valid, starts with 10


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "01.42.16.00.00", "+33 6 12 34 56 78", "+33 (0)1 42 16 00 00", "0590 82 11 33", "+262 262 12 34 56", "0612345678"])
def test_phones(detector, phone):
    assert found(detector.detect(f"Tél : {phone}."), "TEL") == [phone]


@pytest.mark.parametrize(
    "text,date",
    [
        ("le 12/03/2024 à 10h", "12/03/2024"),
        ("bilan du 12.03.24 normal", "12.03.24"),
        ("depuis le 3 janvier 2024", "3 janvier 2024"),
        ("entrée en 03/2024", "03/2024"),
        ("revu mardi 5 mars au matin", "mardi 5 mars"),
        ("résultats du 2024-02-17", "2024-02-17"),
        ("né en 1948", "1948"),
    ],
)
def test_dates(detector, text, date):
    assert date in found(detector.detect(text))


@pytest.mark.parametrize("text", ["Cure de J1 à J5 puis repos.", "1/2 cp le soir", "TA 135/80 mmHg", "EVA 3/10", "score de Glasgow 15/15", "Doliprane 1000 mg x 3/j"])
def test_not_dates(detector, text):
    assert [s for s in detector.detect(text) if s.label in ("DATE", "DATE_NAISSANCE")] == []


def test_birth_date_by_context(detector):
    assert found(detector.detect("Mme X, née le 07/08/1939, vient pour..."), "DATE_NAISSANCE") == ["07/08/1939"]


def test_address_over_two_lines_with_postcode_and_commune(detector):
    spans = detector.detect("Adresse : 14 rue des Ursulines\n54000 Nancy")
    assert found(spans, "ADRESSE") == ["14 rue des Ursulines"]
    assert found(spans, "ZIP") == ["54000"]
    assert found(spans, "VILLE") == ["Nancy"]


def test_postcode_then_commune_on_next_line(detector):
    spans = detector.detect("résidant au 37 bis, rue de la République 69100\nVILLEURBANNE. Suivi.")
    assert "69100" in found(spans, "ZIP")
    assert found(spans, "VILLE") == ["VILLEURBANNE"]


def test_mail_and_hospital(detector):
    spans = detector.detect("Transfert au CHU Bichat ; contact marie.roux@orange.fr")
    assert found(spans, "HOPITAL") == ["Bichat"]
    assert found(spans, "MAIL") == ["marie.roux@orange.fr"]


def test_protect_list_is_never_redacted(detector):
    text = ("Maladie de Parkinson sous Modopar, signe de Babinski, syndrome de Gougerot-Sjögren, "
            "score de Glasgow à 15. HTA, AVC, BPCO. Traitement : Doliprane, Kardégic, Eliquis.")
    assert detector.detect(text) == []


def test_surname_that_is_a_common_noun(detector):
    spans = detector.detect("M. Louis PETIT présente un petit épanchement. Petit signale une dyspnée.")
    assert [s.text for s in spans] == ["Louis", "PETIT", "Petit"]  # the adjective stays


def test_known_patient_identifiers_everywhere(detector):
    patient = {"nom": "Roche", "prenom": "Marie-Hélène", "ipp": "8001234567", "tel": "0611223344"}
    text = "MARIE-HELENE ROCHE (IPP 80 0123 4567) ; rappeler au 06.11.22.33.44. Marie va bien. roche"
    spans = detector.detect(text, patient)
    covered = "".join("x" if any(s.start <= i < s.end for s in spans) else c for i, c in enumerate(text))
    for leak in ("MARIE", "HELENE", "ROCHE", "4567", "33.44", "Marie", "roche"):
        assert leak not in covered


def test_ipp_nda_patterns_are_configurable(data_dir):
    from partages.deid import Detector, DetectorConfig, IdPatterns

    det = Detector(DetectorConfig(data_dir=data_dir, id_patterns=IdPatterns(ipp_keywords=[r"dossier\s+ext"], bare_label=None)))
    assert [(s.label, s.text) for s in det.detect("dossier ext : AB123456")] == [("IPP", "AB123456")]


def test_empty_and_plain_text(detector):
    assert detector.detect("") == []
    assert detector.detect("Patient stable, pas de fièvre, poursuite du traitement.") == []


def test_offsets_slice_the_text(detector):
    text = "Dr Hélène Marchand, Tél. 03 83 15 42 17, le 3 janvier 2024 à Nancy."
    for s in detector.detect(text):
        assert text[s.start:s.end] == s.text
        assert s.source in ("rule", "checksum", "context", "lexicon", "model", "patient")
