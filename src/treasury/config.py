"""Settings: one object, read from the environment (``TREASURY_*``)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Platform settings; every field can be set with ``TREASURY_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TREASURY_", extra="ignore")

    home: Path = Field(
        default=Path(".treasury"),
        description="Root folder for the landing zone, lake, serving snapshots and app database.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the app database; empty means SQLite in TREASURY_HOME.",
    )
    scale: str = Field(default="small", description="Default synthetic data scale.")
    seed: int = Field(default=20240101, description="Seed of the synthetic source systems.")
    as_of: dt.date | None = Field(
        default=None, description="As-of date of the current year's data; empty means today."
    )
    engine: str = Field(default="duckdb", description="Mart engine: duckdb or spark.")
    duckdb_threads: int = Field(default=2, description="Threads DuckDB may use.")
    database_pool_size: int = Field(
        default=10, ge=1, description="App-database connections kept open per worker process."
    )
    database_max_overflow: int = Field(
        default=10, ge=0, description="Extra app-database connections a busy worker may open."
    )
    duckdb_memory_limit: str = Field(default="4GB", description="DuckDB memory limit.")
    keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        description=(
            "Seconds `treasury serve` keeps an idle HTTP connection open. Longer than clients' "
            "and proxies' own idle timeouts (httpx 5 s, nginx 60 s), so the client always closes "
            "first: a server closing a connection the client is just reusing fails that request."
        ),
    )

    @property
    def landing(self) -> Path:
        """Folder where source extracts arrive, one sub-folder per dataset."""
        return self.home / "landing"

    @property
    def lake(self) -> Path:
        """Folder of the Delta lake (raw, clean, quarantine, mart layers)."""
        return self.home / "lake"

    @property
    def serving(self) -> Path:
        """Folder of the read-only serving snapshots."""
        return self.home / "serving"

    @property
    def app_database_url(self) -> str:
        """The app database URL, defaulting to SQLite inside the home folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'app.db').resolve()}"

    def as_of_date(self) -> dt.date:
        """The as-of date: the configured one, or today."""
        return self.as_of or dt.date.today()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the environment)."""
    return Settings()
