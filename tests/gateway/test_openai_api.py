"""The OpenAI-compatible gateway, driven by the official `openai` client against a real server
running the real embedded model."""

from __future__ import annotations

import json

import httpx
import jsonschema
import openai
import pytest

MODEL = "gemma3-270m"
MSG = [{"role": "user", "content": "Citez trois antalgiques courants."}]


def test_models_list(gateway):
    models = gateway.client("clinician").models.list()
    assert [m.id for m in models.data] == [MODEL]
    assert models.data[0].model_extra["context_length"] == 32768


def test_chat_completion(gateway):
    r = gateway.client("clinician").chat.completions.create(model=MODEL, messages=MSG, max_tokens=24, temperature=0, seed=1)
    choice = r.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content.strip()
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.prompt_tokens > 5
    assert 0 < r.usage.completion_tokens <= 24
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert r.model == MODEL and r.object == "chat.completion"


def test_stream_joins_to_non_streamed_text(gateway):
    client = gateway.client("clinician")
    kw = dict(model=MODEL, messages=MSG, max_tokens=40, temperature=0, seed=7)
    full = client.chat.completions.create(**kw)
    deltas, finishes, usage = [], [], None
    for chunk in client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw):
        assert chunk.object == "chat.completion.chunk"
        if chunk.usage:
            usage = chunk.usage
        for c in chunk.choices:
            if c.delta.content:
                deltas.append(c.delta.content)
            if c.finish_reason:
                finishes.append(c.finish_reason)
    assert len(deltas) > 3  # really streamed, not one blob
    assert "".join(deltas) == full.choices[0].message.content
    assert finishes == [full.choices[0].finish_reason]
    assert usage.completion_tokens == full.usage.completion_tokens


def test_sampling_is_reproducible_with_seed(gateway):
    client = gateway.client("clinician")
    kw = dict(model=MODEL, messages=MSG, max_tokens=20, temperature=0.9, seed=1234)
    a = client.chat.completions.create(**kw).choices[0].message.content
    b = client.chat.completions.create(**kw).choices[0].message.content
    assert a == b


def test_stop_sequence_cuts_output(gateway):
    client = gateway.client("integrator")
    base = client.completions.create(model=MODEL, prompt="1, 2, 3, 4,", max_tokens=12, temperature=0)
    assert " 6" in base.choices[0].text  # the model counts on
    cut = client.completions.create(model=MODEL, prompt="1, 2, 3, 4,", max_tokens=12, temperature=0, stop=[" 6"])
    assert cut.choices[0].finish_reason == "stop"
    assert cut.choices[0].text == base.choices[0].text.split(" 6")[0]


SCHEMA = {
    "type": "object",
    "properties": {
        "medicament": {"type": "string", "maxLength": 40},
        "dose_mg": {"type": "integer", "minimum": 0, "maximum": 5000},
        "voie": {"type": "string", "enum": ["orale", "IV", "SC"]},
    },
    "required": ["medicament", "dose_mg", "voie"],
    "additionalProperties": False,
}


def test_json_schema_output_validates(gateway):
    r = gateway.client("clinician").chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Paracétamol 1 g par voie orale. Réponds en JSON."}],
        max_tokens=80,
        temperature=0,
        response_format={"type": "json_schema", "json_schema": {"name": "prescription", "schema": SCHEMA}},
    )
    data = json.loads(r.choices[0].message.content)
    jsonschema.validate(data, SCHEMA)


def test_json_object_output_parses(gateway):
    r = gateway.client("clinician").chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": '{"a": 1}'}], max_tokens=60, temperature=0, response_format={"type": "json_object"}
    )
    assert r.choices[0].finish_reason == "stop"  # the grammar let the model close the object
    assert json.loads(r.choices[0].message.content) == {"a": 1}


def test_completions_echo_logprobs_match_engine_scores(gateway, engine):
    from partages.engines.base import ScoreRequest

    ctx, cont = "La capitale de la France est", " Paris"
    r = gateway.client("integrator").completions.create(
        model=MODEL, prompt=ctx + cont, max_tokens=0, echo=True, logprobs=1, temperature=0
    )
    lp = r.choices[0].logprobs
    assert r.choices[0].text == ctx + cont
    assert lp.token_logprobs[0] is None and all(x is not None for x in lp.token_logprobs[1:])
    assert len(lp.tokens) == len(lp.text_offset) == len(lp.top_logprobs)
    cont_lp = sum(l for l, off in zip(lp.token_logprobs, lp.text_offset) if off >= len(ctx))
    expected = engine.score([ScoreRequest(ctx, cont)])[0].logprob
    assert cont_lp == pytest.approx(expected, abs=1e-3)
    # the top alternative's logprob is >= the chosen token's
    for chosen, top in zip(lp.token_logprobs[1:], lp.top_logprobs[1:]):
        assert max(top.values()) >= chosen - 1e-5


