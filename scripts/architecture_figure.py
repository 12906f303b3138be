"""Draw docs/img/architecture.svg: the layers as the import contract declares them.

uv run python scripts/architecture_figure.py

The picture is drawn from ``[tool.importlinter]`` in pyproject.toml, so it shows the
layers that the contract enforces; tests/test_architecture.py checks that it is current.
"""

from __future__ import annotations

import tomllib
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img" / "architecture.svg"

WIDTH = 760
ROW = 58
GAP = 14
NOTES = {
    "__main__": "python -m bioconnect",
    "cli": "Typer sub-apps, one per capability",
    "web": "FastAPI: <capability>/pages.py and api.py",
    "services": "what users do; typed read models",
    "store": "SQLAlchemy tables, migrations, engine differences",
    "model": "presets, mappings, values",
    "settings": "BIOCONNECT_* settings",
    "presets": "region YAML files",
    "errors": "problem + fix",
    "sources": "file readers, downloads",
    "registry": "entity resolution",
    "network": "graph measures",
    "charts": "Vega-Lite specs",
    "plan": "the action plan",
}


def layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    declared = next(c for c in contracts if c.get("id") == "layers")["layers"]
    return [[name.strip() for name in layer.split("|")] for layer in declared]


def svg() -> str:
    rows = layers()
    height = len(rows) * (ROW + GAP) + GAP + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" role="img" '
        'aria-label="bioconnect layers: each imports only from the layers below it">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        '<text x="12" y="18" font-size="13" fill="#444">Each layer imports only from the '
        "layers below it; boxes side by side are independent of each other.</text>",
    ]
    for i, row in enumerate(rows):
        y = 28 + i * (ROW + GAP)
        box = (WIDTH - 24 - GAP * (len(row) - 1)) / len(row)
        for j, name in enumerate(row):
            x = 12 + j * (box + GAP)
            fill = "#e8f0fe" if len(row) > 1 else "#f1f3f4"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{box:.1f}" height="{ROW}" rx="6" '
                f'fill="{fill}" stroke="#5f6368"/>'
            )
            parts.append(
                f'<text x="{x + box / 2:.1f}" y="{y + 24}" font-size="15" font-weight="bold" '
                f'text-anchor="middle" fill="#202124">{escape(name)}</text>'
            )
            note = NOTES.get(name, "")
            if note and box > 110:
                parts.append(
                    f'<text x="{x + box / 2:.1f}" y="{y + 44}" font-size="11" '
                    f'text-anchor="middle" fill="#5f6368">{escape(note)}</text>'
                )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(svg(), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
