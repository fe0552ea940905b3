"""What the pages can be told from outside: the red/amber/green thresholds of the
dashboard, how big a chain map may get before it is shown segment by segment, and the
time zone times are shown in.

Read from ``REDCHAIN_VIEW_*`` environment variables, e.g. ``REDCHAIN_VIEW_ORG_RATE_GREEN=0.95``.
An app keeps one instance in ``app.state.page_settings`` (made on first use; tests may
set their own before the first request).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TIMEZONE = "Asia/Shanghai"


class PageSettings(BaseSettings):
    """Thresholds are fractions: a rate at or above ``*_green`` is green, at or above
    ``*_amber`` amber, below it red.

    >>> PageSettings().map_cap
    1000
    """

    model_config = SettingsConfigDict(env_prefix="REDCHAIN_VIEW_", extra="ignore")

    org_rate_green: float = Field(0.90, ge=0, le=1, description="组织覆盖率达到此值为绿色")
    org_rate_amber: float = Field(0.80, ge=0, le=1, description="组织覆盖率达到此值为黄色，低于为红色")
    two_rate_green: float = Field(0.95, ge=0, le=1, description="两个覆盖率达到此值为绿色")
    two_rate_amber: float = Field(0.90, ge=0, le=1, description="两个覆盖率达到此值为黄色，低于为红色")
    map_cap: int = Field(1000, ge=10, description="产业链企业数超过此值时按环节汇总显示，点击环节再展开")
    neighbourhood_limit: int = Field(150, ge=10, le=2000, description="关系网络默认最多显示的节点数")
    top_uncovered: int = Field(10, ge=1, le=100, description="总览页列出的重点未覆盖企业数")
    timezone: str = Field(DEFAULT_TIMEZONE, description="页面上的时间按此时区显示（IANA 时区名，如 Asia/Shanghai）")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区：{value}（应为 IANA 时区名，如 Asia/Shanghai）") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "PageSettings":
        if self.org_rate_amber > self.org_rate_green or self.two_rate_amber > self.two_rate_green:
            raise ValueError("黄色阈值不能高于绿色阈值")
        return self
