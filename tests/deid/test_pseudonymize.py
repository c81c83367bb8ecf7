"""Replacement modes, keyed consistent surrogates, date shifting, reversible vault."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from stdnum import luhn
from stdnum.fr import nir

from partages.deid import KeyFileError, Pseudonymizer, StreamReidentifier, Vault, VaultError, read_key_file, write_key_file

NOTE = (
    "Patiente Mme Marie DUPONT née le 12/03/1954, IPP 8012939402, NIR 2 85 04 75 114 023 31.\n"
    "Adressée par le Dr Jean-Pierre Martin (RPPS 10003456786) pour maladie de Parkinson.\n"
    "Domicile : 12 rue des Lilas\n75011 Paris. Tél 06 12 34 56 78, mail marie.dupont@gmail.com.\n"
    "Hospitalisée du 3 janvier 2024 au 15/01/2024. Mme Dupont sort ce jour."
)
PATIENT = {"nom": "Dupont", "prenom": "Marie", "ipp": "8012939402"}


@pytest.fixture(scope="module")
def pz(detector, key):
    return Pseudonymizer(key, "surrogate", detector=detector)


def _rep(out, label):
    return [s.replacement for s in out.spans if s.label == label]


def test_surrogates_replace_every_identifier(pz):
    out = pz.pseudonymize(NOTE, PATIENT)
    assert out.status == "pseudonymisé"
    for original in ("Marie", "DUPONT", "Dupont", "8012939402", "Jean-Pierre", "Martin", "Lilas", "06 12 34 56 78", "marie.dupont", "12/03/1954"):
        assert not re.search(rf"(?<!\w){re.escape(original)}(?!\w)", out.text)
    assert "maladie de Parkinson" in out.text
    assert all(s.replacement and s.replacement != s.text for s in out.spans if s.label not in ("ZIP",))


def test_same_key_same_output_other_key_other_output(detector, key):
    a = Pseudonymizer(key, detector=detector).pseudonymize(NOTE, PATIENT).text
    b = Pseudonymizer(key, detector=detector).pseudonymize(NOTE, PATIENT).text
    c = Pseudonymizer(b"another-key-0123456789", detector=detector).pseudonymize(NOTE, PATIENT).text
    assert a == b
    assert a != c


def test_consistent_within_patient_across_documents_and_case(pz):
    one = pz.pseudonymize("Mme DUPONT Marie, vue ce jour.", PATIENT)
    two = pz.pseudonymize("Courrier pour Mme Dupont.", PATIENT)
    s1 = _rep(one, "NOM")[0]
    s2 = _rep(two, "NOM")[0]
    assert s1 == s1.upper() and s2 == s2.title() and s1.title() == s2


def test_two_people_never_share_a_surrogate(detector, key):
    names = [f"{f} {l}" for f, l in zip(["Jean", "Paul", "Luc", "Marc", "Eric", "Hugo", "Marie", "Julie"] * 5, ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre", "Lefevre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas"])]
    text = " ; ".join(f"Dr {n}" for n in names)
    out = Pseudonymizer(key, detector=detector).pseudonymize(text, scope="same-scope")
    originals: dict[str, str] = {}
    for s in out.spans:
        if s.label == "NOM":
            assert originals.setdefault(s.replacement.lower(), s.text.lower()) == s.text.lower()


def test_first_names_keep_gender(pz, detector):
    lx = detector.lx
    from partages.deid.text import fold_key

    out = pz.pseudonymize("Mme Catherine Durand et M. Philippe Durand.", scope="g")
    reps = _rep(out, "PRENOM")
    assert lx.first_names[fold_key(reps[0])][0] == "F" or fold_key(reps[0]) in {k for k in map(fold_key, lx.female_first)}
    assert fold_key(reps[1]) in {k for k in map(fold_key, lx.male_first)}


def test_dates_shift_keeps_intervals_and_formats(pz):
    out = pz.pseudonymize("Entrée le 03/01/2024, sortie le 15/01/2024. Revu le 3 février 2024.", scope="patient-42")
    a, b, c = _rep(out, "DATE")
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", a) and re.fullmatch(r"\d\d/\d\d/\d{4}", b)
    assert re.fullmatch(r"\d{1,2} [a-zéû]+ \d{4}", c)
    da, db = (dt.datetime.strptime(x, "%d/%m/%Y").date() for x in (a, b))
    assert (db - da).days == 12
    assert da != dt.date(2024, 1, 3)


def test_format_valid_identifiers(pz):
    out = pz.pseudonymize(NOTE, PATIENT)
    secu = _rep(out, "SECU")[0]
    assert re.fullmatch(r"\d \d\d \d\d \d\d \d{3} \d{3} \d\d", secu) and nir.is_valid(secu.replace(" ", ""))
    rpps = _rep(out, "RPPS")[0]
    assert len(rpps) == 11 and luhn.is_valid(rpps)
    tel = _rep(out, "TEL")[0]
    assert re.fullmatch(r"06 \d\d \d\d \d\d \d\d", tel)
    mail = _rep(out, "MAIL")[0]
    assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+@[a-z.]+", mail)
    zip_, city = _rep(out, "ZIP")[0], _rep(out, "VILLE")[0]
    assert re.fullmatch(r"\d{5}", zip_) and city != "Paris"


def test_placeholder_and_mask_modes(detector):
    ph = Pseudonymizer(None, "placeholder", detector=detector).pseudonymize("Dr Jean Martin, tél 06 12 34 56 78.")
    assert ph.text == "Dr <PRENOM> <NOM>, tél <TEL>."
    mk = Pseudonymizer(None, "mask", detector=detector).pseudonymize("Dr Jean Martin.")
    assert mk.text == "Dr ████ ██████."


def test_surrogate_mode_requires_a_key(detector):
    with pytest.raises(KeyFileError):
        Pseudonymizer(None, "surrogate", detector=detector)


def test_key_files(tmp_path):
    with pytest.raises(KeyFileError, match="not found"):
        read_key_file(tmp_path / "missing.key")
    (tmp_path / "short.key").write_text("abc")
    with pytest.raises(KeyFileError, match="at least"):
        read_key_file(tmp_path / "short.key")
    p = write_key_file(tmp_path / "k.key")
    assert oct(p.stat().st_mode & 0o777) == "0o600" and len(read_key_file(p)) >= 32
    with pytest.raises(KeyFileError):
        write_key_file(p)


def test_reversible_vault_round_trip(tmp_path, detector, key):
    vault_path = tmp_path / "vault.bin"
    pz = Pseudonymizer(key, detector=detector, vault=Vault(vault_path, key))
    out = pz.pseudonymize(NOTE, PATIENT)
    raw = vault_path.read_bytes()
    assert b"DUPONT" not in raw and b"Marie" not in raw  # encrypted at rest
    again = Pseudonymizer(key, detector=detector, vault=Vault(vault_path, key))  # reopened from disk
    assert again.reidentify(out.text, scope=out.scope) == NOTE
    with pytest.raises(VaultError, match="wrong key"):
        Vault(vault_path, b"not-the-right-key-123456")


def test_stream_reidentifier_with_surrogates_split_across_chunks(pz):
    out = pz.pseudonymize(NOTE, PATIENT)
    for size in (1, 2, 3, 5, 7):
        sr = StreamReidentifier(out.mapping())
        chunks = [out.text[i:i + size] for i in range(0, len(out.text), size)]
        assert "".join(sr.feed(c) for c in chunks) + sr.flush() == NOTE


def test_empty_text_passes_through(pz):
    assert pz.pseudonymize("").text == ""


def test_no_surrogate_spells_an_original_of_the_scope(pz):
    from partages.deid.text import fold_key

    text = "Mme Marie DUPONT, sa fille Martine Dupont, le Dr Jean MARTIN et l'interne Paul Bernard."
    out = pz.pseudonymize(text, scope="reserved")
    originals = {fold_key(s.text) for s in out.spans}
    assert not {fold_key(s.replacement) for s in out.spans} & originals
