"""Partages: French-language health LLM stack."""
__version__ = "0.1.0"
