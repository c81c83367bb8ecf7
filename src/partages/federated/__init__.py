"""Federated fine-tuning on Flower: hospitals train the recipe's LoRA SFT on their own corpus
and exchange only adapter tensors and numbers; the server averages them (FedAvg), checkpoints
every round, and the final adapter is exported and registered like any trained model."""

from partages.federated.data import HospitalData, load_hospital_data
from partages.federated.errors import FederatedError
from partages.federated.messages import check_reply, message_bytes

__all__ = ["FederatedError", "FederationConfig", "HospitalData", "check_reply", "load_hospital_data", "message_bytes", "simulate"]


def __getattr__(name: str):
    """The runtime imports Flower: load it only when asked (``partages --help`` stays fast)."""
    if name in ("FederationConfig", "simulate", "Federation", "TLSFiles"):
        from partages.federated import runtime

        return getattr(runtime, name)
    raise AttributeError(name)
