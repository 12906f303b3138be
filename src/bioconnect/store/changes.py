"""The audit log and the data version: who changed what, and whether readers must look again.

Every write that changes what a reader sees is audited in its own transaction (see
:class:`~bioconnect.store.schema.AuditEntry`), so :func:`audit` is also where the store's
*data version* (the one row of ``data_version``) is raised: a write path cannot record a
change without telling the read caches about it. Session bookkeeping (sign-ins and
sign-outs, :data:`BOOKKEEPING_ENTITIES`) is audited too but changes nothing a reader
sees, so it leaves the version alone and keeps every worker's cache warm.

Inside :func:`bioconnect.store.database.transaction` the version is raised once, as the
transaction's last statement: on PostgreSQL the counter's row lock is then held only
while the transaction commits, so two writers never wait for each other in opposite
orders (an ingest holds its tables' locks until it commits). Elsewhere it is raised at
once.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from bioconnect.store import schema

AUDIT = schema.table(schema.AuditEntry)
DATA_VERSION = schema.table(schema.DataVersion)

#: Audited entities whose changes leave every figure as it was: they do not raise the data
#: version. A report edition records a render of the data; raising the version for it would
#: make the next edition of unchanged data name a different version.
BOOKKEEPING_ENTITIES = frozenset({"session", "report_edition"})

_ROW = 1
_PENDING = "bioconnect.data_changed"


def audit(
    conn: Connection, actor: str, action: str, entity: str, entity_id: str | None, detail: str
) -> None:
    """Write one audit-log entry in the caller's transaction; a data change raises the version."""
    conn.execute(
        AUDIT.insert().values(
            at=schema.utcnow(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
        )
    )
    if entity not in BOOKKEEPING_ENTITIES:
        data_changed(conn)


def data_changed(conn: Connection) -> None:
    """Record that the caller's transaction changes what readers see.

    Within :func:`~bioconnect.store.database.transaction` the version is raised when the
    block ends (once, however often this is called); outside it, now.
    """
    if _PENDING in conn.info:
        conn.info[_PENDING] = True
    else:
        bump_data_version(conn)


def bump_data_version(conn: Connection) -> None:
    """Add one to the data version, in the caller's transaction."""
    raised = conn.execute(
        update(DATA_VERSION)
        .where(DATA_VERSION.c.id == _ROW)
        .values(version=DATA_VERSION.c.version + 1, changed_at=schema.utcnow())
    )
    if raised.rowcount == 0:  # a store made without migration 0005's row
        conn.execute(DATA_VERSION.insert().values(id=_ROW, version=1, changed_at=schema.utcnow()))


def read_data_version(conn: Connection) -> int:
    """The store's data version (0 before the first change)."""
    found = conn.execute(select(DATA_VERSION.c.version).where(DATA_VERSION.c.id == _ROW)).scalar()
    return int(found or 0)


def begin_changes(conn: Connection) -> None:
    """Start collecting :func:`data_changed` calls on ``conn`` (a transaction begins)."""
    conn.info[_PENDING] = False


def end_changes(conn: Connection, *, commit: bool) -> None:
    """Stop collecting; before a commit, raise the version if the transaction changed data."""
    changed = conn.info.pop(_PENDING, False)
    if commit and changed:
        bump_data_version(conn)
