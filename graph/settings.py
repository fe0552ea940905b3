"""Where the graph is kept, as the environment says: the one place ``REDCHAIN_*`` variables
about the store are read (the service's ``api.core.settings.Settings`` extends it).

- ``REDCHAIN_STORE``: ``sqlite:///./redchain.db`` (default), a path, or ``neo4j://host:7687``;
- ``REDCHAIN_NEO4J_USER`` (default ``neo4j``), ``REDCHAIN_NEO4J_PASSWORD`` (no
  authentication when unset), ``REDCHAIN_NEO4J_DATABASE`` (default ``neo4j``).
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.factory import DEFAULT_STORE_URI

DEFAULT_DATABASE = "neo4j"


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDCHAIN_", extra="ignore")

    store: str = DEFAULT_STORE_URI
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = DEFAULT_DATABASE
