"""Command-line face: the same services as the GUI, for scripts and batch work.

Exit codes: 0 success, 1 a user error (message printed in French), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from microcrm import __version__
from microcrm.app import AppContext, build_context
from microcrm.crm.bases import BASES, count_by_base
from microcrm.errors import MicroCRMError
from microcrm.storage.admin import check_database, database_info, take_backup
from microcrm.text import printable, short_date

if TYPE_CHECKING:
    from microcrm.directory.importer import FileReport
    from microcrm.ged.search import SearchEngine

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
    restore = sub.add_parser(
        "restore", help="remplace la base par une sauvegarde vérifiée (tous postes fermés)"
    )
    restore.add_argument("backup_file", metavar="SAUVEGARDE", type=Path)
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
    _add_mailmerge_parser(sub)
    _add_ged_parser(sub)
    return parser


def _add_mailmerge_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``mailmerge``: publipostage, JSON summary on standard output."""
    merge = sub.add_parser(
        "mailmerge",
        help="publipostage : lettres PDF/DOCX d'un segment ou d'une base, étiquettes, campagne",
    )
    merge.add_argument("--template", required=True, metavar="NOM_OU_FICHIER")
    source = merge.add_mutually_exclusive_group(required=True)
    source.add_argument("--segment", metavar="NOM")
    source.add_argument("--base", metavar="BASE")
    merge.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="CLE=VALEUR",
        help="filtre (répétable) : departement=35, commercial=login, etiquette=X, "
        "traite=oui|non, recherche=texte",
    )
    merge.add_argument("--output", required=True, type=Path, metavar="FICHIER.pdf|FICHIER.docx")
    merge.add_argument("--labels", metavar="FORMAT", help="étiquettes (L7160, L7163…)")
    merge.add_argument("--labels-start", type=int, default=1, metavar="N")
    merge.add_argument("--enveloppes", metavar="FORMAT", help="enveloppes imprimées (DL, C5, C4)")
    merge.add_argument(
        "--fenetre",
        default="DL",
        choices=["DL", "C5"],
        help="fenêtre des enveloppes (position mesurée dans l'assistant si enregistrée)",
    )
    merge.add_argument("--confirm", action="store_true", help="enregistre la campagne envoyée")
    merge.add_argument("--name", metavar="NOM", help="nom de la campagne")
    merge.add_argument("--date", metavar="AAAA-MM-JJ", help="date des lettres")
    merge.add_argument("--champ", action="append", default=[], metavar="NOM=VALEUR")
    merge.add_argument("--par-contact", action="store_true", help="une lettre par contact")


def _add_ged_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """``ged``: the document store; one sub-parser per action."""
    ged = sub.add_parser("ged", help="GED : classer, rechercher, réindexer les documents")
    ged_sub = ged.add_subparsers(dest="ged_command", metavar="ACTION", required=True)
    add = ged_sub.add_parser("add", help="classe des fichiers dans les dossiers d'un client")
    add.add_argument("--client", required=True, metavar="NUMERO_OU_SIRET")
    add.add_argument("--dossier", metavar="NOM", help="dossier (créé s'il manque) ; défaut : "
                     "selon le type (Factures, Devis…)")
    add.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    inbox = ged_sub.add_parser("inbox", help="classe les fichiers d'un dossier d'arrivée")
    inbox.add_argument("path", type=Path, metavar="DOSSIER")
    inbox.add_argument("--auto-threshold", type=float, default=0.9, metavar="0-1",
                       help="confiance à partir de laquelle un fichier est classé (défaut 0.9)")
    search = ged_sub.add_parser("search", help="recherche plein texte dans les documents")
    search.add_argument("query", metavar="RECHERCHE",
                        help='mots, "expression", préfixe*, -exclu, OR, client:, type:, '
                        "dossier:, tag:, date:2025 ou date:2025-01..2025-06")
    search.add_argument("--client", metavar="NUMERO_SIRET_OU_NOM",
                        help="limite la recherche à un client")
    search.add_argument("--limit", type=int, default=20, metavar="N")
    search.add_argument("--json", action="store_true", help="résultats en JSON")
    ged_sub.add_parser("reindex", help="reconstruit l'index de recherche de ce poste")
    return ged_sub


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
    about = database_info(db)
    with db.read() as session:
        counts = count_by_base(session)
    print(f"MicroCRM {__version__}")
    print(f"Mode : {db.mode.value}")
    print(f"Base : {db.display_location()}")
    print(f"Moteur : {about.engine}")
    print(f"Révision du schéma : {about.revision} (application : {about.app_revision})")
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
    dest = take_backup(ctx.db, args.to, data_folder=ctx.paths.data)
    print(f"Sauvegarde vérifiée : {dest}")
    return EXIT_OK


