"""The store: SQLAlchemy tables, Alembic migrations, and the SQLite/PostgreSQL differences."""
