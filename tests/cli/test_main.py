"""The CLI against a real store: every command, its errors, and the generated reference."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import typer.main

from bioconnect.cli.main import app, main
from storekit import ROOT

REFERENCE = ROOT / "docs" / "cli.md"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    db = tmp_path / "cli.sqlite"
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("BIOCONNECT_DATA_DIR", str(data_dir))
    return db


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_regions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "regions")
    assert code == 0 and "baltic" in out and "EE LV LT" in out


def test_commands_on_a_small_store(
    store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # the official samples are a small real store: 100 participations of 42 projects
    preset = tmp_path / "mini" / "preset.yaml"
    preset.parent.mkdir()
    baltic = (ROOT / "src/bioconnect/presets/baltic/preset.yaml").read_text(encoding="utf-8")
    head, _, _ = baltic.partition("\nsources:")
    preset.write_text(
        head.replace("name: baltic", "name: mini")
        + "\nsources:\n  - name: horizon-official-samples\n    kind: cordis\n"
        "    path: cordis/horizon-europe-official-samples\n    programme: HORIZON\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "ingest", "--preset", str(preset))
    assert code == 0, err
    assert "Ingested mini" in err

    code, out, _ = _run(capsys, "atlas", "summary", "--format", "json", "--preset", str(preset))
    data = json.loads(out)
    assert code == 0 and data["region"] == "mini"
    assert set(data["countries"]) == {"EE", "LV", "LT", "FI"}

    code, out, _ = _run(capsys, "orgs", "search", "wageningen", "--format", "json")
    found = json.loads(out)
    assert code == 0 and found[0]["pic"] == "999981634"

    code, out, _ = _run(capsys, "org", "show", "999981634", "--format", "json")
    detail = json.loads(out)
    assert detail["organisation"]["nuts_code"] == "NL221"
    assert {p["field"] for p in detail["provenance"]} >= {"name", "country", "lat", "lon"}
    assert all(p["file"].endswith("organization.csv") for p in detail["provenance"])

    code, out, _ = _run(capsys, "org", "show", "999981634")
    assert code == 0 and "WAGENINGEN UNIVERSITY" in out and "Provenance" in out

    target = tmp_path / "orgs.geojson"
    code, _, err = _run(capsys, "export", "organisations", str(target), "--all")
    assert code == 0, err
    assert json.loads(target.read_text(encoding="utf-8"))["type"] == "FeatureCollection"

    code, _, err = _run(capsys, "review", "list")
    assert code == 0 and "No pending pairs" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["org", "show", "nope"], "No organisation with id or PIC 'nope'"),
        (["atlas", "summary", "--format", "xml"], "Unknown format 'xml'"),
        (["orgs", "search", "  "], "The search text is empty"),
        (["ingest", "--preset", "atlantis"], "No preset called 'atlantis'"),
        (["ingest", "--data-dir", "/nonexistent/folder"], "does not exist"),
        (["review", "accept", "424242"], "No candidate pair with id 424242"),
        (["review", "list", "--status", "maybe"], "Unknown status 'maybe'"),
        (["export", "organisations", "x.pdf"], "unknown format 'pdf'"),
    ],
)
def test_bad_parameters_give_one_line(
    store: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(store: Path) -> None:
    from bioconnect.errors import NotFoundError

    with pytest.raises(NotFoundError):
        main(["--debug", "org", "show", "nope"])


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, path))
        else:
            found.append((path, command))
    return found


def reference() -> str:
    """docs/cli.md, generated from the commands' own help."""
    root = typer.main.get_command(app)
    parts = [
        "# Command reference\n",
        "Generated from `bioconnect --help`; a test keeps it current.\n",
    ]
    for path, command in _commands(root, "bioconnect"):
        ctx = command.context_class(
            command, info_name=path, terminal_width=100, max_content_width=100
        )
        parts.append(f"## `{path}`\n\n```text\n{command.get_help(ctx).strip()}\n```\n")
    return "\n".join(parts)


def test_every_command_has_an_example_and_the_reference_is_current() -> None:
    root = typer.main.get_command(app)
    for path, command in _commands(root, "bioconnect"):
        assert "Example:" in (command.help or ""), path
    text = reference()
    if os.environ.get("UPDATE_DOCS"):
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        "run UPDATE_DOCS=1 pytest tests/cli to refresh docs/cli.md"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["nosuch"],
        ["plan", "nosuch"],
        ["users", "add"],
        ["orgs", "search"],
        ["network", "metrics", "--no-such-option"],
        ["index", "build"],
        ["atlas", "summary", "--format"],
    ],
)
def test_usage_errors_are_one_line_with_the_usage_hint(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.startswith(("Usage: bioconnect", "Try 'bioconnect"))
    assert "Try 'bioconnect" in err and "--help' for help." in err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, err


def test_a_piped_password_is_refused_with_the_way_to_give_it(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    code, out, err = _run(capsys, "users", "add", "bob", "--role", "editor")
    assert code == 1 and "Traceback" not in out + err
    assert "--password-stdin" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    code, _, err = _run(capsys, "users", "add", "bob", "--role", "editor", "--password-stdin")
    assert code == 0, err


def test_tokens_are_made_printed_once_listed_and_revoked(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    assert _run(capsys, "users", "add", "tina", "--password-stdin")[0] == 0
    code, out, err = _run(capsys, "tokens", "create", "tina", "notebook", "--scope", "write")
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("bct_") and "not shown again" in err
    code, out, _ = _run(capsys, "tokens", "list", "tina", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and secret not in out
    assert [(t["name"], t["scope"], t["state"]) for t in listed] == [
        ("notebook", "write", "active")
    ]
    code, _, err = _run(capsys, "tokens", "revoke", "tina", str(listed[0]["id"]))
    assert code == 0 and "revoked" in err
    code, out, _ = _run(capsys, "tokens", "list", "tina")
    assert code == 0 and "revoked" in out
    code, out, err = _run(capsys, "tokens", "create", "tina", "x", "--scope", "admin")
    assert code == 1 and "Use read or write" in err and "Traceback" not in out + err
    code, _, err = _run(capsys, "tokens", "revoke", "nobody", "1")
    assert code == 1 and "No user called" in err
