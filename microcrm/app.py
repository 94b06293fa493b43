"""Composition root: paths, settings, the database, handed to the UI or the CLI.

Every path has an environment override so tests and scripts never touch a
user's real data: ``MICROCRM_HOME`` (one folder for config, data and cache)
and ``MICROCRM_DB`` (the database, as a path or URL).
"""

from __future__ import annotations

import getpass
import os
import tomllib
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

from microcrm.db import Database
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
        """Local (never shared) search index replica of this database (storage-design §4.2)."""
        return self.paths.cache / "index" / (self.db.meta("db_uuid") or "default")


def build_context(db_override: str | None = None, *, migrate: bool = True) -> AppContext:
    """Load settings and open (create, migrate) the database.

    Raises:
        StorageError: the database cannot be opened safely.
    """
    paths = Paths.for_user()
    settings = Settings.load(paths.settings_file)
    target = database_target(paths, settings, db_override)
    db = open_database(
        target, workstation_id=settings.workstation_id, user_login=settings.login(), migrate=migrate
    )
    return AppContext(paths, settings, db)
