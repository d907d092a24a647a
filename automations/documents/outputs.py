"""Where documents go: safe file names, a manifest, never overwriting a file a person edited, PDF.

The output folder (``out/`` by default) holds a manifest, ``.mila-documents.json``, that
records for every document the jobs produced:

- ``documents[key]`` (``convention:C001``, ``charte:M0012``…): the file it was last written
  to, the fingerprint of its data and the SHA-256 of the template used, the day it was
  generated, and its PDF if one was made. A document is regenerated only when its data or
  its template changed, or when its file disappeared.
- ``files[name]``: the SHA-256 of each file as written. A file whose bytes no longer match
  was edited by a person (or is not ours): it is never overwritten, the new version is
  written beside it (``…_v2.docx``, ``…_v3.docx``).
- ``receipts``: the numbers given to payments (see :meth:`OutputFolder.receipt_number`).
- ``documents[key]["drive"]`` (``drive_pdf`` for the PDF): the copy uploaded to the shared
  Drive folder (see automations/delivery/upload.py), kept when the document is regenerated
  so that its Drive file gets a new revision rather than a second copy.

Files are written to a temporary name then renamed, so that a crash never leaves half a
document; the manifest is written the same way, after the files.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputError, PdfUnavailable
from ..text import slug

MANIFEST = ".mila-documents.json"
VERSION = 1
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}  # names Windows refuses


# --------------------------------------------------------------------------- names


def safe_part(text: str | None, limit: int = 50) -> str:
    """A piece of file name: ASCII letters, digits and dashes only; never empty, never a path.

    ``"Pixel & Refrain 🎧"`` -> ``"Pixel-Refrain"``; ``"../../x"`` -> ``"x"``.
    """
    cleaned = slug(text, limit=limit)
    if not cleaned:
        return "sans-nom"
    if cleaned.casefold() in _RESERVED:
        cleaned = f"{cleaned}-"
    return cleaned


def safe_filename(*parts: str | None, suffix: str = ".docx") -> str:
    """``Convention_C001_Pixel-Refrain_2024-09-01.docx`` from its parts, each made safe."""
    return "_".join(safe_part(p) for p in parts) + suffix


def fingerprint(value: Any) -> str:
    """A stable hash of a context (keys sorted): equal data, equal fingerprint."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


# --------------------------------------------------------------------------- folder


@dataclass(frozen=True)
class Written:
    key: str
    path: Path
    reason: str  # French: « nouveau », « données modifiées », « modèle modifié », « fichier absent »
    beside: Path | None = None  # the edited file a new version was written beside


