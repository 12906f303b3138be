"""``bioconnect users``: accounts and roles for the web app."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import FormatOption, actor
from bioconnect.cli.output import check_format, err, out, print_json
from bioconnect.errors import BioconnectError

users_app = typer.Typer(help="Accounts and roles for the web app.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    role: Annotated[
        str, typer.Option("--role", help="admin, editor, stakeholder or viewer.")
    ] = "viewer",
    display_name: Annotated[str | None, typer.Option("--name", help="Full name shown.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. The password is asked for (or read from stdin), never an argument.

    \b
    Example:
        bioconnect users add alice --role editor --name "Alice Tamm"
    """
    from bioconnect.services.accounts import add_user
    from bioconnect.services.store import connect

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not sys.stdin.isatty():
        raise BioconnectError(
            "The password prompt needs a terminal, and standard input is a pipe or a file.",
            "Pipe the password with --password-stdin, or run the command in a terminal.",
        )
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise BioconnectError("The two passwords differ.", "Type the same password twice.")
    user = add_user(connect(), username, password, role, display_name=display_name, actor=actor())
    err.print(f"Added {user.username} ({user.role.name}).")


@users_app.command("list")
def users_list(fmt: FormatOption = "table") -> None:
    """List the accounts and their roles.

    \b
    Example:
        bioconnect users list --format json
    """
    from bioconnect.services.accounts import list_users
    from bioconnect.services.store import connect

    rows = list_users(connect())
    if check_format(fmt, ("table", "json")) == "json":
        print_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table("user", "name", "role", "active", "since")
    for row in rows:
        table.add_row(
            row.username,
            row.display_name or "",
            row.role,
            "yes" if row.active else "no",
            row.created_at,
        )
    out.print(table)


@users_app.command("set-role")
def users_set_role(
    username: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str, typer.Argument(help="admin, editor, stakeholder or viewer.")],
) -> None:
    """Change an account's role (audited).

    \b
    Example:
        bioconnect users set-role alice admin
    """
    from bioconnect.services.accounts import set_role
    from bioconnect.services.store import connect

    user = set_role(connect(), username, role, actor=actor())
    err.print(f"{user.username} is now {user.role.name}.")
