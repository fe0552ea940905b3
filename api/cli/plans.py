"""`redchain plan ...`: proposals for contact points, instructors, pairings and joint branches.

Each command prints its proposal and writes nothing; with ``--apply`` it writes the whole
proposal in one transaction and prints what the write did.
"""

from __future__ import annotations

from typing import Annotated, Callable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
import typer
from rich import box
from rich.table import Table
from rich.text import Text

from api.core import audit
from api.cli.common import JsonOption, StoreOption, cli_store, code_width, console, heading, named, print_json, zone_or_fail
from api.core.security.principal import CLI
from graph.analysis.jsonable import to_jsonable
from graph.analysis.planners import plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.analysis.planners.instructors import DEFAULT_CAPACITY as INSTRUCTOR_CAPACITY
from graph.analysis.planners.instructors import DEFAULT_MINIMUM as INSTRUCTOR_MINIMUM
from graph.analysis.planners.instructors import ORDER_ZH as INSTRUCTOR_ORDER_ZH
from graph.analysis.planners.pairings import DEFAULT_CAPACITY as PAIRING_CAPACITY
from graph.analysis.planners.pairings import DEFAULT_MAX_HOPS
from graph.analysis.history import snapshot_now
from graph.analysis.planners.plan import CONTACTS, INSTRUCTORS, JOINT_BRANCHES, PAIRINGS, Plan, apply_plan
from graph.analysis.uncovered import MIN_BRANCH_MEMBERS
from graph.projection import load_projection
from graph.records import WriteSummary

plan_app = typer.Typer(
    help="出方案：联系点、党建指导员、结对共建或联合党支部（--apply 写入）。",
    no_args_is_help=True,
)

ChainOption = Annotated[str | None, typer.Option("--chain", help="只看这条产业链（编号）。", show_default=False)]
ApplyOption = Annotated[
    bool, typer.Option("--apply", help="把方案一次性写入数据（一个事务），并列出写入了什么。")
]
InstructorCapacity = Annotated[
    int, typer.Option("--capacity", min=0, help="每名指导员最多派驻的对象数（含现有）。")
]
InstructorMinimum = Annotated[int, typer.Option("--minimum", min=0, help="每名指导员至少派驻的对象数。")]
PairingCapacity = Annotated[
    int, typer.Option("--capacity", min=0, help="每个较强党组织最多结对数（含现有）。")
]
MaxHops = Annotated[int, typer.Option("--max-hops", min=0, help="沿上下游关系最多找几步。")]
MinMembers = Annotated[int, typer.Option("--min-members", min=1, help="成立党支部所需的正式党员数。")]

_TITLES = {  # kind -> (title, source header, target header)
    CONTACTS: ("领导联系点规划", "领导", "联系对象"),
    INSTRUCTORS: ("党建指导员派驻规划", "指导员", "派驻对象"),
    PAIRINGS: ("结对共建规划", "结对方", "被结对方"),
    JOINT_BRANCHES: ("联合党支部组建规划", "党组织", "企业"),
}
_TOTALS_ZH = {
    "items": "提议",
    "new_orgs": "新建党组织",
    "leftovers": "未安排",
    "leaders": "领导",
    "instructors": "指导员",
    "strong_orgs": "强党组织",
    "targets": "对象",
    "in_chain": "链内",
    "out_of_chain": "链外",
    "enterprises": "待组建企业",
    "grouped": "编入新支部",
    "attached": "并入现有联合党组织",
}
_SUMMARY_ZH = (("added", "新增"), ("updated", "更新"), ("unchanged", "未变"))
_LEFTOVERS_SHOWN = 20


