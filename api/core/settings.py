"""The HTTP service's settings: one ``Settings`` read from ``REDCHAIN_*`` environment
variables (the same ``REDCHAIN_STORE`` the CLI uses), plus the hard bounds every request
obeys.

The bounds are constants rather than settings because they shape the OpenAPI document
(``limit ≤ 500``, ``depth ≤ 3``): a client can rely on them.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.factory import DEFAULT_STORE_URI

MAX_PAGE_SIZE = 500  # items per page of any list
DEFAULT_PAGE_SIZE = 50
MAX_DEPTH = 3  # hops of a neighbourhood
MAX_NEIGHBOURHOOD = 2000  # nodes of a neighbourhood
DEFAULT_NEIGHBOURHOOD = 200


class Settings(BaseSettings):
    """Everything the service can be told from outside.

    >>> Settings(store="sqlite:///./demo.db").port
    8000
    """

    model_config = SettingsConfigDict(env_prefix="REDCHAIN_", extra="ignore")

    store: str = DEFAULT_STORE_URI
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
    warm_up: bool = True  # read the projection in the background at start-up
