"""Drafts at rest: contents encrypted (Fernet, key file mode 600), edits validated against the
letter's schema (a JSON merge patch cannot silently delete a mandatory section)."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from partages.assistant import DraftInvalid, DraftKeyError, DraftStore

SECRET = "Mme Odette Perrin, confusion fébrile, pyélonéphrite à BLSE"


def _letter(**over):
    L = {"motif": SECRET, "resume": None, "evenements_indesirables": [], "bmr": True, "transfusion": None, "dispositifs_implantes": [],
         "traitements_sortie": [{"medicament": "Seresta", "posologie": "5 mg le soir", "evidence": []}], "traitements_arretes": [],
         "traitements_modifies": [], "resultats_en_attente": [], "suivi": [], "a_completer": ["Identité du patient"]}
    L.update(over)
    return {"letter": L}


def _raw_bytes(home):
    return b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith("assistant.db"))


def test_contents_are_encrypted_at_rest(tmp_path):
    store = DraftStore(tmp_path / "assistant.db")
    d = store.create("discharge_letter", _letter(), {"ai_generated": True})
    d, _ = store.edit(d.id, {"letter": {"resume": SECRET + " (résumé)"}}, "k1")
    assert store.get(d.id).content["letter"]["resume"].startswith(SECRET)
    key = tmp_path / "assistant.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    raw = _raw_bytes(tmp_path)
    for needle in (SECRET, "Perrin", "Seresta", "BLSE"):
        assert needle.encode() not in raw and needle.encode("utf-16-le") not in raw
    store.close()
    # same key: readable again; another key: a clear error, not a stack trace of JSON
    assert DraftStore(tmp_path / "assistant.db").get(d.id).content["letter"]["motif"] == SECRET
    other = tmp_path / "other.key"
    with pytest.raises(DraftKeyError, match="cannot be decrypted"):
        DraftStore(tmp_path / "assistant.db", key_file=other).get(d.id)
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


def test_clear_text_rows_of_an_older_version_are_encrypted_on_open(tmp_path):
    db = tmp_path / "assistant.db"
    DraftStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO drafts (id, kind, status, content, generated_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                 ("draft-old", "discharge_letter", "draft", json.dumps(_letter(), ensure_ascii=False), "{}", "t", "t"))
    conn.commit()
    conn.close()
    store = DraftStore(db)
    assert store.get("draft-old").content["letter"]["motif"] == SECRET
    assert b"Perrin" not in _raw_bytes(tmp_path)
    store.close()


def test_merge_patch_cannot_delete_a_mandatory_section(tmp_path):
    store = DraftStore(tmp_path / "assistant.db")
    d = store.create("discharge_letter", _letter(), {})
    with pytest.raises(DraftInvalid) as e:
        store.edit(d.id, {"letter": {"motif": None}}, "k1")
    assert e.value.param == "letter.motif" and "a_completer" in str(e.value) and e.value.status == 400
    with pytest.raises(DraftInvalid) as e:
        store.edit(d.id, {"letter": {"traitements_sortie": "Seresta"}}, "k1")
    assert e.value.param == "letter.traitements_sortie"
    assert store.get(d.id).revision == 0  # nothing stored
    # marking it missing is the way: an empty value listed in a_completer
    d, _ = store.edit(d.id, {"letter": {"motif": "", "a_completer": ["Identité du patient", "Motif d'hospitalisation"], "bmr": False}}, "k1")
    assert d.content["letter"]["motif"] == "" and d.revision == 1
    # the identity is mandatory too: deleting it needs it listed in a_completer
    d, _ = store.edit(d.id, {"letter": {"patient": {"nom": "Perrin"}, "a_completer": []}}, "k1")
    with pytest.raises(DraftInvalid) as e:
        store.edit(d.id, {"letter": {"patient": None}}, "k1")
    assert e.value.param == "letter.patient"
    d, _ = store.edit(d.id, {"letter": {"patient": None, "a_completer": ["Identité du patient"]}}, "k1")
    assert "patient" not in d.content["letter"]
    store.close()


def test_concurrent_edits_are_serialised(tmp_path: Path) -> None:
    """Worker threads share the store's connection: edits neither collide nor get lost."""
    from concurrent.futures import ThreadPoolExecutor

    store = DraftStore(tmp_path / "assistant.db")
    d = store.create("discharge_letter", _letter(), {"ai_generated": True})
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: store.edit(d.id, {"letter": {"resume": f"version {i}"}}, f"k{i}"), range(30)))
    final = store.get(d.id)
    assert final.revision == 30
    assert len([h for h in store.history(d.id) if h["action"] == "edit"]) == 30
