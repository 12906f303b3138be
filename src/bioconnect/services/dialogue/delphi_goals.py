"""From Delphi consensus to the plan's goals: an item that reached consensus becomes a
proposed goal in the plan's inbox (the path :mod:`~bioconnect.services.dialogue.goals` uses
for statements), carrying its evidence; an editor accepts it as a goal that says where it
came from.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine

from bioconnect.errors import ConflictError, NotFoundError
from bioconnect.services.dialogue.delphi import delphi_results
from bioconnect.services.dialogue.goals import promote_inbox_goal
from bioconnect.services.dialogue.round_models import (
    DelphiGoalProposal,
    DelphiResults,
    DelphiRoundResult,
)
from bioconnect.services.plan import (
    Goal,
    propose_action_item,
)

#: First line of an inbox item that proposes a goal from a Delphi study.
PREFIX = "Goal from Delphi study"
_HEAD = re.compile(rf"^{PREFIX} (?P<name>\S+), item (?P<item>\d+): (?P<title>.+)$")


def _goal_evidence(results: DelphiResults, item: int) -> tuple[DelphiRoundResult, str]:
    found = [(rr, it) for rr in results.rounds for it in rr.items if it.item == item]
    if not any(it.item == item for it in results.study.items):
        raise NotFoundError(
            f"{results.study.name!r} has no item {item}.", "Pick one of the study's items."
        )
    if not found:
        raise ConflictError(f"Item {item} has no ratings yet.", "Propose items with consensus.")
    rr, it = found[-1]
    if not it.consensus:
        raise ConflictError(
            f"Item {item} of {results.study.name!r} has no consensus in round {rr.round}: "
            f"IQR {it.iqr:g}, {it.share_high:.0%} rated 7–9, {it.share_low:.0%} rated 1–3.",
            "Propose items with IQR ≤ 1, or ≥ 70 % rating 7–9 and < 15 % rating 1–3.",
        )
    lines = [
        f"Round {rr.round} of {len(results.rounds)}: {it.n} panellists; median {it.median:g}, "
        f"IQR {it.iqr:g} ({it.q1:g}–{it.q3:g}); {it.share_high:.0%} rated 7–9, "
        f"{it.share_low:.0%} rated 1–3.",
        "Consensus by the rule IQR ≤ 1, or ≥ 70 % rating 7–9 with < 15 % rating 1–3.",
    ]
    if it.stability is not None:
        lines.append(f"Stability against round {rr.round - 1}: {it.stability:.0%} moved ≤ 1.")
    if rr.concordance is not None:
        c = rr.concordance
        lines.append(
            f"Kendall's W over the items: {c.w:.3f} (χ²({c.df}) = {c.chi2:.2f}, "
            f"p = {c.p_value:.3g}, {c.raters} panellists)."
        )
    return rr, "\n".join(lines)


def propose_delphi_goal(
    engine: Engine, name: str, item: int, *, actor: str, region: str | None = None
) -> DelphiGoalProposal:
    """Put a Delphi item with consensus (in its latest rated round) in the plan's inbox.

    Raises InputError when the item has no consensus there. Proposing it again returns
    the first proposal (the inbox keeps one copy of a text per proposer).
    """
    results = delphi_results(engine, name)
    rr, evidence = _goal_evidence(results, item)
    text = next(i.text for i in results.study.items if i.item == item)
    title = " ".join(text.split())
    entry = propose_action_item(
        engine, f"{PREFIX} {name}, item {item}: {title}\n{evidence}", actor=actor, region=region
    )
    return DelphiGoalProposal(
        item_id=entry.id, study=name, item=item, round=rr.round, title=title, evidence=evidence
    )


def accept_delphi_goal(
    engine: Engine, item_id: str, goal_id: str, *, actor: str, region: str | None = None
) -> Goal:
    """Accept a goal proposed from a Delphi study: the goal keeps the evidence."""
    return promote_inbox_goal(
        engine,
        item_id,
        goal_id,
        _HEAD,
        lambda m: f"From Delphi study {m['name']}, item {m['item']}",
        "a Delphi study",
        actor=actor,
        region=region,
    )
