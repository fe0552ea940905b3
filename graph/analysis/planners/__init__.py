"""Planners: proposals for contact points, instructors, pairings and joint branches.

Each planner is a pure function over the projection that returns a ``Plan``; nothing is
written until ``apply_plan``. The people → targets planners share one min-cost-flow core
(``assignment``).
"""

from graph.analysis.planners.contacts import plan_contacts
from graph.analysis.planners.instructors import plan_instructors
from graph.analysis.planners.joint_branches import plan_joint_branches
from graph.analysis.planners.pairings import plan_pairings
from graph.analysis.planners.plan import Leftover, NewOrg, Plan, PlanItem, apply_plan, plan_records

__all__ = [
    "Leftover",
    "NewOrg",
    "Plan",
    "PlanItem",
    "apply_plan",
    "plan_contacts",
    "plan_instructors",
    "plan_joint_branches",
    "plan_pairings",
    "plan_records",
]
