"""Everything redchain can be told from outside, in one place: ``Settings`` (read from
``REDCHAIN_*`` environment variables; the store's part, ``graph.settings.StoreSettings``,
is what the CLI reads too) with the pages' ``PageSettings`` (``REDCHAIN_VIEW_*``: the
dashboard's red/amber/green thresholds, how big a chain map may get before it is shown
segment by segment, the time zone of times shown), plus the hard bounds every request obeys.

The bounds are constants rather than settings because they shape the OpenAPI document
(``limit ≤ 500``, ``depth ≤ 3``): a client can rely on them.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from graph.settings import StoreSettings, ZoneSettings

MAX_PAGE_SIZE = 500  # items per page of any list
DEFAULT_PAGE_SIZE = 50
MAX_DEPTH = 3  # hops of a neighbourhood
MAX_NEIGHBOURHOOD = 2000  # nodes of a neighbourhood
DEFAULT_NEIGHBOURHOOD = 200


class PageSettings(ZoneSettings):
    """Thresholds are fractions: a rate at or above ``*_green`` is green, at or above
    ``*_amber`` amber, below it red.

    >>> PageSettings().map_cap
    1000
    """

    org_rate_green: float = Field(0.90, ge=0, le=1, description="组织覆盖率达到此值为绿色")
    org_rate_amber: float = Field(0.80, ge=0, le=1, description="组织覆盖率达到此值为黄色，低于为红色")
    two_rate_green: float = Field(0.95, ge=0, le=1, description="两个覆盖率达到此值为绿色")
    two_rate_amber: float = Field(0.90, ge=0, le=1, description="两个覆盖率达到此值为黄色，低于为红色")
    map_cap: int = Field(1000, ge=10, description="产业链企业数（缺口地图：未建党组织企业数）超过此值时先汇总显示（按环节或产业链），点击再展开")
    neighbourhood_limit: int = Field(150, ge=10, le=2000, description="关系网络默认最多显示的节点数")
    top_uncovered: int = Field(10, ge=1, le=100, description="总览页列出的重点未覆盖企业数")

    @model_validator(mode="after")
    def _ordered(self) -> "PageSettings":
        if self.org_rate_amber > self.org_rate_green or self.two_rate_amber > self.two_rate_green:
            raise ValueError("黄色阈值不能高于绿色阈值")
        return self


class Settings(StoreSettings):
    """Everything the service can be told from outside.

    >>> Settings(store="sqlite:///./demo.db").port
    8000
    """

    model_config = SettingsConfigDict(env_prefix="REDCHAIN_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 50 * 1024 * 1024  # one whole import (all files of one POST)
    max_body_bytes: int = 1024 * 1024  # any other request body
    session_hours: int = 12  # lifetime of a browser session (login page or one-time URL)
    login_failures_per_account: int = 5  # failed logins of one name within the window lock it out...
    login_failures_per_address: int = 20  # ...as do this many from one client address
    login_lockout_minutes: int = 15  # the window, and so the longest lockout
    cookie_secure: bool = False  # set true behind HTTPS: the cookie is then never sent over plain HTTP
    plans_per_principal: int = 20  # unapplied plan proposals one token, account or session keeps
    plan_days: int = 30  # an unapplied plan proposal expires after this many days
    warm_up: bool = True
    view: PageSettings = Field(default_factory=PageSettings)  # the pages' REDCHAIN_VIEW_* settings  # read the projection in the background at start-up
