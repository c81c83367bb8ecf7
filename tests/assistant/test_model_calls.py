"""The model's prose step (opt-in), the PHI guard on the assistant's model calls, and stopping
the generation when the client disconnects: in-process on the real engine, and through real
gateways started with ``phi_guard`` = ``pseudonymize`` / ``block``."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from partages.assistant import GuardedEngine, ModelCallRefused, PhiPolicy, RequestCancelled
from partages.audit.log import AuditLog
from partages.engines.base import ChatMessage, SamplingParams
from tests.conftest import start_gateway, stop_gateway

STAY = [{"type": "compte-rendu d'hospitalisation", "date": "2025-05-12", "text":
         "Motif : chute chez Madame Odette Perrin, née le 21/11/1935.\n"
         "Conclusion : fracture du poignet gauche traitée orthopédiquement chez Madame Odette Perrin.\n"
         "Sortie le 12/05/2025 au domicile.\nTraitement de sortie :\n- Doliprane 1 g trois fois par jour si douleurs\n"}]


class Recorder:
    """Wraps the real engine and keeps what it was sent (to check the guard)."""

    def __init__(self, engine):
        self.engine, self.info, self.sent = engine, engine.info, []

    def stream_chat(self, messages, params):
        self.sent.extend(m.content for m in messages)
        return self.engine.stream_chat(messages, params)


def test_pseudonymize_in_process_on_the_real_engine(engine):
    rec = Recorder(engine)
    g = GuardedEngine(rec, PhiPolicy("pseudonymize"), patient={"nom": "Perrin", "prenom": "Odette"})
    msgs = [ChatMessage("user", "Recopie exactement : Madame Odette Perrin, née le 21/11/1935.")]
    out = g.chat(msgs, SamplingParams(max_tokens=24, temperature=0.0, seed=0))
    sent = " ".join(rec.sent)
    assert "Perrin" not in sent and "21/11/1935" not in sent  # the model saw surrogates only
    assert g.stats.replaced >= 2 and g.stats.calls == 1
    surrogates = {w.strip(",.") for w in rec.sent[-1].split()} - {w.strip(",.") for w in msgs[0].content.split()}
    assert surrogates and not any(w in out.text for w in surrogates if len(w) > 3)  # the answer came back re-identified
    with pytest.raises(ModelCallRefused, match="NOM|PRENOM"):
        GuardedEngine(rec, PhiPolicy("block")).chat(msgs, SamplingParams(max_tokens=4))
    stop = threading.Event()
    stop.set()
    with pytest.raises(RequestCancelled):
        GuardedEngine(rec, cancel=stop).chat([ChatMessage("user", "Bonjour")], SamplingParams(max_tokens=4))
    # cancelled in the middle of a generation: stops at the next token and frees the engine
    stop = threading.Event()
    it = GuardedEngine(rec, cancel=stop).stream_chat([ChatMessage("user", "Compte de 1 à 100.")], SamplingParams(max_tokens=200, temperature=0.0))
    next(it)
    stop.set()
    with pytest.raises(RequestCancelled):
        next(it)
    assert engine.chat([ChatMessage("user", "Bonjour")], SamplingParams(max_tokens=2)).completion_tokens <= 2


def _home_with_model(home, model_home):
    from partages.config import Settings
    from partages.models.registry import Registry

    entry = Registry(Settings(home=model_home)).get("gemma3-270m")
    Registry(Settings(home=home)).import_gguf(entry.path, "gemma3-270m", chat_template="gemma")
    return home


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, model_home):
    home = _home_with_model(tmp_path_factory.mktemp("assistant-phi"), model_home)
    key = home / "phi.key"  # a fixed test key: same surrogates, same prompt, same (greedy) answer on every run
    key.write_text("partages-assistant-test-key-not-secret-0001\n")
    key.chmod(0o600)
    gw = start_gateway(home, extra_env={"PARTAGES_PHI_GUARD": "pseudonymize", "PARTAGES_PHI_GUARD_KEY_FILE": str(key)}, roles=("clinician",))
    yield gw
    stop_gateway(gw)


def test_prose_is_off_by_default_and_says_so(guarded):
    r = httpx.post(f"{guarded.url}/assistant/discharge-letter", json={"documents": STAY}, headers=guarded.headers("clinician"), timeout=60)
    assert r.status_code == 200, r.text
    g = r.json()["generated_by"]
    assert g["model"] is None and g["prose"]["enabled"] is False and "assistant_prose" in g["prose"]["reason"]
    assert r.json()["letter"]["provenance"]["resume"]["source"] == "extraction"


def test_disconnect_stops_the_generation(guarded):
    body = {"documents": STAY, "prose": True}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{guarded.url}/assistant/discharge-letter", json=body, headers=guarded.headers("clinician"), timeout=0.5)
    deadline = time.time() + 90
    while time.time() < deadline and "client disconnected" not in guarded.log.read_text():
        time.sleep(0.5)
    assert "assistant request stopped: client disconnected" in guarded.log.read_text()
    log = AuditLog(guarded.home / "audit.db")
    cancelled = [e for e in log.entries() if isinstance(e["details"], dict) and e["details"].get("assistant", {}).get("action") == "cancelled"]
    log.close()
    assert cancelled


def test_prose_through_the_pseudonymising_gateway(guarded):
    """Opt-in prose on the explanation of a validated letter (the cheapest model call: 60 tokens);
    the letter's résumé goes through the same bounded step (``prose.write``)."""
    h = guarded.headers("clinician")
    r = httpx.post(f"{guarded.url}/assistant/discharge-letter", json={"documents": STAY}, headers=h, timeout=60)
    did = r.json()["id"]
    assert r.json()["letter"]["patient"]["nom"] == "Perrin"  # extraction is on-premise, not pseudonymised
    assert httpx.post(f"{guarded.url}/assistant/drafts/{did}/validate", headers=h, timeout=30).status_code == 200
    r = httpx.post(f"{guarded.url}/assistant/explain", json={"draft_id": did, "prose": True}, headers=h, timeout=300)
    assert r.status_code == 200, r.text
    d = r.json()
    g = d["generated_by"]
    assert g["model"] == "gemma3-270m" and g["prose"]["enabled"] is True and g["prose"]["model_calls"] == 1
    assert g["phi_guard"]["mode"] == "pseudonymize" and g["phi_guard"]["identifiers_replaced"] >= 1
    prov = d["explanation"]["provenance"]["introduction"]
    assert prov["source"] == "extraction" or prov["label"]  # the model's text is labelled, or rejected with a reason
    assert "Odette Perrin" in d["explanation"]["texte"]  # the validated content, re-identified where the model wrote


def test_block_refuses_model_calls_not_extraction(tmp_path, model_home):
    gw = start_gateway(_home_with_model(tmp_path, model_home), extra_env={"PARTAGES_PHI_GUARD": "block", "PARTAGES_ASSISTANT_PROSE": "true"}, roles=("clinician",))
    try:
        r = httpx.post(f"{gw.url}/assistant/discharge-letter", json={"documents": STAY}, headers=gw.headers("clinician"), timeout=120)
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["generated_by"]["phi_guard"]["model_calls_refused"] == 1 and d["generated_by"]["phi_guard"]["model_calls"] == 0
        prov = d["letter"]["provenance"]["resume"]
        assert prov["source"] == "extraction" and "phi_guard=block" in prov["note"]
        assert "Perrin" not in prov["note"]  # labels, never values
        assert [t["medicament"] for t in d["letter"]["traitements_sortie"]] == ["Doliprane"]
    finally:
        stop_gateway(gw)
