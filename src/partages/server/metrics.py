"""Prometheus metrics: requests, latency, tokens, queue depth. No request content, ever."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "partages_requests", "HTTP requests handled", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "partages_request_latency_seconds",
            "Request latency (until the last byte)",
            ["route"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.tokens = Counter("partages_tokens", "Tokens processed", ["kind"], registry=self.registry)
        self.queue = Gauge("partages_queue_depth", "Requests admitted by the engine (running + waiting)", registry=self.registry)
        self.queue.set_function(lambda: float(queue_depth()))

    def observe(self, route: str, status: int, seconds: float, tokens_in: int | None, tokens_out: int | None) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        if tokens_in:
            self.tokens.labels("prompt").inc(tokens_in)
        if tokens_out:
            self.tokens.labels("completion").inc(tokens_out)

    def render(self) -> bytes:
        return generate_latest(self.registry)
