"""The gateway PHI guard through the real server (`partages serve` + the embedded model +
the official openai client): pseudonymise before the engine, re-identify for the caller,
keep only pseudonymised text in the audit store; `block` refuses with an OpenAI-shaped 400."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openai
import pytest

from partages.audit.log import AuditLog
from partages.config import Settings
from partages.models.registry import Registry
from tests.conftest import MODEL_ID, start_gateway, stop_gateway

pytestmark = pytest.mark.slow

ORIGINALS = ["DUPONT", "Marie", "12/03/1954", "06 12 34 56 78", "MARTIN", "8012939402"]
PROMPT = ("Recopie exactement cette ligne : Mme Marie DUPONT, née le 12/03/1954, IPP 8012939402, "
          "tél 06 12 34 56 78, suivie par le Dr Jean MARTIN.")


def _home(tmp_path_factory, model_home: Path, name: str) -> Path:
    home = tmp_path_factory.mktemp(name)
    entry = Registry(Settings(home=model_home)).get(MODEL_ID)
    Registry(Settings(home=home)).import_gguf(Path(entry.path), MODEL_ID, licence=entry.licence, chat_template=entry.chat_template)
    return home


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, model_home):
    home = _home(tmp_path_factory, model_home, "phi-guard")
    gw = start_gateway(home, extra_env={"PARTAGES_PHI_GUARD": "pseudonymize", "PARTAGES_AUDIT_STORE_TEXT": "true"})
    yield gw
    stop_gateway(gw)


@pytest.fixture(scope="module")
def blocking(tmp_path_factory, model_home):
    home = _home(tmp_path_factory, model_home, "phi-block")
    gw = start_gateway(home, extra_env={"PARTAGES_PHI_GUARD": "block", "PARTAGES_AUDIT_STORE_TEXT": "true"})
    yield gw
    stop_gateway(gw)


def _last_chat_entry(home: Path) -> dict:
    log = AuditLog(home / "audit.db", store_text=True)
    try:
        entries = [e for e in log.entries() if "chat" in (e.get("route") or "")]
    finally:
        log.close()
    return entries[-1]


def _surrogate_words(original: str, pseudonymised: str) -> set[str]:
    before = set(re.findall(r"\w+", original))
    return {w for w in re.findall(r"\w+", pseudonymised) if w not in before and len(w) > 2}


def _check_audit_and_answer(home: Path, answer: str) -> None:
    entry = _last_chat_entry(home)
    req, resp = entry["request_text"], entry["response_text"]
    assert req and resp
    for original in ORIGINALS:
        assert original not in req, "the audit store saw an original identifier"
        assert original not in resp
    sent = json.loads(req)["messages"][-1]["content"]
    surrogates = _surrogate_words(PROMPT, sent)
    assert len(surrogates) >= 4  # names, dates, phone, IPP were replaced before the engine
    engine_answer = json.loads(resp)["choices"][0]["message"]["content"]
    leaked = {w for w in surrogates if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", answer)}
    # every surrogate the engine wrote came back re-identified for the caller
    assert not leaked, f"surrogates not re-identified: {leaked}"
    details = json.loads(entry["details"]) if isinstance(entry["details"], str) else entry["details"]
    assert details["phi_guard"]["status"] == "pseudonymisé"
    if surrogates & set(re.findall(r"\w+", engine_answer)):
        assert any(o in answer for o in ORIGINALS)


def test_pseudonymize_non_streaming(guarded):
    r = guarded.client("clinician").chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": PROMPT}], max_tokens=48, temperature=0)
    _check_audit_and_answer(guarded.home, r.choices[0].message.content)


def test_pseudonymize_streaming(guarded):
    stream = guarded.client("clinician").chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": PROMPT}], max_tokens=48, temperature=0, stream=True)
    answer = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    _check_audit_and_answer(guarded.home, answer)


def test_block_refuses_phi_without_naming_it(blocking):
    client = blocking.client("clinician")
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": PROMPT}], max_tokens=8)
    err = exc.value.body
    assert exc.value.status_code == 400 and err["code"] == "phi_detected" and err["type"] == "invalid_request_error"
    for original in ORIGINALS:
        assert original not in err["message"]
    assert "NOM" in err["message"]
    ok = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "Quels sont les effets indésirables du paracétamol ?"}], max_tokens=8)
    assert ok.choices[0].message.content is not None
