"""Entry point of the frozen build (PyInstaller)."""

from microcrm.main import main

raise SystemExit(main())
