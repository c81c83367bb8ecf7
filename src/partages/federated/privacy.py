"""Differential privacy options: Flower's client-side fixed clipping (``fixedclipping_mod`` on
every client, ``DifferentialPrivacyClientSideFixedClipping`` on the server, which adds
Gaussian noise to the average) and Flower's own RDP accountant (``flwr.serverapp.RdpAccountant``,
Google's ``dp-accounting`` underneath) for the budget.

Accounting model: client-level DP, add-or-remove-one neighbouring relation, no sampling
amplification (every round's clients are taken as fixed, which is the conservative choice
when a few hospitals all take part), uniform weights (Flower's accountant requires it, so
under DP every client weighs 1 instead of its example count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partages.federated.errors import FederatedError


@dataclass(frozen=True)
class DPOptions:
    noise_multiplier: float
    clipping_norm: float
    target_delta: float = 1e-5
    population: int = 3


def make_accountant(dp: DPOptions) -> Any:
    try:
        from flwr.serverapp import NeighboringRelation, PrivacyConfig, RdpAccountant, SamplingMethod
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise FederatedError("privacy accounting needs dp-accounting: pip install 'partages[federated]'") from exc
    cfg = PrivacyConfig(target_delta=dp.target_delta, population_size=dp.population,
                        neighboring_relation=NeighboringRelation.ADD_OR_REMOVE_ONE,
                        sampling_method=SamplingMethod.NO_AMPLIFICATION)
    try:
        return RdpAccountant(cfg)
    except ImportError as exc:
        raise FederatedError("privacy accounting needs dp-accounting: pip install 'partages[federated]'") from exc


def wrap_strategy(strategy: Any, dp: DPOptions, num_sampled_clients: int, mixin: type | None = None) -> tuple[Any, Any]:
    """Flower's client-side fixed-clipping DP around ``strategy`` (a plain FedAvg: Flower's
    accounting refuses any other ``aggregate_train``), plus its accountant. ``mixin`` adds
    behaviour to the wrapper itself (e.g. recording replies)."""
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping

    cls = DifferentialPrivacyClientSideFixedClipping
    if mixin is not None:
        cls = type(f"{mixin.__name__}{cls.__name__}", (mixin, cls), {})
    accountant = make_accountant(dp)
    return cls(strategy, dp.noise_multiplier, dp.clipping_norm, num_sampled_clients, accountant=accountant), accountant


def privacy_spent(accountant: Any, dp: DPOptions) -> dict[str, Any]:
    spent = accountant.get_privacy_spent(dp.target_delta)
    return {"epsilon": spent.epsilon, "delta": spent.delta, "releases": spent.num_releases,
            "method": f"Flower RdpAccountant ({spent.accounting_method}, client-level, add-or-remove-one, no sampling amplification)",
            "noise_multiplier": dp.noise_multiplier, "clipping_norm": dp.clipping_norm}
