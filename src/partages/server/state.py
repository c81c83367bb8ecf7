"""What the gateway holds for its lifetime: settings, engine, keys, audit log, metrics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from partages.audit.log import AuditLog
from partages.auth.keys import KeyStore
from partages.config import Settings
from partages.engines.base import Engine
from partages.server.metrics import Metrics


@dataclass
class GatewayState:
    settings: Settings
    engine: Engine
    keys: KeyStore
    audit: AuditLog
    metrics: Metrics
    executor: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        # one thread per admitted request (each waits its turn on the engine lock)
        self.executor = ThreadPoolExecutor(max_workers=self.settings.max_queue + 8, thread_name_prefix="partages-engine")

    @property
    def model_id(self) -> str:
        return self.engine.info.id

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.engine.close()
        self.keys.close()
        self.audit.close()
