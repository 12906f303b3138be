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


tokens_app = typer.Typer(
    help="Personal API tokens: how scripts call the API without a browser.",
    no_args_is_help=True,
)


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument(help="The account the token acts for.")],
    name: Annotated[str, typer.Argument(help="What uses the token, e.g. 'notebook'.")],
    scope: Annotated[
        str, typer.Option("--scope", help="read (safe methods only) or write.")
    ] = "read",
    days: Annotated[int, typer.Option("--days", help="Days until it expires (1–365).")] = 90,
) -> None:
    """Make a token; it is printed once, on standard output, and never shown again.

    The token acts with the account's role. Send it as `Authorization: Bearer <token>`.

    \b
    Example:
        bioconnect tokens create alice notebook --scope write --days 30
    """
    from bioconnect.services.store import connect
    from bioconnect.services.tokens import create_token

    made = create_token(connect(), username, name, scope, days=days, actor=actor())
    details = made.details
    err.print(
        f"Token {details.id} ({details.scope}) for {username.strip().lower()}, "
        f"valid until {details.expires_at}. Copy it now: it is not shown again."
    )
    sys.stdout.write(made.token + "\n")


@tokens_app.command("list")
def tokens_list(
    username: Annotated[str, typer.Argument(help="The account.")],
    fmt: FormatOption = "table",
) -> None:
    """List an account's tokens (never their secrets).

    \b
    Example:
        bioconnect tokens list alice --format json
    """
    from bioconnect.services.store import connect
    from bioconnect.services.tokens import list_tokens

    rows = list_tokens(connect(), username)
    if check_format(fmt, ("table", "json")) == "json":
        print_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table("id", "name", "scope", "made", "expires", "state")
    for row in rows:
        table.add_row(str(row.id), row.name, row.scope, row.created_at, row.expires_at, row.state)
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    username: Annotated[str, typer.Argument(help="The account.")],
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).")],
) -> None:
    """Revoke a token at once (audited; revoking twice is harmless).

    \b
    Example:
        bioconnect tokens revoke alice 3
    """
    from bioconnect.services.store import connect
    from bioconnect.services.tokens import revoke_token

    token = revoke_token(connect(), username, token_id, actor=actor())
    err.print(f"Token {token.id} ({token.name}) of {username.strip().lower()} is revoked.")
