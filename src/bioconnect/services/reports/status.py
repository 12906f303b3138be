"""The status report: the region's ecosystem against its reference, from every capability.

Each ``_section`` function calls the services the web pages call and returns what the
template shows (figures, tables, facts) and the key figures an edition keeps; nothing
here computes a measure.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bioconnect.errors import BioconnectError, ConflictError, NotFoundError
from bioconnect.model.preset import Preset
from bioconnect.reports.document import Figure, ReportDocument, Source, Table
from bioconnect.services.progress import Progress
from bioconnect.services.reports import provenance
from bioconnect.services.reports.figures import chart

ATLAS = ("atlas",)
NETWORK = ("atlas", "bioconnect")
BENCH = ("eis", "bioconnect")
BROKERS = 10


class Collected:
    """What the sections gathered: content by section, key figures and sources."""

    def __init__(self) -> None:
        self.content: dict[str, Any] = {}
        self.figures: dict[str, str] = {}
        self.sources: dict[str, Source] = {}


def _country_table(everything: Any, out: Collected) -> Table:
    programmes = sorted({p for c in everything.countries.values() for p in c.participations})
    rows = []
    for code, figures in everything.countries.items():
        rows.append(
            [
                code,
                figures.role,
                figures.organisations,
                *(figures.participations.get(p, 0) for p in programmes),
                round(sum(figures.ec_contribution_eur.values()) / 1e6, 1),
            ]
        )
        for p in programmes:
            out.figures[f"{code} {p} participations (all research)"] = (
                f"{figures.participations.get(p, 0):,}"
            )
    return Table.of(
        "Organisations and participations by country, all research",
        [
            "Country",
            "Role",
            "Organisations",
            *(f"{p} participations" for p in programmes),
            "EC contribution (EUR M)",
        ],
        rows,
        sources=ATLAS,
        method="distinct organisations and participation rows per country, every "
        "programme loaded; EC contribution summed over participations.",
    )


def _file_table(engine: Engine, preset: Preset, out: Collected) -> Table:
    by_file = provenance.participations_by_file(engine, preset.all_countries)
    counts = {(path, c): n for path, c, n in by_file}
    for path, c, n in by_file:
        out.figures[f"{c} participations in {path}"] = f"{n:,}"
    return Table.of(
        "Participations by file and country, as each file gave them",
        ["File", *preset.all_countries],
        [
            [path, *(counts.get((path, c), 0) for c in preset.all_countries)]
            for path in sorted({path for path, _, _ in by_file})
        ],
        sources=ATLAS,
        method="participation rows stored from each file, after the ingest removed "
        "repeats (docs/atlas.md).",
    )


def _breakdown(summary: Any, attribute: str, title: str, method: str) -> Table:
    """Organisations per country by stakeholder group or by domain, in the focus."""
    codes = list(summary.countries)
    parts = [getattr(summary.countries[c], attribute) for c in codes]
    keys = sorted({k for part in parts for k in part})
    return Table.of(
        f"Organisations by {title} and country, {summary.scope.label}",
        [title.capitalize(), *codes],
        [[k, *(part[k].organisations if k in part else 0 for part in parts)] for k in keys],
        sources=ATLAS,
        method=method,
    )


def _atlas(engine: Engine, preset: Preset, out: Collected) -> None:
    from bioconnect.services.atlas import atlas_summary, dashboard

    d = dashboard(engine, preset, "focus")
    everything = atlas_summary(engine, preset, "all")
    if not everything.rows:
        raise ConflictError(
            f"The store holds no atlas data for the {preset.name} preset.",
            f"Load it first: `bioconnect ingest --preset {preset.name}`.",
        )
    summary = d.summary
    out.content["atlas"] = {
        "scope": summary.scope,
        "named": summary.named,
        "countries": _country_table(everything, out),
        "files": _file_table(engine, preset, out),
        "groups": _breakdown(
            summary,
            "by_group",
            "stakeholder group",
            "distinct organisations with at least one participation in scope.",
        ),
        "domains": _breakdown(
            summary,
            "by_domain",
            "domain",
            "domains from the preset's rules on programme parts and topics; "
            "a project may have several.",
        ),
        "chart": chart(
            d.chart_spec,
            f"Participations per country by stakeholder group, {summary.scope.label}",
            sources=ATLAS,
            method="participation rows in scope, stacked by the organisation's group.",
        ),
    }
    out.content["dashboard"] = d
    out.figures["organisations in focus"] = (
        f"{sum(c.organisations for c in summary.countries.values()):,}"
    )


def _map(engine: Engine, preset: Preset, out: Collected) -> None:
    from bioconnect.charts.maps import region_map_chart
    from bioconnect.services.maps import atlas_map

    try:
        geo = atlas_map(engine, preset=preset.name, level=2)
    except BioconnectError as exc:
        out.content["map"] = chart(
            None,
            "Organisations per NUTS 2 region",
            sources=ATLAS,
            method="",
            empty_reason=exc.problem,
        )
        return
    features = [f.model_dump() for f in geo.features]
    placed = geo.coverage.placed if geo.coverage else 0
    total = geo.coverage.organisations if geo.coverage else 0
    out.content["map"] = chart(
        region_map_chart(features, "Organisations per NUTS 2 region") if features else None,
        f"Organisations per NUTS 2 region ({placed:,} of {total:,} organisations placed)",
        sources=("atlas", "places"),
        method="organisations counted in the NUTS 2 region their coordinates fall in "
        "(official coordinates, else their city geocoded offline); five quantile classes.",
        empty_reason="no organisation could be placed in a NUTS 2 region.",
    )
    out.figures["organisations placed in NUTS 2"] = f"{placed:,} of {total:,}"
    out.sources["places"] = provenance.places_source(engine)


def _brokers(summary: Any) -> Table:
    return Table.of(
        "Brokers between countries",
        ["Organisation", "Country", "Group", "Partner countries", "Broker score"],
        [
            [
                b.name or f"PIC {b.pic}",
                b.country,
                b.stakeholder_group,
                b.partner_groups,
                b.broker_score,
            ]
            for b in summary.brokers_between_countries[:BROKERS]
        ],
        sources=NETWORK,
        method=f"the {BROKERS} organisations with the highest betweenness on shortest paths "
        "between organisations of different countries (Brandes 2008; Gould and Fernandez "
        "1989), in the focus network.",
        empty_reason="the network has no organisation tying countries together.",
    )


def _network(engine: Engine, preset: Preset, out: Collected) -> None:
    from bioconnect.charts.specs import cross_border_chart
    from bioconnect.services.network import (
        NetworkQuery,
        network_communities,
        network_matrix,
        network_timeline,
    )

    d = out.content["dashboard"]
    if d.network is None:
        out.content["network"] = None
        return
    focus = tuple(d.summary.scope.domains)
    query = NetworkQuery(preset=preset.name, countries=tuple(preset.all_countries), domains=focus)
    matrix = network_matrix(engine, query)
    communities = network_communities(engine, query)
    timeline = network_timeline(engine, query)
    largest = sorted(communities.communities, key=lambda c: (-c.size, c.community))[:8]
    out.content["network"] = {
        "summary": d.network,
        "region_only": d.network_region_only,
        "ties_counted": d.ties_counted,
        "ties_counted_region_only": d.ties_counted_region_only,
        "matrix": Table.of(
            "Ties between organisations by country pair, focus network",
            ["Country", *(str(c) for c in matrix.columns)],
            [
                [str(i), *(int(v) for v in row)]
                for i, row in zip(matrix.index, matrix.values, strict=True)
            ],
            sources=NETWORK,
            method="co-participation ties (two organisations in one project) counted per "
            "pair of countries; the diagonal counts ties within a country.",
        ),
        "brokers": _brokers(d.network),
        "communities": Table.of(
            f"The largest communities ({communities.n_communities} in all, modularity "
            f"{communities.modularity:.2f})",
            ["Community", "Organisations", "Countries"],
            [
                [c.community, c.size, ", ".join(f"{k} {v}" for k, v in sorted(c.countries.items()))]
                for c in largest
            ],
            sources=NETWORK,
            method="Leiden communities (modularity, resolution 1, seed 0; Traag et al. 2019).",
        ),
        "chart": chart(
            cross_border_chart(
                [r.model_dump() for r in timeline.country_links], "Cross-border ties per start year"
            ),
            "Cross-border ties per start year and country pair, focus network",
            sources=NETWORK,
            method="ties of projects starting in each year, between organisations of two countries.",
        ),
    }
    shares = {"with reference": d.network, "region only": d.network_region_only}
    for which, network in shares.items():
        if network is not None and network.cross_border_share.edges is not None:
            out.figures[f"cross-border share ({which})"] = f"{network.cross_border_share.edges:.3f}"


GROUP_NAMES = ("Emerging", "Moderate", "Strong", "Leader")


def _group_table(o: Any, method: str) -> Table:
    return Table.of(
        f"Performance groups in {o.year} and how sure they are",
        [
            "Country",
            "Group",
            "SII (% of EU)",
            *(f"P({g})" for g in GROUP_NAMES),
            "The file's own label",
        ],
        [
            [
                x.country,
                x.group,
                x.sii_share,
                *(x.probabilities.get(g, 0.0) for g in GROUP_NAMES),
                x.file_label,
            ]
            for x in o.odds
        ],
        sources=BENCH,
        method=method,
    )


def _benchmark_charts(page: Any, method_groups: str) -> dict[str, Any]:
    o = page.overview
    shown = {
        "sii": (
            f"Summary Innovation Index, {o.edition.name}",
            "the SII as % of the EU's in each year.",
        ),
        "odds": (f"How sure the {o.year} group is", method_groups),
        "profile": (f"Dimension profiles, {o.year}", "each dimension's score as % of the EU's."),
        "best_practice": (
            f"Best-practice matrix against {o.reference}, {o.year}",
            f"each dimension's score as % of {o.reference}'s.",
        ),
    }
    return {
        name: chart(page.charts[name], title, sources=BENCH, method=method)
        for name, (title, method) in shown.items()
    }


def _cooperation_table(o: Any) -> Table:
    return Table.of(
        "Areas for cooperation: one country strong where another is weak",
        ["Dimension", "Strong", "Strong vs EU", "Weak", "Weak vs EU"],
        [
            [a.name, a.strong_country, a.strong_vs_eu, a.weak_country, a.weak_vs_eu]
            for a in o.cooperation
        ],
        sources=BENCH,
        method="dimensions where one country scores above the EU and another below it.",
        empty_reason="no dimension has one country above the EU and another below it.",
    )


def _benchmark(engine: Engine, preset: Preset, out: Collected) -> None:
    from bioconnect.services.benchmark_overview import IMPORT_COMMAND, benchmark_page

    try:
        page = benchmark_page(engine, preset.name)
    except NotFoundError as exc:
        raise ConflictError(
            "The status report needs benchmark data, and the store holds no scoreboard "
            f"edition ({exc.problem}).",
            f"Load the European Innovation Scoreboard first: `{IMPORT_COMMAND}`.",
        ) from exc
    o = page.overview
    out.sources["eis"] = provenance.benchmark_source(
        o.edition.name, o.edition.path, o.edition.sha256, o.edition.years
    )
    for odds in o.odds:
        out.figures[f"{odds.country} EIS group {odds.year}"] = odds.group
    method_groups = (
        f"{o.method}; probabilities from resampling the indicators "
        "(the share of runs in each group)."
    )
    out.content["benchmark"] = {
        "overview": o,
        "odds": _group_table(o, method_groups),
        "charts": _benchmark_charts(page, method_groups),
        "strengths": _strengths(dict(o.profiles)),
        "cooperation": _cooperation_table(o),
    }
    out.content["biotech"] = _biotech(engine, preset)


def _biotech(engine: Engine, preset: Preset) -> Figure:
    from bioconnect.services.benchmark_overview import biotech_page

    try:
        biotech = biotech_page(engine, preset.name)
    except BioconnectError as exc:
        return chart(
            None, "Biotech research index", sources=BENCH, method="", empty_reason=exc.problem
        )
    return chart(
        biotech.chart,
        f"Biotech research index with rank intervals ({len(biotech.index.units)} countries)",
        sources=("atlas", "eis", "bioconnect"),
        method="COINr's method: normalised, weighted and aggregated indicators; rank "
        "intervals from the uncertainty analysis (5th–95th percentile).",
    )


def _strengths(profiles: dict[str, list[Any]]) -> Table:
    rows = []
    for country, dims in profiles.items():
        scored = sorted((r for r in dims if r.vs_eu is not None), key=lambda r: -r.vs_eu)
        if scored:
            rows.append(
                [
                    country,
                    ", ".join(r.name for r in scored[:3]),
                    ", ".join(r.name for r in scored[-3:][::-1]),
                ]
            )
    return Table.of(
        "Strengths and weaknesses: the three strongest and weakest dimensions against the EU",
        ["Country", "Strengths", "Weaknesses"],
        rows,
        sources=BENCH,
        method="dimensions ordered by score as % of the EU's, as the profile chart shows them.",
    )


def _dialogue(engine: Engine, out: Collected) -> None:
    from bioconnect.services.dialogue import list_consultations
    from bioconnect.services.dialogue.results import consultation_results

    shown = []
    for summary in list_consultations(engine):
        key = f"dialogue:{summary.name}"
        out.sources[key] = provenance.consultation_source(
            summary.name, summary.title, summary.source
        )
        view = consultation_results(engine, summary.name, individual=False)
        report = view.report
        groups = Table.of(
            f"Opinion groups of {summary.title!r}",
            ["Group", "Participants", "Most representative statement"],
            [
                [g.group + 1, g.size, g.representative[0].text if g.representative else "–"]
                for g in (report.groups if report else [])
            ],
            sources=(key, "bioconnect"),
            method="Pol.is's method: PCA of the vote matrix, k-means groups, representative "
            "statements by a two-proportion test.",
            empty_reason="nobody has voted yet.",
        )
        consensus = Table.of(
            f"Consensus in {summary.title!r}: statements most participants agree with",
            ["Statement", "Agree (share)", "Votes"],
            [[c.text, c.p_success, c.n_trials] for c in (report.consensus.agree if report else [])],
            sources=(key, "bioconnect"),
            method="statements whose agreement is significantly above one half (Pol.is's "
            "consensus test).",
            empty_reason="no statement has significant overall agreement yet.",
        )
        shown.append(
            {
                "summary": summary,
                "groups": groups,
                "consensus": consensus,
                "participation": chart(
                    view.participation_spec,
                    f"Participants voting per week in {summary.title!r}",
                    sources=(key,),
                    method="participants who voted, per week and stakeholder group.",
                    empty_reason="the export has no vote times, or nobody has voted.",
                ),
            }
        )
        out.figures[f"consultation {summary.name} participants"] = f"{summary.participants:,}"
    out.content["dialogue"] = shown


def _recommendations(out: Collected) -> None:
    """Where to cooperate, in words, from the benchmark and network tables above."""
    bench = out.content["benchmark"]
    items = [
        f"{a.name}: {a.weak_country} can learn from {a.strong_country} "
        f"({a.strong_vs_eu:.0f}% against {a.weak_vs_eu:.0f}% of the EU)."
        for a in bench["overview"].cooperation[:6]
    ]
    network = out.content.get("network")
    if network is not None:
        items += [
            f"{b.name or 'PIC ' + str(b.pic)} ({b.country}) already ties {b.partner_groups} "
            "countries together: a natural host for cross-border initiatives."
            for b in network["summary"].brokers_between_countries[:3]
        ]
    out.content["recommendations"] = items


def status_content(engine: Engine, preset: Preset, progress: Progress) -> Collected:
    """Every section of the status report, in order, with its sources and key figures."""
    out = Collected()
    out.sources["atlas"] = provenance.atlas_source(engine, preset.name)
    steps = (
        ("atlas", lambda: _atlas(engine, preset, out)),
        ("benchmark", lambda: _benchmark(engine, preset, out)),
        ("map", lambda: _map(engine, preset, out)),
        ("network", lambda: _network(engine, preset, out)),
        ("dialogue", lambda: _dialogue(engine, out)),
        ("recommendations", lambda: _recommendations(out)),
    )
    for name, step in steps:
        progress.step(name)
        step()
    out.sources["bioconnect"] = provenance.method_source()
    return out


def status_document(
    engine: Engine, preset: Preset, created: str, version: int, progress: Progress
) -> ReportDocument:
    """The status report of ``preset`` as a document for the ``status`` template."""
    progress.start(8, "status report")
    out = status_content(engine, preset, progress)
    reference = ", ".join(preset.reference_countries) or "none"
    return ReportDocument(
        kind="status",
        title=f"Status report: {preset.label}",
        subtitle=f"{', '.join(preset.countries)} against {reference}: the atlas, the "
        "collaboration network, the benchmark and the dialogue.",
        created=created,
        parameters={"preset": preset.name, "scope": "focus"},
        data_version=version,
        content={**out.content, "preset": preset},
        sources=tuple(out.sources.values()),
        key_figures=out.figures,
    )
