"""Directory imports: SIRENE, contacts, broker files."""
