"""Command-line face: the same services as the GUI, for scripts and batch work.

Exit codes: 0 success, 1 a user error (message printed in French), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy import text

from microcrm import __version__
from microcrm.app import AppContext, build_context
from microcrm.crm.bases import BASES, count_by_base
from microcrm.errors import MicroCRMError
from microcrm.storage.backup import backup_name, backup_postgres, backup_sqlite, check_sqlite
from microcrm.storage.migrate import backups_folder, current_revision, head_revision

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (no subcommand means: start the GUI)."""
    parser = argparse.ArgumentParser(
        prog="microcrm", description="MicroCRM : CRM de bureau pour TPE/PME."
    )
    parser.add_argument(
        "--db", metavar="CHEMIN_OU_URL", help="base à ouvrir (fichier SQLite ou URL PostgreSQL)"
    )
    parser.add_argument("--version", action="version", version=f"MicroCRM {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    sub.add_parser("info", help="mode, emplacement, révision du schéma, effectifs par base")
    demo = sub.add_parser(
        "demo", help="remplit la base avec des données de démonstration réalistes"
    )
    demo.add_argument("--organisations", type=int, default=1000)
    demo.add_argument("--persons", type=int, default=1500)
    demo.add_argument("--documents", type=int, default=0)
    demo.add_argument("--seed", type=int, default=0)
    backup = sub.add_parser("backup", help="sauvegarde vérifiée de la base")
    backup.add_argument("--to", metavar="FICHIER", type=Path)
    sub.add_parser("check", help="contrôle d'intégrité")
    sub.add_parser("share", help="marque la base comme partagée entre plusieurs postes")
    address = sub.add_parser("address", help="adresses postales (NF Z10-011)")
    address_sub = address.add_subparsers(dest="address_command", metavar="ACTION", required=True)
    normalize = address_sub.add_parser("normalize", help="normalise des adresses JSON Lines")
    normalize.add_argument("--input", type=Path, help="fichier JSONL (défaut : entrée standard)")
    normalize.add_argument("--output", type=Path, help="fichier JSONL (défaut : sortie standard)")
    imp = sub.add_parser(
        "import",
        help="importe des fichiers (CSV, TXT, XLSX, vCard, paire SIRENE) ; "
        "« import undo N » annule, « import history » liste",
    )
    imp.add_argument("files", nargs="+", metavar="FICHIER")
    imp.add_argument("--preset", help="préréglage (sirene, broker, outlook, google, vcard…)")
    imp.add_argument(
        "--base",
        default="suspect",
        choices=["suspect", "prospect", "client", "fournisseur", "organisme"],
    )
    imp.add_argument("--update", action="store_true", help="le fichier remplace les valeurs")
    imp.add_argument("--dry-run", action="store_true", help="rapport seul, rien n'est écrit")
    imp.add_argument("--report", type=Path, metavar="FICHIER.json")
    export = sub.add_parser("export", help="exporte les organisations (JSON Lines)")
    export.add_argument("what", choices=["organisations"])
    export.add_argument("--format", default="jsonl", choices=["jsonl"])
    export.add_argument("--output", type=Path, help="fichier (défaut : sortie standard)")
    return parser


def _progress_printer(stream: TextIO) -> Callable[[int, int, str], None]:
    last = [0.0]

    def report(done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        pct = 100 * done // total if total else 100
        stream.write(f"\r{message} {done}/{total} ({pct} %)   ")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return report


def cmd_info(ctx: AppContext, _args: argparse.Namespace) -> int:
    """Print what the user needs to know about the open database."""
    db = ctx.db
    with db.engine.connect() as conn:
        revision = current_revision(conn)
        server = (
            conn.execute(text("select sqlite_version()")).scalar()
            if db.is_sqlite
            else conn.execute(text("show server_version")).scalar()
        )
    with db.read() as session:
        counts = count_by_base(session)
    print(f"MicroCRM {__version__}")
    print(f"Mode : {db.mode.value}")
    print(f"Base : {db.display_location()}")
    print(f"Moteur : {'SQLite' if db.is_sqlite else 'PostgreSQL'} {server}")
    print(f"Révision du schéma : {revision} (application : {head_revision()})")
    print("Effectifs :")
    for base in BASES:
        print(f"  {base.label:<16} {counts[base.key]:>9}")
    return EXIT_OK


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    """Fill the database with realistic demo data."""
    from microcrm.demo import generate

    for name in ("organisations", "persons", "documents"):
        if getattr(args, name) < 0:
            raise MicroCRMError(f"--{name} doit être positif ou nul.")
    report = generate(
        ctx.db,
        organisations=args.organisations,
        persons=args.persons,
        documents=args.documents,
        seed=args.seed,
        ged_root=ctx.ged_root,
        progress=_progress_printer(sys.stderr),
    )
    print(
        f"Démonstration : {report.organisations} organisations, {report.persons} personnes, "
        f"{report.actions} actions, {report.documents} documents en {report.seconds:.1f} s."
    )
    return EXIT_OK


def cmd_backup(ctx: AppContext, args: argparse.Namespace) -> int:
    """Take a verified backup (SQLite backup API, or pg_dump)."""
    db = ctx.db
    with db.engine.connect() as conn:
        revision = current_revision(conn)
    if db.path is None:
        dest = args.to or ctx.paths.data / "backups" / backup_name("manual", revision).replace(
            ".sqlite", ".dump"
        )
        dest.parent.mkdir(parents=True, exist_ok=True)
        backup_postgres(db.url.render_as_string(hide_password=False), dest)
    else:
        dest = args.to or backups_folder(db) / backup_name("manual", revision)
        backup_sqlite(db.path, dest)
    print(f"Sauvegarde vérifiée : {dest}")
    return EXIT_OK


def cmd_check(ctx: AppContext, _args: argparse.Namespace) -> int:
    """Integrity check; exit 1 when the base is damaged."""
    db = ctx.db
    if db.path is None:
        with db.engine.connect() as conn:
            conn.execute(text("select count(*) from organisation")).scalar()
        print("Base PostgreSQL accessible ; schéma à jour.")
        return EXIT_OK
    import sqlite3

    con = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, timeout=30)
    try:
        result = check_sqlite(con)
    finally:
        con.close()
    if result.ok:
        print("Intégrité : OK")
        return EXIT_OK
    print("Intégrité : la base est endommagée.", file=sys.stderr)
    for problem in result.problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_USER


def cmd_share(ctx: AppContext, _args: argparse.Namespace) -> int:
    """Mark the base as shared: never WAL, longer busy timeout, on every workstation."""
    from microcrm.storage.sharing import mark_shared

    mark_shared(ctx.db)
    print("La base est maintenant marquée comme partagée entre plusieurs postes.")
    return EXIT_OK


def cmd_address(_ctx: AppContext | None, args: argparse.Namespace) -> int:
    """``address normalize``: JSON Lines in, JSON Lines out."""
    from microcrm.postal.jsonl import normalize_stream

    src = args.input.open(encoding="utf-8") if args.input else sys.stdin
    dst = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        normalize_stream(src, dst)
    finally:
        if args.input:
            src.close()
        if args.output:
            dst.close()
    return EXIT_OK


def _import_undo_or_history(ctx: AppContext, files: list[str]) -> int | None:
    from microcrm.directory.importer import import_history, undo_import

    if files[0] == "history" and len(files) == 1:
        for b in import_history(ctx.db):
            when = b.created_at.strftime("%Y-%m-%d %H:%M")
            state = "annulé" if b.status == "undone" else "fait"
            sources = ", ".join(Path(s).name for s in b.sources.splitlines())
            print(f"{b.id}\t{when}\t{b.preset}\t{state}\t{sources}")
        return EXIT_OK
    if files[0] == "undo" and len(files) == 2:
        if not files[1].isdigit():
            raise MicroCRMError(f"Numéro d'import invalide : « {files[1]} ».")
        count = undo_import(ctx.db, int(files[1]))
        print(f"Import n° {files[1]} annulé ({count} modifications défaites).")
        return EXIT_OK
    return None


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> int:
    """``import FILE...``, ``import undo N``, ``import history``."""
    import json

    from microcrm.directory.importer import import_files

    done = _import_undo_or_history(ctx, args.files)
    if done is not None:
        return done
    report = import_files(
        ctx.db,
        [Path(f) for f in args.files],
        preset=args.preset,
        base=args.base,
        update=args.update,
        dry_run=args.dry_run,
        progress=_progress_printer(sys.stderr),
    )
    if args.report:
        args.report.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    for entry in report.files:
        print(
            f"{', '.join(Path(s).name for s in entry.sources)} : {entry.records} lignes, "
            f"{entry.organisations_created} organisations et {entry.persons_created} "
            f"personnes créées, {len(entry.rejected.rows)} "
            "lignes refusées."
        )
    if report.batch_id is None:
        print("Simulation : rien n'a été écrit.")
    else:
        print(
            f"Import n° {report.batch_id} enregistré (annulable : microcrm import undo "
            f"{report.batch_id})."
        )
    return EXIT_OK


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> int:
    """``export organisations --format jsonl``: one JSON object per organisation."""
    import json

    from microcrm.directory.importer import export_organisations

    dst = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for org in export_organisations(ctx.db):
            dst.write(json.dumps(org, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            dst.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[AppContext, argparse.Namespace], int]] = {
    "import": cmd_import,
    "export": cmd_export,
    "info": cmd_info,
    "demo": cmd_demo,
    "backup": cmd_backup,
    "check": cmd_check,
    "share": cmd_share,
}
#: Commands that need no database.
OFFLINE: dict[str, Callable[[AppContext | None, argparse.Namespace], int]] = {
    "address": cmd_address
}


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code. ``None`` command is the caller's (GUI)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in OFFLINE:
            return OFFLINE[args.command](None, args)
        # ``check`` must not write (no migration, no heartbeat) into a base it inspects.
        ctx = build_context(args.db, migrate=args.command != "check")
        try:
            return COMMANDS[args.command](ctx, args)
        finally:
            ctx.db.dispose()
    except MicroCRMError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return EXIT_USER
    except OSError as exc:
        print(f"Erreur : {exc.strerror or exc} ({exc.filename or ''})", file=sys.stderr)
        return EXIT_USER


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point without the GUI (``python -m microcrm.cli``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    parsed = build_parser().parse_args(args)
    if parsed.command is None:
        build_parser().print_help()
        return EXIT_USAGE
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
