"""db: the app database (SQLAlchemy 2 models, sessions, Alembic migrations).

- :mod:`treasury.db.models`: ``Base`` and the pipeline run log (``PipelineRun``, ``RunStage``)
- :mod:`treasury.db.session`: ``get_engine``, ``session_scope`` for any SQLAlchemy URL
- :func:`migrate`: bring a database to the latest schema (``alembic upgrade head``); the app and
  the pipeline call it at startup
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic ``Config`` for ``url`` using the migrations shipped in the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Upgrade the app database at ``url`` (default: the configured one) to the latest revision.

    Examples
    --------
    >>> migrate("sqlite:///tmp/app.db")  # doctest: +SKIP
    """
    from alembic import command

    from treasury.db.session import get_engine

    engine = get_engine(url)
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


__all__ = ["MIGRATIONS", "alembic_config", "migrate"]