class OutputFolder:
    """The output folder and its manifest. Call :meth:`save` once the files are written."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"Impossible de créer le dossier de sortie « {self.folder} » : {exc.strerror}."
            ) from exc
        self.root = self.folder.resolve()
        self.manifest_path = self.folder / MANIFEST
        self.data = self._load()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        empty: dict[str, Any] = {
            "version": VERSION,
            "documents": {},
            "files": {},
            "receipts": {"numbers": {}, "last": {}},
        }
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return empty
        except (OSError, ValueError) as exc:
            raise OutputError(
                f"Le registre des documents « {self.manifest_path} » est illisible ({exc}). "
                "Restaurez-le depuis une sauvegarde : il conserve les numéros des reçus et "
                "permet de reconnaître les fichiers modifiés à la main."
            ) from exc
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise OutputError(
                f"Le registre des documents « {self.manifest_path} » n'est pas dans un format connu."
            )
        for key, value in empty.items():
            data.setdefault(key, value)
        data["receipts"].setdefault("numbers", {})
        data["receipts"].setdefault("last", {})
        return data

    # -- documents -----------------------------------------------------------

    def entry(self, key: str) -> dict[str, Any] | None:
        found = self.data["documents"].get(key)
        return found if isinstance(found, dict) else None

    def reason_to_write(self, key: str, data_fingerprint: str, template_sha: str) -> str | None:
        """Why the document must be (re)generated, in French; None when it is up to date."""
        entry = self.entry(key)
        if entry is None:
            return "nouveau"
        if not (self.folder / entry.get("file", "")).is_file():
            return "fichier absent"
        if entry.get("fingerprint") != data_fingerprint:
            return "données modifiées"
        if entry.get("template") != template_sha:
            return "modèle modifié"
        return None

    def is_ours(self, path: Path) -> bool:
        """Whether ``path`` is a file we wrote and nobody changed since."""
        recorded = self.data["files"].get(path.name, {}).get("sha256")
        return recorded is not None and recorded == sha256_file(path)

    def _inside(self, name: str) -> Path:
        path = self.folder / name
        if Path(name).name != name or path.resolve().parent != self.root:
            raise OutputError(f"Nom de fichier refusé : « {name} » sortirait du dossier {self.folder}.")
        return path

    def _free_path(self, name: str) -> tuple[Path, Path | None]:
        """Where to write ``name``: itself when free or ours, else the first free or own
        ``_vN`` version; with the edited file it stands beside."""
        target = self._inside(name)
        if not target.exists() or self.is_ours(target):
            return target, None
        stem, suffix = target.stem, target.suffix
        n = 2
        while True:
            candidate = self._inside(f"{stem}_v{n}{suffix}")
            if not candidate.exists() or self.is_ours(candidate):
                return candidate, target
            n += 1

    def _write_bytes(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"Impossible d'écrire « {path} » : {exc.strerror}.") from exc

    def write(
        self,
        key: str,
        name: str,
        data: bytes,
        *,
        data_fingerprint: str,
        template_sha: str,
        reason: str,
        today: dt.date,
    ) -> Written:
        """Write a document, never over a file someone edited; record it."""
        path, beside = self._free_path(name)
        self._write_bytes(path, data)
        self.data["files"][path.name] = {"sha256": hashlib.sha256(data).hexdigest(), "key": key}
        previous = self.entry(key) or {}
        uploaded: dict[str, Any] = {s: previous[s] for s in ("drive", "drive_pdf") if s in previous}
        self.data["documents"][key] = {
            "file": path.name,
            "fingerprint": data_fingerprint,
            "template": template_sha,
            "generated_on": today.isoformat(),
            **(
                {"pdf": previous["pdf"], "pdf_source": previous.get("pdf_source")}
                if "pdf" in previous
                else {}
            ),
            **uploaded,
        }
        self._dirty = True
        return Written(key, path, reason, beside)

    def record_file(self, key: str, path: Path, *, today: dt.date, pdf: Path | None = None) -> None:
        """Record a document another job wrote in this folder (the annual report), so that
        the Drive delivery and :meth:`link` treat it as the others: its file (and PDF) and
        their SHA-256; what was uploaded of it is kept."""
        previous = self.entry(key) or {}
        entry: dict[str, Any] = {"file": path.name, "generated_on": today.isoformat()}
        for file, role in ((path, key), (pdf, f"{key}:pdf")):
            if file is not None:
                self.data["files"][file.name] = {"sha256": sha256_file(file), "key": role}
        if pdf is not None:
            entry["pdf"] = pdf.name
        entry.update({s: previous[s] for s in ("drive", "drive_pdf") if s in previous})
        self.data["documents"][key] = entry
        self._dirty = True

    def file_of(self, key: str) -> Path | None:
        entry = self.entry(key)
        return self.folder / entry["file"] if entry else None

    def link(self, key: str) -> str | None:
        """The web link of the document's uploaded copy (``drive.link`` in its entry), if any.

        Set by the Drive delivery; ``None`` while the document only exists in this folder.
        """
        entry = self.entry(key)
        drive = entry.get("drive") if entry else None
        link = drive.get("link") if isinstance(drive, dict) else None
        if not isinstance(link, str) or not link:
            return None
        assert entry is not None and isinstance(drive, dict)
        written: dict[str, Any] = self.data["files"].get(entry["file"], {})
        if "sha256" in drive and drive["sha256"] != written.get("sha256"):
            return None  # Drive holds an older version (its update failed): no link to it
        return link

    def uploaded(self, key: str, slot: str = "drive") -> dict[str, Any] | None:
        """What was uploaded of the document (``drive``) or of its PDF (``drive_pdf``)."""
        entry = self.entry(key)
        found = entry.get(slot) if entry else None
        return found if isinstance(found, dict) else None

    def record_upload(self, key: str, slot: str, info: dict[str, Any]) -> None:
        entry = self.entry(key)
        assert entry is not None
        entry[slot] = info
        self._dirty = True

    def generated_on(self, key: str) -> dt.date | None:
        entry = self.entry(key)
        try:
            return dt.date.fromisoformat(entry["generated_on"]) if entry else None
        except (KeyError, ValueError):
            return None

    # -- PDF -----------------------------------------------------------------

    def pdf_needed(self, key: str) -> bool:
        """Whether the document's PDF is missing or older than its .docx."""
        entry = self.entry(key)
        if entry is None:
            return False
        docx = self.folder / entry["file"]
        pdf = entry.get("pdf")
        return (
            pdf is None
            or not (self.folder / pdf).is_file()
            or entry.get("pdf_source") != self.data["files"].get(docx.name, {}).get("sha256")
        )

    def place_pdf(self, key: str, produced: Path) -> Path:
        entry = self.entry(key)
        assert entry is not None
        name = Path(entry["file"]).with_suffix(".pdf").name
        path, _ = self._free_path(name)
        data = produced.read_bytes()
        self._write_bytes(path, data)
        self.data["files"][path.name] = {"sha256": hashlib.sha256(data).hexdigest(), "key": f"{key}:pdf"}
        entry["pdf"] = path.name
        entry["pdf_source"] = self.data["files"].get(entry["file"], {}).get("sha256")
        self._dirty = True
        return path

    # -- receipts ------------------------------------------------------------

    def receipt_number(self, payment: str, year: int) -> tuple[str, bool]:
        """The number of a payment's receipt, ``2025-014``: kept once given; a new payment
        takes the next number of its year. Returns (number, newly given)."""
        receipts = self.data["receipts"]
        found = receipts["numbers"].get(payment)
        if found:
            return str(found), False
        last = int(receipts["last"].get(str(year), 0)) + 1
        receipts["last"][str(year)] = last
        number = f"{year}-{last:03d}"
        receipts["numbers"][payment] = number
        self._dirty = True
        return number, True

    # -- saving --------------------------------------------------------------

    def save(self) -> None:
        if not self._dirty:
            return
        text = json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True)
        self._write_bytes(self.manifest_path, text.encode("utf-8"))
        self._dirty = False


