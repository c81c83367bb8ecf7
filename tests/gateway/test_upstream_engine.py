"""The `openai` engine: a second real gateway uses the first one as its upstream."""

from __future__ import annotations

import httpx
import pytest

from partages.engines.base import ChatMessage, SamplingParams, ScoreRequest
from partages.engines.openai_upstream import OpenAIUpstreamEngine
from tests.conftest import start_gateway, stop_gateway

MODEL = "gemma3-270m"
MSG = [{"role": "user", "content": "Quels examens pour une anémie ?"}]


@pytest.fixture(scope="module")
def front(gateway, tmp_path_factory):
    gw = start_gateway(
        tmp_path_factory.mktemp("front"),
        extra_env={"PARTAGES_UPSTREAM_API_KEY": gateway.keys["integrator"]},
        args=["--upstream", gateway.url],
    )
    yield gw
    stop_gateway(gw)


def test_front_lists_upstream_model(front):
    assert [m.id for m in front.client("clinician").models.list().data] == [MODEL]


def test_chat_through_upstream_matches_direct(gateway, front):
    kw = dict(model=MODEL, messages=MSG, max_tokens=30, temperature=0, seed=3)
    direct = gateway.client("clinician").chat.completions.create(**kw).choices[0].message.content
    proxied = front.client("clinician").chat.completions.create(**kw)
    assert proxied.choices[0].message.content == direct
    assert proxied.usage.completion_tokens > 0
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in front.client("clinician").chat.completions.create(stream=True, **kw)
        if c.choices
    )
    assert streamed == direct


def test_upstream_errors_keep_their_meaning(front):
    r = httpx.post(front.url + "/chat/completions", headers=front.headers("clinician"), json={"model": MODEL, "messages": MSG, "max_tokens": 100000}, timeout=60)
    assert r.status_code == 400 and r.json()["error"]["code"] == "context_length_exceeded"


def test_upstream_engine_scores_like_the_local_engine(gateway, engine):
    up = OpenAIUpstreamEngine.discover(gateway.url, api_key=gateway.keys["integrator"])
    reqs = [ScoreRequest("Le paracétamol est un", " antalgique"), ScoreRequest("Le paracétamol est un", " antibiotique")]
    remote = up.score(reqs)
    local = engine.score(reqs)
    for r, l in zip(remote, local):
        assert r.n_tokens == l.n_tokens
        assert r.logprob == pytest.approx(l.logprob, abs=1e-3)
    comp = up.chat([ChatMessage("user", "Bonjour")], SamplingParams(max_tokens=5, temperature=0))
    assert comp.completion_tokens == 5 and comp.finish_reason == "length"
    up.close()