def test_completions_batch_of_prompts_and_token_ids(gateway):
    client = gateway.client("integrator")
    r = client.completions.create(model=MODEL, prompt=["Bonjour", "Au revoir"], max_tokens=3, temperature=0)
    assert [c.index for c in r.choices] == [0, 1]
    single = client.completions.create(model=MODEL, prompt="Bonjour", max_tokens=3, temperature=0)
    assert r.choices[0].text == single.choices[0].text
    ids = client.completions.create(model=MODEL, prompt=[2, 26042], max_tokens=3, temperature=0)
    assert ids.usage.prompt_tokens == 2


def test_healthz_and_metrics(gateway):
    assert httpx.get(gateway.root + "/healthz").json()["status"] == "ok"
    text = httpx.get(gateway.root + "/metrics").text
    assert 'partages_requests_total{route="/v1/chat/completions",status="200"}' in text
    assert "partages_tokens_total" in text and "partages_queue_depth" in text
    assert "Citez" not in text  # no request content in metrics


# --- errors -----------------------------------------------------------------------------
def _post(gateway, path, role="clinician", headers=None, **kw):
    return httpx.post(gateway.url + path, headers={**gateway.headers(role), **(headers or {})}, timeout=60, **kw)


def _assert_error_shape(resp, status, code=None):
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["message"]
    if code:
        assert err["code"] == code
    return err


def test_malformed_json_is_400(gateway):
    r = _post(gateway, "/chat/completions", content=b'{"model": "gemma3-270m", "messages": [', headers={"content-type": "application/json"})
    _assert_error_shape(r, 400, "invalid_json")


def test_missing_and_invalid_fields_are_400(gateway):
    err = _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL}), 400, "missing_required_parameter")
    assert err["param"] == "messages"
    err = _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL, "messages": MSG, "temperature": 7}), 400)
    assert err["param"] == "temperature"
    err = _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL, "messages": MSG, "frobnicate": 1}), 400)
    assert err["param"] == "frobnicate"


def test_unknown_model_is_404(gateway):
    with pytest.raises(openai.NotFoundError) as exc:
        gateway.client("clinician").chat.completions.create(model="gpt-17", messages=MSG)
    assert exc.value.body["code"] == "model_not_found"


def test_prompt_over_context_is_400(gateway):
    long = "patient " * 3000  # > 2048-token context of the test gateway
    err = _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL, "messages": [{"role": "user", "content": long}]}), 400, "context_length_exceeded")
    assert "patient" not in err["message"]  # never echo the prompt
    _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL, "messages": MSG, "max_tokens": 5000}), 400, "context_length_exceeded")


def test_body_over_limit_is_413(gateway):
    body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "x" * 1_100_000}]})
    _assert_error_shape(_post(gateway, "/chat/completions", content=body, headers={"content-type": "application/json"}), 413, "request_too_large")


@pytest.mark.parametrize(
    "extra, param",
    [({"n": 2}, "n"), ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"), ({"presence_penalty": 0.5}, "presence_penalty"), ({"logit_bias": {"1": 5}}, "logit_bias")],
)
def test_unsupported_options_are_400_naming_them(gateway, extra, param):
    err = _assert_error_shape(_post(gateway, "/chat/completions", json={"model": MODEL, "messages": MSG, **extra}), 400, "unsupported_parameter")
    assert err["param"] == param and param in err["message"]


def test_invalid_json_schema_is_400(gateway):
    bad = {"type": "object", "properties": {"a": {"type": "integre"}}}
    r = _post(gateway, "/chat/completions", json={"model": MODEL, "messages": MSG, "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": bad}}})
    _assert_error_shape(r, 400, "invalid_json_schema")


def test_unknown_route_is_404_in_openai_shape(gateway):
    r = httpx.get(gateway.url + "/nothing-here", headers=gateway.headers())
    _assert_error_shape(r, 404)


# --- auth ---------------------------------------------------------------------------------
def test_missing_or_bad_key_is_401(gateway):
    r = httpx.get(gateway.url + "/models")
    _assert_error_shape(r, 401, "invalid_api_key")
    from openai import OpenAI

    with pytest.raises(openai.AuthenticationError):
        OpenAI(base_url=gateway.url, api_key="pk-000000000000-nope", max_retries=0).models.list()


def test_role_not_allowed_is_403(gateway):
    with pytest.raises(openai.PermissionDeniedError):
        gateway.client("clinician").completions.create(model=MODEL, prompt="x", max_tokens=1)
    r = httpx.get(gateway.url + "/admin/audit/verify", headers=gateway.headers("clinician"))
    _assert_error_shape(r, 403, "permission_denied")
    r = httpx.get(gateway.url + "/admin/audit/verify", headers=gateway.headers("admin"))
    assert r.status_code == 200 and r.json()["ok"] is True
