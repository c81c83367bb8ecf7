"""IPP policy: should an unlabelled long number (6-12 digits, not a phone/date/NIR) be redacted?

    .venv/bin/python benchmarks/deid_ipp_policy.py

Scores dev and dev2 with the shipped policy (``IdPatterns.bare_label = "IPP"``: redact it) and
without (``None``). The EDS-Pseudo gold leaves many such numbers unlabelled (form grids), so
redacting them costs precision; not redacting them leaves the record numbers the gold *does*
label visible. For a pseudonymiser a leak is worse than an over-redaction (a hidden lab value
is a lost number, a visible record number re-identifies a patient), so the policy is chosen on
recall first. Writes ``benchmarks/results/deid_ipp_policy.json``. Development splits only.
"""

from __future__ import annotations

import json
from pathlib import Path


def main() -> None:
    from partages.config import get_settings
    from partages.deid import evaluate
    from partages.deid.detector import Detector, DetectorConfig
    from partages.deid.eval_data import build_gold
    from partages.deid.numbers import IdPatterns

    dd = Path(get_settings().data_dir)
    rows = []
    for split in ("dev", "dev2"):
        docs = build_gold(dd, split, 200)
        for bare in ("IPP", None):
            p = IdPatterns.from_settings()
            p.bare_label = bare
            r = evaluate(docs, Detector(DetectorConfig(data_dir=dd, id_patterns=p)).detect)
            rows.append({"split": split, "unlabelled_long_numbers": "redacted (IPP)" if bare else "left visible",
                         **{k: getattr(r, k) for k in ("redact_recall", "redact_precision", "docs_nothing_missed", "leaks", "gold_tokens", "predicted_tokens")}})
    print(f"{'split':6} {'unlabelled long numbers':24} {'recall':>7} {'precision':>9} {'docs nothing missed':>20}")
    for r in rows:
        print(f"{r['split']:6} {r['unlabelled_long_numbers']:24} {r['redact_recall']:7.4f} {r['redact_precision']:9.4f} {r['docs_nothing_missed']:20.3f}")
    out = Path(__file__).parent / "results" / "deid_ipp_policy.json"
    out.write_text(json.dumps({"note": "partages deid eval metrics on dev/dev2 (200 synthetic notes + hand-written dev notes), IPP bare-number policy on/off",
                               "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
