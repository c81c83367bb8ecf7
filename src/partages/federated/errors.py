"""Errors of the federated layer. Messages name files, lines and counts, never record text:
a client's error travels to the server (Flower's error reply) and ends up in its log."""


class FederatedError(Exception):
    """A federation cannot run, or a client cannot train on its local data."""
