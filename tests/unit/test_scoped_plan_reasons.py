"""A chain-scoped plan's reasons quote no chain or segment the scope hides
(``api.core.services.plans._shown``): a leader responsible for both chains, contacting an
enterprise of both, is proposed "分管产业链内（工程机械、电子信息）" on the district."""

from __future__ import annotations

from api.core.scope import make_view
from api.core.services.plans import OUTSIDE_REASON, _shown
from graph.analysis.planners.plan import Leftover, Plan, PlanItem
from graph.builder import GraphBuilder
from graph.schema import RelType


def district():
    return (
        GraphBuilder().chain("C1", name="工程机械").chain("C2", name="电子信息")
        .segment("S1", "C1", "upstream", name="液压件").segment("S2", "C2", "upstream", name="芯片")
        .segment("U1", "C1", "midstream", name="未分环节").segment("U2", "C2", "midstream", name="未分环节")
        .enterprise("E1", name="重工").rel("IN_SEGMENT", "E1", "S1").rel("IN_SEGMENT", "E1", "S2")
        .enterprise("E2", name="芯片公司").rel("IN_SEGMENT", "E2", "S2")
        .node("Leader", "L1", name="李明").rel("RESPONSIBLE_FOR", "L1", "C1").rel("RESPONSIBLE_FOR", "L1", "C2")
        .projection()
    )


def test_a_reason_quoting_a_hidden_chain_or_segment_is_not_shown():
    view = make_view(district(), chains=frozenset({"C1"}), personal=True)
    plan = Plan("contacts", "2026-12-04", 1, items=[
        PlanItem("L1", "E1", RelType.CONTACTS, ("分管产业链内（工程机械、电子信息）", "同一环节：芯片", "职工 300 人")),
        PlanItem("L1", "E2", RelType.CONTACTS, ("分管产业链内（电子信息）",)),  # E2 is hidden: the item goes
    ], leftovers=[Leftover("E1", "重工", "同在未分环节")], totals={"items": 2, "new_orgs": 0, "leftovers": 1})
    shown = _shown(view, plan)
    assert [(i.target, i.reasons) for i in shown.items] == [("E1", (OUTSIDE_REASON, "职工 300 人"))]
    assert [o.reason for o in shown.leftovers] == ["同在未分环节"]  # 未分环节 names a segment in view too
    assert shown.totals["hidden_items"] == 1


def test_an_unscoped_plan_keeps_its_reasons():
    view = make_view(district(), chains=None, personal=True)
    item = PlanItem("L1", "E1", RelType.CONTACTS, ("分管产业链内（工程机械、电子信息）",))
    assert _shown(view, Plan("contacts", "2026-12-04", 1, items=[item], totals={"items": 1})).items[0].reasons == item.reasons
