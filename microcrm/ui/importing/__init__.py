"""Directory import in the GUI: the import wizard, the import history, the company search."""