def cmd_check(ctx: AppContext, _args: argparse.Namespace) -> int:
    """Integrity check; exit 1 when the base is damaged."""
    result = check_database(ctx.db)
    if ctx.db.path is None:
        print("Base PostgreSQL accessible ; schéma à jour.")
        return EXIT_OK
    for note in result.notes:
        print(f"Note : {note}.")
    if result.ok:
        print("Intégrité : OK")
        return EXIT_OK
    print("Intégrité : la base est endommagée.", file=sys.stderr)
    for problem in result.problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_USER


def cmd_restore(_ctx: AppContext | None, args: argparse.Namespace) -> int:
    """Replace the SQLite base with a verified backup; the base is not opened first.

    Opening it would migrate it or write a heartbeat into a base that may be
    damaged (the reason to restore), so the command only resolves its path.
    """
    from microcrm.app import Paths, Settings, database_target
    from microcrm.db import to_url
    from microcrm.storage.admin import restore_backup

    paths = Paths.for_user()
    url = to_url(database_target(paths, Settings.load(paths.settings_file), args.db))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise MicroCRMError(
            "La restauration d'une base PostgreSQL se fait avec pg_restore "
            "(sauvegarde « microcrm backup » au format -Fc)."
        )
    report = restore_backup(Path(url.database), args.backup_file)
    if report.previous is not None:
        kind = "sauvegarde vérifiée" if report.previous_verified else "copie brute (base illisible)"
        print(f"Base remplacée mise de côté ({kind}) : {report.previous}")
    print(f"Base restaurée depuis {args.backup_file.expanduser().resolve()} : {report.restored}")
    print("L'index de recherche de chaque poste sera reconstruit à sa prochaine ouverture.")
    return EXIT_OK


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
    if files[0] == "history" and len(files) == 1:
        for b in ctx.importer.history():
            when = b.created_at.strftime("%Y-%m-%d %H:%M")
            state = "annulé" if b.status == "undone" else "fait"
            sources = ", ".join(Path(s).name for s in b.sources.splitlines())
            print(f"{b.id}\t{when}\t{b.preset}\t{state}\t{sources}")
        return EXIT_OK
    if files[0] == "undo" and len(files) in (2, 3):
        if not files[1].isdigit():
            raise MicroCRMError(f"Numéro d'import invalide : « {files[1]} ».")
        if len(files) == 3 and files[2] not in ("confirmer", "confirm"):
            raise MicroCRMError(
                f"« {files[2]} » inattendu : microcrm import undo {files[1]} confirmer"
            )
        plan = ctx.importer.plan_undo(int(files[1]))
        for line in plan.lines():
            print(line)
        if len(files) == 2:  # the plan only: nothing is removed without the confirmation
            print(
                "Rien n'a été annulé. Pour appliquer ce plan : "
                f"microcrm import undo {files[1]} confirmer"
            )
            return EXIT_OK
        result = ctx.importer.undo(int(files[1]))
        print(f"Import n° {files[1]} annulé ({result.undone} modifications défaites).")
        for line in result.skipped:
            print(f"  conservé : {line}")
        return EXIT_OK
    return None


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> int:
    """``import FILE...``, ``import undo N``, ``import history``."""
    import json

    done = _import_undo_or_history(ctx, args.files)
    if done is not None:
        return done
    report = ctx.importer.import_files(
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
            f"lignes refusées, {len(entry.warnings.rows)} avertissements."
        )
        _print_import_details(entry)
    if report.batch_id is None:
        print("Simulation : rien n'a été écrit.")
    else:
        print(
            f"Import n° {report.batch_id} enregistré (annulable : microcrm import undo "
            f"{report.batch_id})."
        )
    return EXIT_OK