# --------------------------------------------------------------------------- PDF


def find_soffice(command: str = "soffice") -> str:
    """The LibreOffice executable, or a French error saying how to get it."""
    found = shutil.which(command) if os.sep not in command else (command if Path(command).is_file() else None)
    if found is None and command == "soffice":
        found = shutil.which("libreoffice")
    if found is None:
        raise PdfUnavailable(
            f"LibreOffice est introuvable (commande « {command} ») : les PDF ne peuvent pas être "
            "produits. Installez LibreOffice (sous Debian : apt-get install libreoffice-writer-nogui) "
            "ou indiquez son chemin dans la section [documents] (clé soffice) ; sans --pdf, les "
            "documents Word sont produits normalement."
        )
    return found


# The LibreOffice profile this process's first successful conversion made, copied into the
# next runs' own profiles: LibreOffice spends about 0.3 s of CPU (15 % of a one-document
# conversion) making a fresh one. Each run still has a profile of its own (two never share one).
_warm_profile: Path | None = None


def seed_profile(profile: Path) -> None:
    """Fill ``profile`` (missing or empty) with a copy of the process's warm profile, if any."""
    if _warm_profile is None:
        return
    try:
        shutil.copytree(_warm_profile, profile, symlinks=True, dirs_exist_ok=True)
    except OSError:  # LibreOffice then makes a fresh one, as without a copy
        shutil.rmtree(profile, ignore_errors=True)


