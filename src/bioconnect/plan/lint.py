"""Checks that an action plan is complete and consistent: :func:`lint`.

Each rule is a small function that yields :class:`Finding` records. :data:`RULES` lists them
with their severity and fix; ``docs/plan.md`` has the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bioconnect.errors import InputError
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.model import Initiative, Plan

__all__ = ["RULES", "Finding", "Rule", "dependency_cycles", "lint"]

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a plan.

    Attributes
    ----------
    rule:
        The rule id, such as ``initiative-no-owner``.
    severity:
        ``error`` (the plan is wrong), ``warning`` (the plan is weak) or ``info``.
    subject:
        The id of the initiative, goal, pillar or KPI concerned, or the plan's name.
    message:
        What is wrong, in one sentence.
    fix:
        How to fix it.
    """

    rule: str
    severity: Severity
    subject: str
    message: str
    fix: str


@dataclass(frozen=True)
class Rule:
    """A lint rule: its id, severity, what it checks and the usual fix."""

    id: str
    severity: Severity
    what: str
    fix: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule(
            "initiative-no-owner",
            "warning",
            "An initiative has no lead organisation.",
            "Name the organisation that leads it.",
        ),
        Rule(
            "initiative-no-kpi",
            "warning",
            "An initiative has no KPI with both a baseline and a target.",
            "Link a KPI and give it a dated baseline and target.",
        ),
        Rule(
            "initiative-no-timeline",
            "warning",
            "An initiative lacks a start or an end date.",
            "Give it start and end dates.",
        ),
        Rule(
            "initiative-no-goal",
            "warning",
            "An initiative contributes to no goal.",
            "Link it to the goals it serves.",
        ),
        Rule(
            "goal-no-initiative",
            "warning",
            "No initiative contributes to a goal.",
            "Link initiatives to the goal, or drop the goal.",
        ),
        Rule(
            "pillar-no-initiative",
            "warning",
            "A pillar of the preset has no initiative.",
            "Add initiatives to the pillar, or remove it from the plan configuration.",
        ),
        Rule(
            "dependency-cycle",
            "error",
            "Initiatives depend on each other in a loop.",
            "Remove one of the dependencies in the loop.",
        ),
        Rule(
            "dependency-order",
            "warning",
            "An initiative starts before an initiative it depends on ends.",
            "Move its start after the dependency's end, or drop the dependency.",
        ),
        Rule(
            "unknown-reference",
            "error",
            "A record names a pillar, goal, KPI, initiative or criterion that does not exist.",
            "Correct the id, or add the missing record.",
        ),
        Rule(
            "milestone-outside-dates",
            "warning",
            "A milestone falls before the initiative's start or after its end.",
            "Move the milestone, or widen the initiative's dates.",
        ),
        Rule(
            "end-before-start",
            "error",
            "An initiative ends before it starts.",
            "Swap or correct the dates.",
        ),
        Rule(
            "budget-over-envelope",
            "error",
            "The initiatives' budgets add up to more than the preset's envelope.",
            "Cut or drop initiatives, or raise the envelope in the plan configuration.",
        ),
        Rule(
            "cross-border-share-low",
            "warning",
            "Fewer initiatives are cross-border than the preset's minimum share.",
            "Open initiatives to partners from the other countries and mark them cross_border.",
        ),
        Rule(
            "gender-dimension-missing",
            "warning",
            "An initiative in a pillar that requires it has no gender dimension.",
            "Describe how the initiative considers sex and gender (gender_dimension).",
        ),
        Rule(
            "plan-too-small",
            "warning",
            "The plan has fewer initiatives than the preset's minimum.",
            "Add initiatives (ideas from the inbox are a good start).",
        ),
    ]
}


def _finding(rule: str, subject: str, message: str) -> Finding:
    spec = RULES[rule]
    return Finding(rule, spec.severity, subject, message, spec.fix)


def _live(plan: Plan) -> list[Initiative]:
    """Initiatives that count: everything except dropped ones."""
    return [i for i in plan.initiatives if i.status != "dropped"]


def _kpis_of(plan: Plan) -> dict[str, set[str]]:
    """KPI ids linked to each initiative, whichever side records the link."""
    linked: dict[str, set[str]] = {i.id: set(i.kpis) for i in plan.initiatives}
    for kpi in plan.kpis:
        for iid in kpi.initiatives:
            linked.setdefault(iid, set()).add(kpi.id)
    return linked


