"""Knowledge routes through the real gateway (``partages serve``) with API keys."""

from __future__ import annotations

import httpx


def test_search_route(gateway_with_kb) -> None:
    gw = gateway_with_kb
    r = httpx.get(f"{gw.url}/knowledge/search", params={"q": "surdosage en paracétamol", "k": 3}, headers=gw.headers("clinician"), timeout=60)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data) == 3 and set(data[0]) == {"id", "source", "title", "snippet", "score", "licence", "version"}
    r = httpx.get(f"{gw.url}/knowledge/search", params={"q": "diabète type 2", "k": 2, "source": "cim10"}, headers=gw.headers("learner"), timeout=60)
    assert r.status_code == 200 and all(h["id"].startswith("cim10:") for h in r.json()["data"])
    assert httpx.get(f"{gw.url}/knowledge/search", params={"q": "x"}, timeout=30).status_code == 401
    r = httpx.get(f"{gw.url}/knowledge/search", params={"q": "x", "k": 0}, headers=gw.headers(), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["param"].endswith("k")


def test_drug_route(gateway_with_kb) -> None:
    gw = gateway_with_kb
    r = httpx.get(f"{gw.url}/drugs/60234100", headers=gw.headers("clinician"), timeout=60)
    assert r.status_code == 200
    d = r.json()
    assert d["id"] == "bdpm:cis:60234100" and d["denomination"] == "DOLIPRANE 1000 mg, comprimé"
    assert d["composition"][0]["substance"] == "PARACÉTAMOL" and d["presentations"] and d["has_smr"]
    assert d["licence"].startswith("Licence Ouverte") and d["version"] == "2023-11"
    assert httpx.get(f"{gw.url}/drugs/99999999", headers=gw.headers(), timeout=30).status_code == 404
    assert httpx.get(f"{gw.url}/drugs/abc", headers=gw.headers(), timeout=30).status_code == 400
    r = httpx.get(f"{gw.url}/drugs/lookup", params={"q": "kardegic 75mg"}, headers=gw.headers("integrator"), timeout=60)
    assert r.status_code == 200 and r.json()["matches"][0]["cis"] == "64755969"


def test_interactions_route(gateway_with_kb) -> None:
    gw = gateway_with_kb
    r = httpx.post(f"{gw.url}/drugs/interactions", json={"drugs": ["kardegic 75", "previscan 20 mg"]}, headers=gw.headers("clinician"), timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unresolved"] == []
    assert body["interactions"][0]["level"] == "contre-indication"
    assert set(body["interactions"][0]) == {"a", "b", "substances", "level", "mechanism", "conduct", "source"}
    r = httpx.post(f"{gw.url}/drugs/interactions", json={"drugs": ["doliprane", "amoxicilline"]}, headers=gw.headers(), timeout=60)
    assert r.json()["interactions"] == []
    r = httpx.post(f"{gw.url}/drugs/interactions", json={"drugs": ["doliprane"]}, headers=gw.headers(), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["param"] == "drugs"
    r = httpx.post(f"{gw.url}/drugs/interactions", json={"drugs": ["a", "b"], "foo": 1}, headers=gw.headers(), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_parameter"
