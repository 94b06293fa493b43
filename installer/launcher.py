"""Entry point of the frozen build (PyInstaller)."""

import multiprocessing

from microcrm.main import main

# Worker processes of a frozen build re-enter here: freeze_support() lets them
# run their task instead of starting a second MicroCRM.
if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
