"""Where the graph is kept, as the environment says: the one place ``REDCHAIN_*`` variables
about the store are read (the service's ``api.core.settings.Settings`` extends it).

- ``REDCHAIN_STORE``: ``sqlite:///./redchain.db`` (default), a path, or ``neo4j://host:7687``;
- ``REDCHAIN_NEO4J_USER`` (default ``neo4j``), ``REDCHAIN_NEO4J_PASSWORD`` (no
  authentication when unset), ``REDCHAIN_NEO4J_DATABASE`` (default ``neo4j``).

And the planners' time zone, ``REDCHAIN_VIEW_TIMEZONE`` (default Asia/Shanghai): snapshots
are dated, and exports named, by the planners' day, not the server's (a server keeping UTC
dated an import at 07:00 in Beijing the day before); the pages show times in it
(``api.core.settings.PageSettings`` extends ``ZoneSettings``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import SettingError
from graph.factory import DEFAULT_STORE_URI

DEFAULT_DATABASE = "neo4j"
DEFAULT_TIMEZONE = "Asia/Shanghai"


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDCHAIN_", extra="ignore")

    store: str = DEFAULT_STORE_URI
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = DEFAULT_DATABASE


class ZoneSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDCHAIN_VIEW_", extra="ignore")

    timezone: str = Field(DEFAULT_TIMEZONE, description="页面上的时间、快照的日期和导出文件的日期按此时区（IANA 时区名，如 Asia/Shanghai）")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区：{value}（应为 IANA 时区名，如 Asia/Shanghai）") from None
        return value


def planners_zone() -> ZoneInfo:
    """The planners' time zone (``REDCHAIN_VIEW_TIMEZONE``); ``SettingError`` with the
    setting's Chinese message for a zone it does not know (the CLI checks it before a
    command writes: a snapshot must not fail after its import is committed)."""
    from pydantic import ValidationError

    try:
        return ZoneInfo(ZoneSettings().timezone)
    except ValidationError as exc:
        said = "；".join(str(error.get("msg", "")).removeprefix("Value error, ") for error in exc.errors())
        raise SettingError(f"环境变量 REDCHAIN_VIEW_TIMEZONE 有误：{said}") from None


def planners_now() -> datetime:
    """Now, in the planners' time zone."""
    return datetime.now(planners_zone())
