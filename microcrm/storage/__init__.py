"""Storage plumbing below db.py: location checks, migrations, backups, journal."""