@plan_app.command("contacts")
def contacts(
    store: StoreOption = None,
    chain: ChainOption = None,
    out_of_chain: Annotated[
        bool,
        typer.Option(
            "--out-of-chain/--in-chain-only",
            help="分管链上对象不足时，允许领导联系分管链以外的对象。",
        ),
    ] = True,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """联系点方案：每名领导不少于最少联系数、不超过联系上限，优先联系分管产业链上的对象。"""
    _run(store, lambda g: plan_contacts(g, chain=chain, include_out_of_chain=out_of_chain), as_json, apply)


@plan_app.command("instructors", help="党建指导员派驻方案：" + INSTRUCTOR_ORDER_ZH)
def instructors(
    store: StoreOption = None,
    chain: ChainOption = None,
    capacity: InstructorCapacity = INSTRUCTOR_CAPACITY,
    minimum: InstructorMinimum = INSTRUCTOR_MINIMUM,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """The instructors' plan (help: ``instructors.ORDER_ZH``)."""
    _run(store, lambda g: plan_instructors(g, chain=chain, capacity=capacity, minimum=minimum), as_json, apply)


@plan_app.command("pairings")
def pairings(
    store: StoreOption = None,
    chain: ChainOption = None,
    capacity: PairingCapacity = PAIRING_CAPACITY,
    max_hops: MaxHops = DEFAULT_MAX_HOPS,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """结对共建方案：为薄弱党组织或未覆盖企业找就近的较强党组织。"""
    _run(store, lambda g: plan_pairings(g, chain=chain, capacity=capacity, max_hops=max_hops), as_json, apply)


@plan_app.command("joint-branches")
def joint_branches(
    store: StoreOption = None,
    chain: ChainOption = None,
    min_members: MinMembers = MIN_BRANCH_MEMBERS,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """联合党支部方案：把只有 1–2 名党员的企业就近联合组建党支部。"""
    _run(store, lambda g: plan_joint_branches(g, chain=chain, min_members=min_members), as_json, apply)


def _run(store: str | None, make: Callable[[nx.MultiDiGraph], Plan], as_json: bool, apply: bool) -> None:
    """Plan over the store's projection; apply in the same session if asked; print."""
    if apply:
        zone_or_fail()  # the snapshot after the write is dated in it: a bad zone is said before the write
    with cli_store(store) as s:
        plan = make(load_projection(s))
        # a write from the command line is audited like one over HTTP, in the same transaction
        summary = apply_plan(s, plan, check_version=True,
                             describe=lambda done: [audit.plan_apply_entry(CLI, plan, done)]) if apply else None
        if summary is not None:
            snapshot_now(s)  # as after an import: `history`, `changes` and the dashboard see the write
    if as_json:
        body = to_jsonable(plan)
        if summary is not None:
            body["write"] = to_jsonable(summary)
        print_json(body)
        return
    _print_plan(plan)
    if summary is not None:
        console.print(_summary_line(summary), highlight=False)


def _print_plan(plan: Plan) -> None:
    """The plan's tables, laid out for 80 columns as ``gaps`` lays out its own: a name with
    its code on a line of its own (never split), one reason a line."""
    title, source_header, target_header = _TITLES[plan.kind]
    if plan.new_orgs:
        table = _table(f"拟新建联合党支部（{len(plan.new_orgs)}）", ["新支部", "党员", "覆盖企业", "理由"],
                       codes={0: code_width(o.id for o in plan.new_orgs), 2: code_width(e for o in plan.new_orgs for e in o.enterprises)})
        table.columns[1].justify, table.columns[1].no_wrap = "right", True
        for org in plan.new_orgs:
            table.add_row(named(org.name, org.id), Text(str(org.members)), Text("\n".join(org.enterprises)), _lines(org.reasons))
        console.print(table)
    if plan.items:
        table = _table(f"{title}（{len(plan.items)}）", [source_header, target_header, "理由"],
                       codes={0: code_width(i.source for i in plan.items), 1: code_width(i.target for i in plan.items)})
        for item in plan.items:
            table.add_row(named(item.source_name or item.source, item.source),
                          named(item.target_name or item.target, item.target), _lines(item.reasons))
        console.print(table)
    else:
        console.print(heading(title, "：没有可提议的安排"))
    if plan.leftovers:
        shown = plan.leftovers[:_LEFTOVERS_SHOWN]
        table = _table(f"未安排（{len(plan.leftovers)}）", ["对象", "原因"], codes={0: code_width(left.id for left in shown)})
        for left in shown:
            table.add_row(named(left.name or left.id, left.id), Text(left.reason))
        console.print(table)
        if len(plan.leftovers) > _LEFTOVERS_SHOWN:
            console.print(f"…… 另有 {len(plan.leftovers) - _LEFTOVERS_SHOWN} 个未列出，用 --json 查看全部。", highlight=False)
    counts = "，".join(f"{_TOTALS_ZH.get(k, k)} {v}" for k, v in plan.totals.items())
    console.print(Text(f"合计：{counts}"))


def _summary_line(summary: WriteSummary) -> str:
    if not summary.changed:
        return "已写入：没有变化（提议的内容都已存在）。"
    parts = []
    for bucket, word in _SUMMARY_ZH:
        counts = [f"{kind} {n}" for kind, n in sorted(getattr(summary, bucket).items()) if n]
        if counts:
            parts.append(f"{word} " + "、".join(counts))
    return f"已写入（版本 {summary.version}）：" + "；".join(parts) + "。"


def _table(title: str, headers: list[str], *, codes: dict[int, int]) -> Table:
    """A titled table whose columns fold (Chinese has no spaces to wrap at); the columns
    in ``codes`` are at least as wide as their longest code, so a code stays whole."""
    console.print(Text(title, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for index, header in enumerate(headers):
        table.add_column(header, overflow="fold", min_width=codes.get(index))
    return table


def _lines(reasons) -> Text:
    return Text("\n".join(reasons))


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
