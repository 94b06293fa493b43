"""``python -m microcrm``: same as the ``microcrm`` command."""

from microcrm.main import main

# Guarded: worker processes started with "spawn" re-import the main module.
if __name__ == "__main__":
    raise SystemExit(main())
