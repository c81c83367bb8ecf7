"""What may cross the hospital boundary, and how much of it did.

A client's reply may hold only ``ArrayRecord`` (adapter tensors) and ``MetricRecord``
(numbers); :func:`check_reply` refuses anything else (a ``ConfigRecord`` could carry strings)
before it is sent. Sizes are Flower's own ``count_bytes()`` per record, the numbers its
``message_size_mod`` logs.
"""

from __future__ import annotations

from typing import Any

from partages.federated.errors import FederatedError


def message_bytes(msg: Any) -> int:
    """Payload bytes of a Flower message (0 for an error reply)."""
    if msg.has_error():
        return 0
    return int(sum(_record_bytes(record) for record in msg.content.values()))


def _record_bytes(record: Any) -> int:
    try:
        return record.count_bytes()
    except IndexError:  # Flower 1.42's ConfigRecord.count_bytes fails on an empty list (SecAgg+ sends some)
        total = 0
        for key, value in record.items():
            values = value if isinstance(value, list) else [value]
            total += len(key) + sum(len(v) if isinstance(v, (bytes, str)) else 8 for v in values)
        return total


def check_reply(content: Any) -> None:
    """Only arrays and numbers leave a hospital."""
    from flwr.app import ArrayRecord, MetricRecord

    for name, record in content.items():
        if not isinstance(record, (ArrayRecord, MetricRecord)):
            raise FederatedError(f"refusing to send record '{name}' ({type(record).__name__}): only arrays and numbers may leave a client")
        if isinstance(record, MetricRecord):
            for key, value in record.items():
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                    raise FederatedError(f"refusing to send metric '{key}': not a number")
