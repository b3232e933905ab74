"""The database: the archive's source of truth (SQLAlchemy 2.x; SQLite by default, PostgreSQL by URL).

Nothing is imported here: a search reads through :mod:`archive.store.readonly` without loading SQLAlchemy.
"""
