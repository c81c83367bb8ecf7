"""Corpus stages on small inputs written by the tests: bad lines, duplicates, contaminated
items, identifiers that must trip the pseudonymisation gate, licences, FHIR attachments."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from partages.corpus import (
    BadRecord,
    CorpusError,
    Decontaminate,
    Document,
    FhirReader,
    JsonlReader,
    LanguageFilter,
    LicenceFilter,
    MinHashDedup,
    Normalise,
    ParquetReader,
    PseudonymisationGate,
    QualityFilter,
    TextFolderReader,
    rule_detector,
    run_pipeline,
)
from partages.corpus.decontaminate import deid_eval_items, frenchmedmcqa_items

NOTE = "Le patient a été hospitalisé pour une pneumopathie communautaire traitée par amoxicilline pendant dix jours."


def doc(text: str, i: int = 0, **kw) -> Document:
    return Document(id=f"t:{i}", text=text, source="test", licence="CC BY 4.0", **kw)


def test_jsonl_reader_counts_bad_lines_with_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "notes.jsonl"
    f.write_text(
        json.dumps({"id": "a", "text": NOTE}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "b"}) + "\n"
        + "\n"
        + json.dumps({"id": "c", "text": NOTE + " Suite.", "licence": "CC BY-NC 4.0"}) + "\n",
        encoding="utf-8",
    )
    r = JsonlReader(f, "notes", "CC BY 4.0")
    docs = list(r.run())
    assert [d.id for d in docs] == ["notes:a", "notes:c"]
    assert docs[1].licence == "CC BY-NC 4.0"  # per-record licence is kept as published
    assert r.stats["bad_records"] == 2
    assert r.errors[0] == f"{f}:2: invalid JSON (Expecting property name enclosed in double quotes)"
    assert r.errors[1].startswith(f"{f}:3: missing or empty 'text'")
    assert NOTE not in " ".join(r.errors)  # never content in errors
    with pytest.raises(BadRecord, match=r"notes.jsonl:2"):
        list(JsonlReader(f, "notes", "CC BY 4.0", strict=True).run())


def test_reader_without_licence_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n")
    with pytest.raises(CorpusError, match="no licence"):
        JsonlReader(tmp_path / "a.jsonl", "x", "")


def test_parquet_and_txt_readers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["1", "2"], "text": [NOTE, ""]}), tmp_path / "d.parquet")
    r = ParquetReader(tmp_path / "d.parquet", "pq", "CC0")
    assert [d.text for d in r.run()] == [NOTE]
    assert r.stats["bad_records"] == 1 and "d.parquet:2" in r.errors[0]
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "cr1.txt").write_text(NOTE, encoding="utf-8")
    (folder / "cr2.txt").write_bytes(b"\xff\xfe bad")
    t = TextFolderReader(folder, "cr", "internal")
    assert [d.id for d in t.run()] == ["cr:cr1"]
    assert t.errors == [f"{folder / 'cr2.txt'}: not UTF-8 (byte 0)"]


def test_fhir_bundle_document_reference_base64(tmp_path: Path) -> None:
    def docref(i: str, text: str, ctype: str = "text/plain") -> dict:
        return {
            "resourceType": "DocumentReference", "id": i, "status": "current",
            "subject": {"reference": "Patient/p1"},
            "content": [{"attachment": {"contentType": ctype, "data": base64.b64encode(text.encode()).decode()}}],
        }

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": docref("d1", NOTE)},
        {"resource": {"resourceType": "Patient", "id": "p1"}},
        {"resource": docref("d2", "%PDF", "application/pdf")},
        {"resource": {**docref("d3", ""), "content": [{"attachment": {"contentType": "text/plain", "data": "@@notbase64@@"}}]}},
    ]}
    (tmp_path / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    r = FhirReader(tmp_path / "bundle.json", "ehr", "internal (pseudonymised)")
    docs = list(r.run())
    assert [(d.id, d.text, d.metadata["patient_ref"], d.metadata["clinical"]) for d in docs] == [("ehr:d1", NOTE, "Patient/p1", True)]
    assert r.stats["skipped_other_resources"] == 1
    assert r.stats["skipped_non_text_attachments"] == 1
    assert r.stats["bad_records"] == 1 and "DocumentReference d3" in r.errors[0]


def test_normalise_language_quality() -> None:
    docs = [
        doc("  Le   patient\u00a0présente une toux\r\n\r\n\r\n\r\nfébrile depuis trois jours.\x07 ", 0),
        doc("The patient has had a fever and a productive cough for three days.", 1),
        doc("ok", 2),
        doc("toux # fièvre | dyspnée < douleur > asthénie { nausée }", 3),
    ]
    steps = [Normalise(), QualityFilter(min_words=3), LanguageFilter(("fr",))]
    out = list(run_pipeline(steps, docs))
    assert [d.id for d in out] == ["t:0"]
    assert out[0].text == "Le patient présente une toux\n\nfébrile depuis trois jours."
    assert steps[2].stats["dropped_language"] == 1
    assert steps[1].stats["dropped_too_short"] == 1
    assert steps[1].stats["dropped_symbols"] == 1


def test_licence_filter_keeps_nc_out_unless_allowed() -> None:
    docs = [doc(NOTE, 0), Document(id="nc", text=NOTE, source="e3c", licence="CC BY-NC 4.0"),
            Document(id="nd", text=NOTE, source="atc", licence="CC BY-ND")]
    f = LicenceFilter(allow_nc=False)
    assert [d.id for d in f.run(docs)] == ["t:0"]
    assert f.stats["dropped_non_commercial"] == 2
    assert len(list(LicenceFilter(allow_nc=True).run(docs))) == 3


def test_minhash_dedup_drops_near_duplicates_keeps_first() -> None:
    base = NOTE + " Le scanner thoracique montre une condensation lobaire inférieure droite sans épanchement."
    near = base.replace("dix jours", "dix  jours").replace("droite", "droite,")  # same words
    other = "La patiente consulte pour des céphalées inhabituelles, sans fièvre ni raideur de nuque, depuis la veille au soir."
    dd = MinHashDedup(threshold=0.8)
    out = list(dd.run([doc(base, 0), doc(near, 1), doc(other, 2), doc(base, 3)]))
    assert [d.id for d in out] == ["t:0", "t:2"]
    assert dd.stats["dropped_near_duplicate"] == 2


def test_decontamination_against_frenchmedmcqa_dev_test(settings) -> None:
    items = list(frenchmedmcqa_items(settings.data_dir))
    dc = Decontaminate(items)
    test_q = json.loads((settings.data_dir / "frenchmedmcqa" / "test.json").read_text(encoding="utf-8"))[7]
    leaked = "Révision : " + test_q["question"] + " " + " ".join(test_q["answers"].values())
    boiler = "Parmi les propositions suivantes, une seule est exacte. Laquelle ? La pénicilline G est un antibiotique bactéricide."
    out = list(dc.run([doc(leaked, 0), doc(NOTE, 1), doc(boiler, 2)]))
    assert [d.id for d in out] == ["t:1", "t:2"]  # shared exam boilerplate is not leakage
    assert dc.stats["contaminated_frenchmedmcqa/test"] == 1
    assert dc.stats["eval_items_indexed"] > 900  # 312 dev + 622 test questions


def test_decontamination_covers_the_deid_evaluation_notes() -> None:
    notes = list(deid_eval_items())
    assert len(notes) > 10 and all("](" not in t and "{{" not in t for _, t in notes)
    dc = Decontaminate(notes)
    kept = list(dc.run([doc(notes[3][1], 0), doc(NOTE, 1)]))
    assert [d.id for d in kept] == ["t:1"] and dc.stats["contaminated_deid/tricky_notes"] == 1


def test_gate_rejects_identifiers_with_real_deid_detector() -> None:
    from partages.deid import detect

    clean = doc(NOTE, 0, metadata={"clinical": True})
    leaky = doc("Mme Jeanne Martin, née le 12/03/1950, tél. 06 12 34 56 78. " + NOTE, 1, metadata={"clinical": True})
    public = doc("Le doliprane est commercialisé par Sanofi.", 2)  # not clinical: not checked in scope=clinical
    gate = PseudonymisationGate()  # default detector: partages.deid.detect
    assert gate.detect is detect
    out = list(gate.run([clean, leaky, public]))
    assert [d.id for d in out] == ["t:0", "t:2"]
    assert gate.stats["checked"] == 2
    assert gate.stats["dropped_identifier"] == 1
    assert gate.stats["rejected_label_TEL"] == 1


def test_gate_stand_in_rules_and_custom_detector() -> None:
    nir = "1 84 12 76 451 089 46"  # valid key: 97 - (1841276451089 mod 97) = 46
    bad_key = "1 84 12 76 451 089 47"
    gate = PseudonymisationGate(rule_detector, scope="all")
    out = list(gate.run([doc(f"NIR {nir}. " + NOTE, 0), doc(f"Réf {bad_key}. " + NOTE, 1), doc("Écrire à x.y@chu.fr " + NOTE, 2)]))
    assert [d.id for d in out] == ["t:1"]
    assert gate.stats["rejected_label_SECU"] == 1 and gate.stats["rejected_label_MAIL"] == 1
    seen = []
    custom = PseudonymisationGate(lambda text, patient=None: seen.append(text) or [], scope="all")
    assert len(list(custom.run([doc(NOTE, 0)]))) == 1 and seen == [NOTE]
    with pytest.raises(CorpusError, match="scope"):
        PseudonymisationGate(rule_detector, scope="some")


def test_missing_optional_dependency_fails_at_construction_with_pip_command() -> None:
    from partages.corpus import MissingDependency, PipelineStep

    class NeedsSomething(PipelineStep):
        requires = (("partages_not_installed_xyz", "partages-not-installed-xyz"),)

    with pytest.raises(MissingDependency, match=r"pip install 'partages-not-installed-xyz'"):
        NeedsSomething()


def test_readers_shard_by_rank(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_text("".join(json.dumps({"id": str(i), "text": f"{NOTE} {i}"}) + "\n" for i in range(5)), encoding="utf-8")
    ranks = [[d.id for d in JsonlReader(f, "d", "CC0").run(rank=r, world_size=2)] for r in (0, 1)]
    assert ranks == [["d:0", "d:2", "d:4"], ["d:1", "d:3"]]