def keep_profile(profile: Path) -> None:
    """After a successful run: keep a copy of its profile for the process's next runs (once)."""
    global _warm_profile
    if _warm_profile is not None or not (profile / "user" / "registrymodifications.xcu").is_file():
        return
    keep = Path(tempfile.mkdtemp(prefix="mila-soffice-modele-"))
    try:
        unlocked = shutil.ignore_patterns(".lock")
        shutil.copytree(profile, keep, symlinks=True, dirs_exist_ok=True, ignore=unlocked)
    except OSError:
        shutil.rmtree(keep, ignore_errors=True)
        return
    _warm_profile = keep
    atexit.register(shutil.rmtree, keep, True)


def soffice_command(executable: str, profile: Path, outdir: Path, files: Sequence[Path]) -> list[str]:
    """LibreOffice's command converting ``files`` to PDF into ``outdir``, headless, with a
    profile of its own (``profile``: a fresh folder, so that runs never share one)."""
    return [
        executable,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]


def run_soffice(files: Sequence[Path], outdir: Path, *, soffice: str, timeout: float) -> bytes:
    """One LibreOffice run converting ``files`` to PDF into ``outdir``, with a profile of its
    own (a copy of the process's warm one), deleted afterwards; returns what LibreOffice
    wrote on stderr. Raises :class:`PdfUnavailable` when it cannot start, and
    ``subprocess.TimeoutExpired`` once a run past ``timeout`` is killed."""
    executable = find_soffice(soffice)
    profile = Path(tempfile.mkdtemp(prefix="mila-soffice-"))
    seed_profile(profile)
    try:
        command = soffice_command(executable, profile, outdir, files)
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as exc:
            raise PdfUnavailable(f"LibreOffice n'a pas pu être lancé ({exc.strerror}).") from exc
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        if process.returncode == 0:
            keep_profile(profile)
        return stderr
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def convert_to_pdf(
    files: Sequence[Path], *, soffice: str = "soffice", timeout: float = 180.0
) -> dict[Path, Path]:
    """Convert .docx files to PDF with LibreOffice headless, in one batch, into a temporary
    folder; returns {docx: pdf}. The caller moves the PDFs where they belong and must
    delete their folder (``pdf.parent``) afterwards."""
    if not files:
        return {}
    work = Path(tempfile.mkdtemp(prefix="mila-pdf-"))
    outdir = work / "pdf"
    outdir.mkdir()
    try:
        stderr = run_soffice(files, outdir, soffice=soffice, timeout=timeout)
    except subprocess.TimeoutExpired:
        shutil.rmtree(work, ignore_errors=True)
        raise OutputError(
            f"La conversion en PDF a dépassé {timeout:.0f} secondes et a été interrompue. "
            "Relancez avec moins de documents (--membre) ou augmentez [documents] pdf_timeout."
        ) from None
    except PdfUnavailable:
        shutil.rmtree(work, ignore_errors=True)
        raise
    produced = {f: outdir / (f.stem + ".pdf") for f in files}
    missing = [f.name for f, pdf in produced.items() if not pdf.is_file()]
    if missing:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
        shutil.rmtree(work, ignore_errors=True)
        raise OutputError(
            f"LibreOffice n'a pas produit le PDF de : {', '.join(missing[:5])}"
            f"{' …' if len(missing) > 5 else ''}." + (f" Message : {detail[0]}" if detail else "")
        )
    return produced


def cleanup_conversion(produced: Mapping[Path, Path]) -> None:
    for pdf in produced.values():
        shutil.rmtree(pdf.parent.parent, ignore_errors=True)
        break