def _print_import_details(entry: FileReport, shown: int = 10) -> None:
    """What the summary line does not say: refusals, warnings, columns kept in notes or not."""
    if entry.notes_columns:
        names = ", ".join(f"« {c} »" for c in entry.notes_columns)
        print(f"  Colonnes conservées dans les notes : {names}")
    if entry.ignored_columns:
        names = ", ".join(f"« {c} »" for c in entry.ignored_columns)
        print(f"  Colonnes ignorées : {names}")
    for title, rows in (("Refusée", entry.rejected.rows), ("Avertissement", entry.warnings.rows)):
        for issue in rows[:shown]:
            where = "" if issue.detail.startswith(issue.locator) else f"{issue.locator} — "
            print(f"  {title} : {where}{issue.detail}")
        if len(rows) > shown:
            print(f"  … et {len(rows) - shown} de plus (détail : --report FICHIER.json)")


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> int:
    """``export organisations --format jsonl``: one JSON object per organisation."""
    import json

    dst = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for org in ctx.importer.export_organisations():
            dst.write(json.dumps(org, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            dst.close()
    return EXIT_OK


def cmd_mailmerge(ctx: AppContext, args: argparse.Namespace) -> int:
    """``mailmerge``: produce a run (and record it with ``--confirm``), print a JSON summary."""
    import datetime as dt
    import json

    from microcrm.mailing.command import MailmergeRequest, parse_custom, run_mailmerge

    try:
        run_date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise MicroCRMError(f"Date invalide « {args.date} » (attendu : AAAA-MM-JJ).") from exc
    request = MailmergeRequest(
        template=args.template,
        output=args.output,
        segment=args.segment,
        base=args.base,
        where=args.where,
        labels=args.labels,
        labels_start=args.labels_start,
        envelope=args.enveloppes,
        window=args.fenetre,
        confirm=args.confirm,
        name=args.name,
        run_date=run_date,
        custom=parse_custom(args.champ),
        per_contact=args.par_contact,
    )
    summary = run_mailmerge(ctx.mailmerge, request, progress=_progress_printer(sys.stderr))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_ged_add(ctx: AppContext, args: argparse.Namespace) -> int:
    """``ged add --client X [--dossier D] FILE...``: one line per file filed."""
    ged = ctx.open_ged()
    try:
        client = ged.resolve_client(args.client)
        results = ged.add_files(args.files, organisation_id=client, dossier_name=args.dossier)
    finally:
        ged.close()
    for r in results:
        state = ("nouveau" if r.new_document else "déjà classé, inchangé" if r.unchanged
                 else "nouvelle version")
        print(f"{printable(r.path.name)} : document {r.document_id} v{r.version} ({state}) "
              f"dans « {r.dossier_path} »")
        if r.extraction_note:
            print(f"  texte non lu : {r.extraction_note}")
    return EXIT_OK


def cmd_ged_inbox(ctx: AppContext, args: argparse.Namespace) -> int:
    """``ged inbox PATH``: file what matches a client, list the rest with proposals."""
    from microcrm.ged.inbox import scan_inbox

    if not 0 <= args.auto_threshold <= 1:
        raise MicroCRMError("--auto-threshold doit être compris entre 0 et 1.")
    if not args.path.is_dir():
        raise MicroCRMError(f"Dossier introuvable : {args.path}")
    ged = ctx.open_ged()
    try:
        report = scan_inbox(ged, args.path, auto_threshold=args.auto_threshold,
                            progress=_progress_printer(sys.stderr))
        names = ged.client_names(m.organisation_id for p in report.pending for m in p.matches)
    finally:
        ged.close()
    for path, result, match in report.filed:
        print(f"Classé : {printable(path.name)} → client {match.organisation_id}, "
              f"« {result.dossier_path} » (document {result.document_id}, "
              f"confiance {match.confidence:.0%} : {match.reason})")
    for item in report.pending:
        proposals = " ; ".join(
            f"{names.get(m.organisation_id, m.organisation_id)} (n° {m.organisation_id}, "
            f"{m.confidence:.0%})" for m in item.matches) or "aucune proposition"
        why = f" (non classé : {item.error})" if item.error else ""
        print(f"À classer : {printable(item.path.name)} — {proposals}{why}")
    print(f"{len(report.filed)} fichier(s) classé(s), {len(report.pending)} à classer.")
    return EXIT_OK


def _search_engine(ctx: AppContext, *, progress: bool = False) -> SearchEngine:
    """This workstation's search replica (rebuilt first if missing or stale)."""
    return ctx.open_search(progress=_progress_printer(sys.stderr) if progress else None)


def cmd_ged_search(ctx: AppContext, args: argparse.Namespace) -> int:
    """``ged search QUERY [--client X] [--limit N] [--json]``: the best documents."""
    import html
    import json
    import re

    if args.limit < 1:
        raise MicroCRMError("--limit doit être au moins 1.")
    query, organisation_id = args.query, None
    if args.client:
        if "".join(args.client.split()).isdigit():
            ged = ctx.open_ged()
            try:
                organisation_id = ged.resolve_client(args.client)
            finally:
                ged.close()
        else:
            query = f'{query} client:"{args.client}"'
    engine = _search_engine(ctx)
    try:
        results = engine.search(query, organisation_id=organisation_id, limit=args.limit)
    finally:
        engine.close()
    if args.json:
        rows = [{"document_id": h.document_id, "client": h.client, "dossier": h.dossier,
                 "title": h.title, "type": h.doc_type,
                 "date": h.doc_date.isoformat() if h.doc_date else None,
                 "score": round(h.score, 4), "snippet": h.snippet} for h in results.hits]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    about = "environ " if results.total_is_estimate else ""
    print(f"{about}{results.total} document(s) ({results.took_ms:.0f} ms)")
    for h in results.hits:
        when = short_date(h.doc_date) or "sans date"
        print(f"n° {h.document_id}  {h.client} > {h.dossier}  « {h.title} » ({h.doc_type}, {when})")
        print(f"    {html.unescape(re.sub(r'</?b>', '', h.snippet))}")
    return EXIT_OK


def cmd_ged_reindex(ctx: AppContext, _args: argparse.Namespace) -> int:
    """``ged reindex``: rebuild this workstation's search index, progress on stderr."""
    started = time.monotonic()
    engine = _search_engine(ctx, progress=True)
    try:
        count = (engine.document_count() if engine.rebuilt_on_open
                 else engine.rebuild(progress=_progress_printer(sys.stderr)))
    finally:
        engine.close()
    print(f"Index reconstruit : {count} document(s) en {time.monotonic() - started:.1f} s.")
    return EXIT_OK


GED_COMMANDS: dict[str, Callable[[AppContext, argparse.Namespace], int]] = {
    "add": cmd_ged_add,
    "inbox": cmd_ged_inbox,
    "search": cmd_ged_search,
    "reindex": cmd_ged_reindex,
}


def cmd_ged(ctx: AppContext, args: argparse.Namespace) -> int:
    """``ged ACTION``: dispatch to :data:`GED_COMMANDS`."""
    return GED_COMMANDS[args.ged_command](ctx, args)


COMMANDS: dict[str, Callable[[AppContext, argparse.Namespace], int]] = {
    "ged": cmd_ged,
    "mailmerge": cmd_mailmerge,
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
    "address": cmd_address,
    "restore": cmd_restore,
}


def _read_only(args: argparse.Namespace) -> bool:
    """Commands that only read: no workstation heartbeat, so no wait for the write lock."""
    return args.command in ("info", "check", "export") or (
        args.command == "ged" and args.ged_command == "search"
    )


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code. ``None`` command is the caller's (GUI)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in OFFLINE:
            return OFFLINE[args.command](None, args)
        # ``check`` must not write (no migration, no heartbeat) into a base it inspects.
        ctx = build_context(
            args.db, migrate=args.command != "check", heartbeat=not _read_only(args)
        )
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
