"""The commands that set up a trial: `demo` and `emulateur`."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..clock import SystemClock
from ..errors import WorkbookError


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from ..demo import build_demo_workbook

    try:
        summary = build_demo_workbook(args.path, seed=args.seed, today=args.today or SystemClock().today())
    except OSError as exc:
        raise WorkbookError(
            f"Le classeur de démonstration ne peut pas être écrit dans « {args.path} » "
            f"({exc.strerror or exc}). Choisissez un autre chemin, dans un dossier où vous pouvez écrire."
        ) from exc
    print(f"Classeur de démonstration écrit : {args.path}", file=out)
    for tab, count in summary.counts.items():
        print(f"  {tab} : {count} ligne(s)", file=out)
    for written in summary.imports:
        print(f"Fichier de paiements à importer écrit : {written.name}", file=out)
    mila = _mila_command()
    print(
        f"Ensuite : {mila} verifier --classeur {args.path}  ou  {mila} synchroniser --classeur {args.path}",
        file=out,
    )
    if summary.imports:
        files = " ".join(p.name for p in summary.imports)
        print(
            f"Puis, pour les paiements : {mila} paiements importer --classeur {args.path} {files}", file=out
        )
    return 0


def _mila_command() -> str:
    """How to call mila again from the current folder: « .venv/bin/mila » after the README's
    first command, « mila » when it is on the PATH."""
    import shutil
    import sys
    from pathlib import Path

    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "mila" and shutil.which("mila") != str(script.resolve()):
        try:
            return str(script.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return "mila"


def cmd_emulator(args: argparse.Namespace, out: TextIO) -> int:
    from sheets_emulator import serve
    from sheets_emulator.drive import INBOX_FOLDER, LOCAL_FOLDER

    def ready(address: str, spreadsheet_id: str) -> None:
        print(f"Émulateur de l'API Google Sheets prêt sur http://{address}", file=out)
        print(f"Copie locale de « {args.source} », clé de la feuille : {spreadsheet_id}", file=out)
        print("Dans un autre terminal :", file=out)
        print(f"  export SHEETS_EMULATOR_HOST={address}", file=out)
        print(f"  mila onglets --feuille {spreadsheet_id}", file=out)
        print("Pour y déposer aussi les documents (dossier Google Drive simulé) :", file=out)
        print(f"  export DRIVE_EMULATOR_HOST={address} MILA_DRIVE_FOLDER={LOCAL_FOLDER}", file=out)
        print(
            f"Dossier « Paiements à importer » simulé (fichiers de paiement de la démo) : dans mila.toml, "
            f'[payments] drive_inbox = "{INBOX_FOLDER}"',
            file=out,
        )
        print("Ctrl-C pour arrêter (le fichier d'origine n'est jamais modifié).", file=out)
        out.flush()

    serve(args.source, host=args.host, port=args.port, spreadsheet_id=args.id, on_ready=ready)
    return 0
