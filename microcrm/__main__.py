"""``python -m microcrm``: same as the ``microcrm`` command."""

from microcrm.main import main

raise SystemExit(main())
