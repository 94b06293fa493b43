"""Alembic environment and revisions, installed as microcrm.migrations."""
