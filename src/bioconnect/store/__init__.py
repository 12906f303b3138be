"""The store: SQLAlchemy tables, Alembic migrations, and the SQLite/PostgreSQL differences."""

# Registers the dialogue and startup-list tables on the schema's metadata (see
# store/dialogue_tables.py, store/dialogue_rounds_tables.py, store/outcomes_tables.py and
# store/reports_tables.py).
from bioconnect.store import dialogue_rounds_tables as _dialogue_rounds_tables  # noqa: F401
from bioconnect.store import dialogue_tables as _dialogue_tables  # noqa: F401
from bioconnect.store import outcomes_tables as _outcomes_tables  # noqa: F401
from bioconnect.store import reports_tables as _reports_tables  # noqa: F401
