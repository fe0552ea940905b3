"""`redchain plan ...`: proposals for contact points, instructors, pairings and joint branches.

Each command prints its proposal and writes nothing; with ``--apply`` it writes the whole
proposal in one transaction and prints what the write did.
"""

from __future__ import annotations

from typing import Annotated, Callable

import networkx as nx
import typer
from rich.table import Table
from rich.text import Text

from api.core import audit
from api.cli.common import JsonOption, StoreOption, cli_store, console, heading, print_json
from api.core.security.principal import CLI
from graph.analysis.jsonable import to_jsonable
from graph.analysis.planners import plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.analysis.planners.instructors import DEFAULT_CAPACITY as INSTRUCTOR_CAPACITY
from graph.analysis.planners.instructors import DEFAULT_MINIMUM as INSTRUCTOR_MINIMUM
from graph.analysis.planners.pairings import DEFAULT_CAPACITY as PAIRING_CAPACITY
from graph.analysis.planners.pairings import DEFAULT_MAX_HOPS
from graph.analysis.planners.plan import CONTACTS, INSTRUCTORS, JOINT_BRANCHES, PAIRINGS, Plan, apply_plan
from graph.analysis.uncovered import MIN_BRANCH_MEMBERS
from graph.projection import load_projection
from graph.records import WriteSummary

plan_app = typer.Typer(
    help="Propose contact points, instructors, pairings and joint branches; --apply writes a proposal.",
    no_args_is_help=True,
)

ChainOption = Annotated[str | None, typer.Option("--chain", help="Only this chain (its id).", show_default=False)]
ApplyOption = Annotated[
    bool, typer.Option("--apply", help="Write the proposal to the store in one transaction and print what was written.")
]
InstructorCapacity = Annotated[
    int, typer.Option("--capacity", min=0, help="Targets per instructor, current ones included.")
]
InstructorMinimum = Annotated[int, typer.Option("--minimum", min=0, help="Targets every instructor should have.")]
PairingCapacity = Annotated[
    int, typer.Option("--capacity", min=0, help="Pairings per strong organisation, current ones included.")
]
MaxHops = Annotated[int, typer.Option("--max-hops", min=0, help="How far to look along supply links.")]
MinMembers = Annotated[int, typer.Option("--min-members", min=1, help="Party members a branch needs.")]

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
            help="Let a leader short of targets in their chains take some outside them.",
        ),
    ] = True,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """Propose leaders' contact points (联系点): each at least min_contacts, none over capacity, in-chain first."""
    _run(store, lambda g: plan_contacts(g, chain=chain, include_out_of_chain=out_of_chain), as_json, apply)


@plan_app.command("instructors")
def instructors(
    store: StoreOption = None,
    chain: ChainOption = None,
    capacity: InstructorCapacity = INSTRUCTOR_CAPACITY,
    minimum: InstructorMinimum = INSTRUCTOR_MINIMUM,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """Propose where instructors (党建指导员) go: enterprises with no party member and weak organisations."""
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
    """Propose co-building pairings (结对共建): a nearby strong organisation for each weak one or uncovered enterprise."""
    _run(store, lambda g: plan_pairings(g, chain=chain, capacity=capacity, max_hops=max_hops), as_json, apply)


@plan_app.command("joint-branches")
def joint_branches(
    store: StoreOption = None,
    chain: ChainOption = None,
    min_members: MinMembers = MIN_BRANCH_MEMBERS,
    as_json: JsonOption = False,
    apply: ApplyOption = False,
) -> None:
    """Propose joint branches (联合党支部) for enterprises with one or two party members."""
    _run(store, lambda g: plan_joint_branches(g, chain=chain, min_members=min_members), as_json, apply)


def _run(store: str | None, make: Callable[[nx.MultiDiGraph], Plan], as_json: bool, apply: bool) -> None:
    """Plan over the store's projection; apply in the same session if asked; print."""
    with cli_store(store) as s:
        plan = make(load_projection(s))
        # a write from the command line is audited like one over HTTP, in the same transaction
        summary = apply_plan(s, plan, check_version=True,
                             describe=lambda done: [audit.plan_apply_entry(CLI, plan, done)]) if apply else None
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
    title, source_header, target_header = _TITLES[plan.kind]
    if plan.new_orgs:
        table = Table(title=f"拟新建联合党支部（{len(plan.new_orgs)}）", title_justify="left")
        for header in ("编号", "名称", "党员", "覆盖企业", "理由"):
            table.add_column(header, overflow="fold", justify="right" if header == "党员" else "left")
        for org in plan.new_orgs:
            cells = (org.id, org.name, str(org.members), "、".join(org.enterprises), "；".join(org.reasons))
            table.add_row(*map(Text, cells))
        console.print(table)
    if plan.items:
        table = Table(title=f"{title}（{len(plan.items)}）", title_justify="left")
        for header in (source_header, target_header, "理由"):
            table.add_column(header, overflow="fold")
        for item in plan.items:
            table.add_row(
                Text(_named(item.source_name, item.source)),
                Text(_named(item.target_name, item.target)),
                Text("；".join(item.reasons)),
            )
        console.print(table)
    else:
        console.print(heading(title, "：没有可提议的安排"))
    if plan.leftovers:
        table = Table(title=f"未安排（{len(plan.leftovers)}）", title_justify="left")
        for header in ("对象", "原因"):
            table.add_column(header, overflow="fold")
        for left in plan.leftovers[:_LEFTOVERS_SHOWN]:
            table.add_row(Text(_named(left.name, left.id)), Text(left.reason))
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


def _named(name: str, node_id: str) -> str:
    return f"{name}（{node_id}）" if name and name != node_id else node_id
