"""From consensus to the plan's goals: a consensus statement becomes a proposed goal in the
plan's inbox, carrying its evidence; an editor accepts it as a goal that says where it came
from.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine

from bioconnect.dialogue import Z_90
from bioconnect.errors import ConflictError, NotFoundError
from bioconnect.services.dialogue.analysis import consultation_consensus, overall_support
from bioconnect.services.dialogue.models import GoalProposal
from bioconnect.services.plan import (
    ActionItem,
    Goal,
    delete_record,
    load_plan,
    propose_action_item,
    record_version,
    save_goal,
)

#: First line of an inbox item that proposes a goal from a consultation.
PREFIX = "Goal from consultation"
_HEAD = re.compile(rf"^{PREFIX} (?P<name>\S+), statement (?P<statement>\d+): (?P<title>.+)$")


def _evidence(engine: Engine, name: str, statement: int) -> tuple[str, str]:
    result = consultation_consensus(engine, name)
    support = next((s for s in result.statements if s.statement == statement), None)
    if support is None:
        raise NotFoundError(
            f"Statement {statement} is not among {name!r}'s voted statements.",
            "Pick a listed statement.",
        )
    overall = next((c for c in result.agree if c.statement == statement), None)
    n_agree, n_votes, pa, pat = overall_support(engine, name, statement)
    if not (pa > 0.5 and pat > Z_90):
        raise ConflictError(
            f"Statement {statement} of {name!r} has no consensus: {n_agree} of {n_votes} agree "
            f"(smoothed share {pa:.2f}, z = {pat:.2f}).",
            "Propose statements that most participants agree with (share > 0.5, z > 1.2816).",
        )
    lines = [
        f"Overall: {n_agree} of {n_votes} votes agree (share {pa:.2f}, z = {pat:.2f})"
        + ("; in Pol.is's top-5 consensus." if overall else "."),
        f"Group-informed consensus: {support.group_informed_consensus:.3f}.",
        "By opinion group: "
        + ", ".join(f"group {g} {p:.0%}" for g, p in support.agree_by_group.items())
        + ".",
    ]
    if support.agree_by_stakeholder:
        lines.append(
            "By stakeholder group: "
            + ", ".join(f"{h} {p:.0%}" for h, p in support.agree_by_stakeholder.items())
            + f"; across stakeholder groups {support.stakeholder_consensus:.3f}."
        )
    return support.text, "\n".join(lines)


def propose_goal(
    engine: Engine, name: str, statement: int, *, actor: str, region: str | None = None
) -> GoalProposal:
    """Put a consensus statement in the plan's inbox as a proposed goal, with its evidence.

    Raises InputError when the statement has no consensus (its smoothed agree share is not
    above 0.5 with z above 1.2816). Proposing the same statement again returns the first
    proposal.
    """
    text, evidence = _evidence(engine, name, statement)
    title = " ".join(text.split())
    item = propose_action_item(
        engine,
        f"{PREFIX} {name}, statement {statement}: {title}\n{evidence}",
        actor=actor,
        region=region,
    )
    return GoalProposal(
        item_id=item.id, consultation=name, statement=statement, title=title, evidence=evidence
    )


def accept_goal(
    engine: Engine, item_id: str, goal_id: str, *, actor: str, region: str | None = None
) -> Goal:
    """Accept a proposed goal (editors do): the goal keeps the evidence; the item leaves the inbox."""
    return promote_inbox_goal(
        engine,
        item_id,
        goal_id,
        _HEAD,
        lambda m: f"From consultation {m['name']}, statement {m['statement']}",
        "a consultation",
        actor=actor,
        region=region,
    )


def promote_inbox_goal(
    engine: Engine,
    item_id: str,
    goal_id: str,
    head: re.Pattern[str],
    origin: Callable[[re.Match[str]], str],
    source: str,
    *,
    actor: str,
    region: str | None = None,
) -> Goal:
    """Turn an inbox item whose first line matches ``head`` into a goal that says where it
    came from (``origin``) and keeps the evidence below; the item leaves the inbox."""
    plan = load_plan(engine, region=region)
    item: ActionItem | None = next((i for i in plan.action_items if i.id == item_id), None)
    if item is None:
        raise NotFoundError(f"No inbox item {item_id}.", "See the plan's inbox.")
    first, _, evidence = item.text.partition("\n")
    match = head.match(first)
    if match is None:
        raise ConflictError(
            f"Inbox item {item_id} is not a goal proposed from {source}.",
            "Merge it into an initiative instead.",
        )
    description = (
        f"{origin(match)} (inbox item {item_id}, proposed by {item.proposed_by}).\n{evidence}"
    )
    goal = Goal(id=goal_id, title=match["title"], description=description)
    save_goal(engine, goal, expected_version=None, actor=actor, region=region)
    version = record_version(engine, "action_item", item_id, region=region)
    delete_record(
        engine, "action_item", item_id, expected_version=version, actor=actor, region=region
    )
    return goal


def goal_proposals(items: list[ActionItem]) -> set[str]:
    """The ids of the open inbox items that propose a goal from a consultation."""
    return {i.id for i in items if i.merged_into is None and _HEAD.match(i.text.partition("\n")[0])}


def next_goal_id(goals: list[Goal]) -> str:
    """A free goal id ``G<n>``, one above the highest in use.

    Examples
    --------
    >>> next_goal_id([])
    'G1'
    """
    numbers = [int(m[1]) for g in goals if (m := re.fullmatch(r"G(\d+)", g.id))]
    return f"G{max(numbers, default=0) + 1}"
