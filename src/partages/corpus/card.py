"""The data card: what a corpus contains and what was removed, as JSON and Markdown.

Written next to the shards (``data_card.json``, ``DATA_CARD.md``). Only counts and names: no
record text ever appears in a card.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from partages.corpus.base import PipelineStep
from partages.corpus.config import CorpusConfig
from partages.corpus.readers import Reader
from partages.corpus.writer import ParquetShardWriter


def write_card(cfg: CorpusConfig, out_dir: Path, steps: list[PipelineStep], writer: ParquetShardWriter, token_unit: str) -> dict[str, Any]:
    readers = [s for s in steps if isinstance(s, Reader)]
    stages = [s for s in steps if not isinstance(s, (Reader, ParquetShardWriter))]
    kept = writer.per_source
    card: dict[str, Any] = {
        "name": cfg.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config_fingerprint": cfg.fingerprint(),
        "allow_nc": cfg.allow_nc,
        "token_unit": token_unit,
        "totals": {"documents": int(writer.stats["documents"]), "tokens": int(writer.stats["tokens"]), "shards": len(writer.shards)},
        "sources": [
            {
                "name": r.source,
                "reader": r.name,
                "licence": r.licence,
                "record_licences": sorted(kept.get(r.source, {}).get("licences", [])),
                "read": int(r.stats["out"]),
                "bad_records": int(r.stats["bad_records"]),
                "errors": r.errors,
                "kept_documents": kept.get(r.source, {}).get("documents", 0),
                "kept_tokens": kept.get(r.source, {}).get("tokens", 0),
            }
            for r in readers
        ],
        "stages": [{"name": s.name, **s.stats.as_dict()} for s in stages],
        "shards": writer.shards,
        "resumed_records": writer.skip,  # records already in shards from an interrupted build
    }
    gate = next((s for s in stages if s.name == "gate"), None)
    if gate is not None:
        card["gate"] = {"detector": getattr(gate, "detector_name", "?"), "scope": getattr(gate, "scope", "?"),
                        "ignore_labels": sorted(getattr(gate, "ignore", [])), **gate.stats.as_dict()}
    (out_dir / "data_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "DATA_CARD.md").write_text(render_markdown(card), encoding="utf-8")
    return card


def render_markdown(card: dict[str, Any]) -> str:
    lines = [
        f"# Data card: {card['name']}",
        "",
        f"Built {card['created']} (config {card['config_fingerprint']}). Non-commercial sources allowed: {card['allow_nc']}.",
        f"Total: **{card['totals']['documents']} documents**, **{card['totals']['tokens']} tokens** ({card['token_unit']}), {card['totals']['shards']} shard(s).",
        "",
        "## Sources",
        "",
        "| source | licence | read | bad records | kept documents | kept tokens |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for s in card["sources"]:
        lic = ", ".join(s["record_licences"]) or s["licence"]
        lines.append(f"| {s['name']} | {lic} | {s['read']} | {s['bad_records']} | {s['kept_documents']} | {s['kept_tokens']} |")
    lines += ["", "## Stages", "", "| stage | counters |", "|---|---|"]
    for st in card["stages"]:
        counters = ", ".join(f"{k}={v}" for k, v in st.items() if k != "name")
        lines.append(f"| {st['name']} | {counters} |")
    if "gate" in card:
        g = card["gate"]
        lines += ["", "## Pseudonymisation gate", "",
                  f"Detector `{g['detector']}`, scope {g['scope']}; records checked: {g.get('checked', 0)}, "
                  f"rejected: {g.get('dropped_identifier', 0)}."]
    errors = [e for s in card["sources"] for e in s["errors"]]
    if errors:
        lines += ["", "## Bad records (first ones)", ""] + [f"- `{e}`" for e in errors]
    lines += ["", "Pseudonymised clinical text is still personal data (GDPR): this corpus is *pseudonymisé*, not anonymous.", ""]
    return "\n".join(lines)