def _owner(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in _live(plan):
        if item.lead is None:
            yield _finding("initiative-no-owner", item.id, f"Initiative {item.id} has no lead.")


def _kpi(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    measurable = {k.id for k in plan.kpis if k.measurable}
    linked = _kpis_of(plan)
    for item in _live(plan):
        if not linked[item.id] & measurable:
            yield _finding(
                "initiative-no-kpi",
                item.id,
                f"Initiative {item.id} has no KPI with a baseline and a target.",
            )


def _timeline(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in _live(plan):
        missing = [name for name in ("start", "end") if getattr(item, name) is None]
        if missing:
            yield _finding(
                "initiative-no-timeline",
                item.id,
                f"Initiative {item.id} has no {' or '.join(missing)} date.",
            )


def _goal(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in _live(plan):
        if not item.goals:
            yield _finding("initiative-no-goal", item.id, f"Initiative {item.id} serves no goal.")


def _goal_uncovered(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    used = {g for i in _live(plan) for g in i.goals}
    for goal in plan.goals:
        if goal.id not in used:
            yield _finding(
                "goal-no-initiative", goal.id, f"No initiative contributes to goal {goal.id}."
            )


def _pillar(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    used = {i.pillar for i in _live(plan)}
    for pillar in cfg.pillars:
        if pillar.id not in used:
            yield _finding(
                "pillar-no-initiative",
                pillar.id,
                f"Pillar {pillar.id} ({pillar.label}) has no initiative.",
            )


def dependency_cycles(depends_on: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Loops in a dependency graph, one per strongly connected group of nodes.

    Parameters
    ----------
    depends_on:
        For each node, the nodes it depends on. Names not among the keys are ignored.

    Returns
    -------
    list of list of str
        Each loop as its nodes in dependency order, starting from its smallest id, the first
        node not repeated at the end; sorted. Empty when there is no loop.

    Examples
    --------
    >>> dependency_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]})
    [['a', 'b', 'c']]
    >>> dependency_cycles({"a": ["a"]})
    [['a']]
    """
    graph = {n: sorted({d for d in deps if d in depends_on}) for n, deps in depends_on.items()}
    components = _strong_components(graph)
    cycles = []
    for comp in components:
        members = set(comp)
        start = min(comp)
        if len(comp) == 1 and start not in graph[start]:
            continue
        cycles.append(_path_back(graph, start, members))
    return sorted(cycles)


def _strong_components(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; nodes visited in sorted order for determinism."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = graph[node]
            if pos < len(succ):
                work.append((node, pos + 1))
                nxt = succ[pos]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _path_back(graph: Mapping[str, list[str]], start: str, members: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself inside one strong component (BFS)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in graph[node]:
                if nxt not in members:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                if nxt not in previous:
                    previous[nxt] = node
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    return [start]  # pragma: no cover - a strong component always has a way back


def _cycles(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for cycle in dependency_cycles({i.id: i.depends_on for i in plan.initiatives}):
        loop = " → ".join([*cycle, cycle[0]])
        yield _finding("dependency-cycle", cycle[0], f"Dependency loop: {loop}.")


def _dependency_order(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    by_id = {i.id: i for i in plan.initiatives}
    for item in _live(plan):
        for dep_id in sorted(set(item.depends_on)):
            dep = by_id.get(dep_id)
            if dep is None or dep.status == "dropped" or item.start is None or dep.end is None:
                continue
            if item.start < dep.end:
                yield _finding(
                    "dependency-order",
                    item.id,
                    f"Initiative {item.id} starts {item.start} but depends on {dep_id}, "
                    f"which ends {dep.end}.",
                )


def _unknown(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    goals = {g.id for g in plan.goals}
    kpis = {k.id for k in plan.kpis}
    initiatives = {i.id for i in plan.initiatives}
    pillars = set(cfg.pillar_ids)
    criteria = set(cfg.criterion_ids)

    def missing(
        subject: str, kind: str, names: Iterable[str], known: set[str]
    ) -> Iterator[Finding]:
        unknown = sorted(set(names) - known)
        if unknown:
            yield _finding(
                "unknown-reference",
                subject,
                f"{subject} names unknown {kind}: {', '.join(unknown)}.",
            )

    for item in plan.initiatives:
        yield from missing(item.id, "pillar", [item.pillar], pillars)
        yield from missing(item.id, "goal(s)", item.goals, goals)
        yield from missing(item.id, "KPI(s)", item.kpis, kpis)
        yield from missing(item.id, "initiative(s) in depends_on", item.depends_on, initiatives)
        yield from missing(item.id, "criteria in scores", item.scores, criteria)
    for kpi in plan.kpis:
        yield from missing(kpi.id, "initiative(s)", kpi.initiatives, initiatives)
        yield from missing(kpi.id, "goal(s)", kpi.goals, goals)
    for idea in plan.action_items:
        if idea.merged_into is not None:
            yield from missing(
                idea.id, "initiative in merged_into", [idea.merged_into], initiatives
            )


def _milestones(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in _live(plan):
        for ms in item.milestones:
            early = item.start is not None and ms.date < item.start
            late = item.end is not None and ms.date > item.end
            if early or late:
                yield _finding(
                    "milestone-outside-dates",
                    item.id,
                    f"Milestone {ms.title!r} of {item.id} on {ms.date} is outside "
                    f"{item.start or '…'} – {item.end or '…'}.",
                )


def _end_before_start(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in plan.initiatives:
        if item.start is not None and item.end is not None and item.end < item.start:
            yield _finding(
                "end-before-start",
                item.id,
                f"Initiative {item.id} ends {item.end}, before it starts {item.start}.",
            )


def _budget(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    if cfg.budget_envelope is None:
        return
    total = sum(i.budget or 0.0 for i in _live(plan))
    envelope = cfg.budget_envelope.amount_eur
    if total > envelope:
        yield _finding(
            "budget-over-envelope",
            plan.name,
            f"Budgets add up to EUR {total:,.0f}, over the envelope of EUR {envelope:,.0f} "
            f"by EUR {total - envelope:,.0f}.",
        )


def _cross_border(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    live = _live(plan)
    if not live or cfg.min_cross_border_share <= 0:
        return
    share = sum(i.cross_border for i in live) / len(live)
    if share < cfg.min_cross_border_share:
        yield _finding(
            "cross-border-share-low",
            plan.name,
            f"{share:.0%} of initiatives are cross-border; the preset asks for at least "
            f"{cfg.min_cross_border_share:.0%}.",
        )


def _gender(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    for item in _live(plan):
        if item.gender_dimension is None and cfg.gender_dimension.applies_to(item.pillar):
            yield _finding(
                "gender-dimension-missing",
                item.id,
                f"Initiative {item.id} (pillar {item.pillar}) has no gender dimension.",
            )


def _size(plan: Plan, cfg: PlanConfig) -> Iterator[Finding]:
    n = len(_live(plan))
    if n < cfg.min_initiatives:
        yield _finding(
            "plan-too-small",
            plan.name,
            f"The plan has {n} initiatives (not counting dropped ones); the preset asks for "
            f"at least {cfg.min_initiatives}.",
        )


_CHECKS: dict[str, Callable[[Plan, PlanConfig], Iterator[Finding]]] = {
    "initiative-no-owner": _owner,
    "initiative-no-kpi": _kpi,
    "initiative-no-timeline": _timeline,
    "initiative-no-goal": _goal,
    "goal-no-initiative": _goal_uncovered,
    "pillar-no-initiative": _pillar,
    "dependency-cycle": _cycles,
    "dependency-order": _dependency_order,
    "unknown-reference": _unknown,
    "milestone-outside-dates": _milestones,
    "end-before-start": _end_before_start,
    "budget-over-envelope": _budget,
    "cross-border-share-low": _cross_border,
    "gender-dimension-missing": _gender,
    "plan-too-small": _size,
}


def lint(plan: Plan, config: PlanConfig, *, rules: Iterable[str] | None = None) -> list[Finding]:
    """Check a plan against its region's plan configuration.

    Dropped initiatives are skipped by the completeness rules but still count for references,
    loops and date order.

    Parameters
    ----------
    plan:
        The plan to check.
    config:
        The region's plan configuration (pillars, envelope, minimum size...).
    rules:
        Only run these rule ids (default: all of :data:`RULES`).

    Returns
    -------
    list of Finding
        Sorted by severity (errors first), rule id, subject and message, so the same plan
        always gives the same list.

    Examples
    --------
    >>> from bioconnect.plan import Plan, Initiative, load_plan_config
    >>> plan = Plan(name="Demo", region="baltic",
    ...     initiatives=[Initiative(id="I1", title="Seed fund", pillar="funding")])
    >>> for f in lint(plan, load_plan_config("baltic"))[:3]:
    ...     print(f.severity, f.rule, f.subject)
    warning cross-border-share-low Demo
    warning gender-dimension-missing I1
    warning initiative-no-goal I1
    """
    selected = list(_CHECKS) if rules is None else list(rules)
    unknown = sorted(set(selected) - set(_CHECKS))
    if unknown:
        raise InputError(
            f"Unknown lint rule(s): {', '.join(unknown)}.", f"Use ids from: {', '.join(RULES)}."
        )
    findings = [f for rule in selected for f in _CHECKS[rule](plan, config)]
    return sorted(
        set(findings), key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule, f.subject, f.message)
    )
