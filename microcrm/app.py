"""Composition root: paths, settings, the database and the services, for the GUI and the CLI.

:class:`AppContext` builds every service a face needs — the GED content store
(with write verification decided once from the storage mode), the GED service,
the search engine, the mail-merge production, the importer — and both faces
take them from there; no face constructs a store, an engine or a service
itself (docs/architecture.md, "One composition root").

Every path has an environment override so tests and scripts never touch a
user's real data: ``MICROCRM_HOME`` (one folder for config, data and cache)
and ``MICROCRM_DB`` (the database, as a path or URL).
"""

from __future__ import annotations

import getpass
import os
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

from microcrm.db import Database, StorageMode
from microcrm.directory.service import Importer
from microcrm.ged.search import SearchEngine
from microcrm.ged.service import Ged, current_user_id
from microcrm.ged.store import ContentStore
from microcrm.mailing.production import MailMerge
from microcrm.storage.opening import open_database

APP_NAME = "MicroCRM"
DB_FILENAME = "microcrm.sqlite"


@dataclass(frozen=True, slots=True)
class Paths:
    """Where MicroCRM keeps its files on this workstation."""

    config: Path
    data: Path
    cache: Path

    @classmethod
    def for_user(cls) -> Paths:
        """Platformdirs locations, or everything under ``$MICROCRM_HOME`` when set."""
        home = os.environ.get("MICROCRM_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        """The TOML settings of this workstation."""
        return self.config / "settings.toml"

    @property
    def default_database(self) -> Path:
        """The zero-setup local database."""
        return self.data / DB_FILENAME


@dataclass
class Settings:
    """Options the domain and the CLI need, saved as TOML (UI state stays in QSettings).

    Each option is declared once here with its type and default.
    """

    database: str = ""
    """Path or URL of the database; empty means the local default."""
    user_login: str = ""
    """Current user (salesperson) of this workstation; empty means the OS login."""
    workstation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    """Stable id of this workstation in the change journal."""
    ged_folder: str = ""
    """Document store; empty means a ``ged`` folder beside a SQLite database."""
    inbox_folder: str = ""
    """Folder watched for documents to file."""
    inbox_auto_threshold: str = ""
    """Confidence (0–1, e.g. ``"0.90"``) above which inbox files are filed without asking;
    empty means never."""

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings, ignoring unknown keys; a missing file gives defaults (saved)."""
        if not path.exists():
            settings = cls()
            settings.save(path)
            return settings
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        names = {f.name for f in fields(cls)}
        settings = cls(**{k: str(v) for k, v in data.items() if k in names})
        if "workstation_id" not in data:
            settings.save(path)
        return settings

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(path)

    def login(self) -> str:
        """The user login recorded in the journal and on edits."""
        if self.user_login:
            return self.user_login
        try:
            return getpass.getuser()
        except OSError:
            return "utilisateur"


def database_target(paths: Paths, settings: Settings, override: str | None = None) -> str:
    """``--db`` wins, then ``$MICROCRM_DB``, then the saved setting, then the local default."""
    return (
        override
        or os.environ.get("MICROCRM_DB")
        or settings.database
        or str(paths.default_database)
    )


@dataclass
class AppContext:
    """Everything a face (GUI or CLI) needs, built once."""

    paths: Paths
    settings: Settings
    db: Database
    _store: ContentStore | None = field(default=None, init=False, repr=False)

    @property
    def verify_writes(self) -> bool:
        """Re-read and hash-check each file written to the GED: on a shared drive.

        A SQLite base in a shared folder keeps its GED folder on the same share,
        where a write can be acknowledged and still not land (docs/storage.md §4.3);
        PostgreSQL's GED folder is a share as well.
        """
        return self.db.mode is not StorageMode.LOCAL

    @property
    def store(self) -> ContentStore:
        """The GED content store of this database (follows a change of GED folder)."""
        root = self.ged_root
        if self._store is None or self._store.root != root:
            self._store = ContentStore(root, verify_writes=self.verify_writes)
        return self._store

    def open_ged(self) -> Ged:
        """A GED service filing as the workstation's current user; the caller closes it.

        Its text extractor (worker processes) starts with the first file filed.
        """
        return Ged(self.db, self.store, user_id=current_user_id(self.db))

    def open_search(
        self, *, progress: Callable[[int, int, str], None] | None = None
    ) -> SearchEngine:
        """This workstation's search replica, rebuilt first if missing or stale (slow then).

        The caller closes it; call it off the GUI thread.
        """
        return SearchEngine.open(self.index_folder, self.db, self.store, progress=progress)

    @property
    def mailmerge(self) -> MailMerge:
        """Publipostage production and confirmation (wizard and ``microcrm mailmerge``)."""
        return MailMerge(self.db, self.store, self.paths.config)

    @property
    def importer(self) -> Importer:
        """Directory imports: preview, plan, commit, history, undo, export."""
        return Importer(self.db, self.paths.config)

    @property
    def ged_root(self) -> Path:
        """The document store folder for this database."""
        if self.settings.ged_folder:
            return Path(self.settings.ged_folder)
        if self.db.path is not None:
            return self.db.path.parent / "ged"
        return self.paths.data / "ged"

    @property
    def index_folder(self) -> Path:
        """Local (never shared) search index replica of this database (docs/storage.md §4.2)."""
        return self.paths.cache / "index" / (self.db.meta("db_uuid") or "default")


def build_context(
    db_override: str | None = None, *, migrate: bool = True, heartbeat: bool = True
) -> AppContext:
    """Load settings and open (create, migrate) the database.

    Raises:
        StorageError: the database cannot be opened safely.
    """
    paths = Paths.for_user()
    settings = Settings.load(paths.settings_file)
    target = database_target(paths, settings, db_override)
    db = open_database(
        target,
        workstation_id=settings.workstation_id,
        user_login=settings.login(),
        migrate=migrate,
        heartbeat=heartbeat,
    )
    return AppContext(paths, settings, db)
