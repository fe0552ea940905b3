"""One exception root for redchain, with children callers catch by type."""

from __future__ import annotations


class RedchainError(Exception):
    """Root of every error redchain raises on purpose."""


class StoreError(RedchainError):
    """The store cannot be opened, read or written."""


class StoreURIError(StoreError):
    """A store URI names no store kind redchain knows."""


class StoreMissing(StoreError):
    """The store was opened for reading and its file does not exist. ``path`` names it."""

    def __init__(self, path):
        self.path = path
        super().__init__(f"找不到数据文件 {path}（store file does not exist）")


class SettingError(RedchainError):
    """An environment setting redchain reads has a value it cannot use."""


class NotFound(RedchainError):
    """An id names nothing in the store."""


class NoComparison(NotFound):
    """There is no snapshot to compare with (fewer than two, or none on or before a day):
    a state of the data, which a page says in place rather than as a missing address."""


class ImportFailed(RedchainError):
    """An import had problems; nothing was written. ``problems`` lists them (at most a
    hundred of a kind, then one line counting the rest); ``total`` is how many were found;
    ``warnings`` what the checks said besides (a column not read, a row skipped), which may
    explain a problem ("no 所属产业链 column" beside "未知的列 '所属重点产业链'")."""

    def __init__(self, problems, total: int | None = None, warnings=()):
        self.problems = list(problems)
        self.warnings = list(warnings)
        self.total = len(self.problems) if total is None else total
        shown = "\n".join(str(p) for p in self.problems[:5])
        more = f"\n… 共 {self.total} 个" if len(self.problems) > 5 else ""
        super().__init__(f"导入有 {self.total} 个问题，未写入任何数据：\n{shown}{more}")


class VersionConflict(RedchainError):
    """A write was prepared against one version of the store and another has committed
    since: nothing was written. ``expected`` and ``current`` are the two versions."""

    def __init__(self, expected: int, current: int):
        self.expected, self.current = expected, current
        super().__init__(f"数据已被其他操作修改（版本 {expected} → {current}），未写入任何数据；请重新读取后再试")


class PlanInfeasible(RedchainError):
    """A planner cannot satisfy its constraints; the message says exactly why."""
