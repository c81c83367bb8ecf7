"""One typed settings object for the whole stack.

Values come, in increasing priority, from defaults, a YAML file (``partages.yaml`` in the
working directory, or the file named by ``PARTAGES_CONFIG``) and ``PARTAGES_*`` environment
variables. Paths to data and models are configuration, never hard-coded elsewhere.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


def _default_home() -> Path:
    return Path(user_data_dir("partages", appauthor=False))


def _default_data_dir() -> Path | None:
    """``../shared/data`` beside the project checkout, when it exists."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if (parent / "pyproject.toml").exists() and candidate.is_dir():
            return candidate
    cwd_candidate = Path.cwd().parent / "shared" / "data"
    return cwd_candidate if cwd_candidate.is_dir() else None


def config_file() -> Path:
    return Path(os.environ.get("PARTAGES_CONFIG", "partages.yaml"))


class Settings(BaseSettings):
    """All runtime settings. Field ``foo`` is set by ``PARTAGES_FOO`` or ``foo:`` in YAML."""

    model_config = SettingsConfigDict(env_prefix="PARTAGES_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Where all state lives.")
    data_dir: Path | None = Field(default_factory=_default_data_dir, description="Shared public data.")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8080
    default_model: str = "gemma3-270m"
    n_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    n_ctx: int = 4096
    n_batch: int = 512
    max_queue: int = Field(64, description="Requests admitted (running + waiting) before 429.")
    retry_after_s: int = 2
    max_body_bytes: int = 1_000_000
    max_tokens_limit: int = 4096
    upstream_base_url: str | None = Field(None, description="Serve an OpenAI-compatible upstream instead of llama.cpp.")
    upstream_api_key: str | None = None
    upstream_timeout_s: float = 600.0

    # Audit
    audit_retention_days: int = Field(183, description="Default 6 months: AI Act deployer minimum.")
    audit_store_text: bool = Field(False, description="Store request/response bodies in clear (off by default).")

    # Pseudonymisation guard in the gateway (filled in by the deid component)
    phi_guard: Literal["off", "pseudonymize", "block"] = "off"
    phi_guard_key_file: Path | None = Field(None, description="HMAC key for the guard's surrogates (default: a random key per process; surrogates live one request).")
    deid_ipp_keywords: list[str] = Field(default_factory=list, description="Extra regexes for the label before an IPP (added to the built-in ones).")
    deid_nda_keywords: list[str] = Field(default_factory=list, description="Extra regexes for the label before an NDA / stay number.")
    deid_id_value: str | None = Field(None, description="Regex of the IPP/NDA number itself (default: up to 3 letters + 4-15 digits/letters).")

    # Clinical assistant
    assistant_prose: bool = Field(False, description="Let the language model write the prose fields (letter/summary résumé, patient explanation introduction); off until a tuned model passes the assistant eval. A request's \"prose\" flag overrides it.")
    assistant_key_file: Path | None = Field(None, description="Fernet key encrypting assistant drafts at rest (default: $PARTAGES_HOME/assistant.key, created with mode 600).")

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, v: Path) -> Path:
        return v.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path.is_file():
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    # Derived locations -------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def db_path(self) -> Path:
        return self.home / "partages.db"

    @property
    def audit_db_path(self) -> Path:
        return self.home / "audit.db"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            self.home.chmod(0o700)
        except OSError:
            pass
        return self.home


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reload_settings(**overrides: Any) -> Settings:
    """Forget the cached settings (tests, CLI options) and build them again."""
    get_settings.cache_clear()
    s = get_settings()
    for k, v in overrides.items():
        if v is not None:
            setattr(s, k, v)
    return s


def dump_yaml(settings: Settings) -> str:
    return yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=True, allow_unicode=True)
