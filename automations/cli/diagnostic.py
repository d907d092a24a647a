"""`mila diagnostic`: print the first-run checklist (automations/jobs/diagnostic.py)."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..config import load_settings
from ..errors import ConfigError
from ..jobs.diagnostic import TO_FIX, Diagnosis, check_python, run_diagnostic
from ..workbook import open_workbook
from .printing import print_json

MARKS = {"ok": "OK        ", "à corriger": "À CORRIGER", "à savoir": "À SAVOIR  "}


def cmd_diagnostic(args: argparse.Namespace, out: TextIO) -> int:
    try:  # no local log: the checklist writes nothing, not even a folder
        settings = load_settings(config=args.config, workbook=args.workbook, sheet=args.sheet)
    except ConfigError as exc:  # the checklist still says what it could check
        diagnosis = Diagnosis()
        check_python(diagnosis)
        diagnosis.add("Configuration", TO_FIX, exc.message)
    else:
        diagnosis = run_diagnostic(settings, open_book=open_workbook)
    if args.json:
        print_json(diagnosis.as_dict(), out)
        return 0 if diagnosis.ok else 1
    for check in diagnosis.checks:
        print(f"{MARKS[check.status]} {check.label} — {check.detail}", file=out)
    print(file=out)
    if diagnosis.ok:
        print("Tout est prêt : rien n'a été modifié pendant cette vérification.", file=out)
        return 0
    count = sum(check.status == TO_FIX for check in diagnosis.checks)
    print(
        f"{count} point(s) à corriger (voir docs/deploiement.md), puis relancez « mila diagnostic ». "
        "Rien n'a été modifié pendant cette vérification.",
        file=out,
    )
    return 1
