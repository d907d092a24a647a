"""Whether a zip entry's compressed bytes may be copied as they are (``zipentries`` copies them).

Saving a .xlsx changes a few parts; the others (most of the bytes) used to be inflated,
checked and deflated again on every write, which made a write of one cell cost as much
as compressing the whole workbook. Here an unchanged part's compressed bytes are copied
as they are. They are checked first, once per content: inflated, their CRC compared, and
an XML part parsed (no DTD, no entity) — a part that fails is never copied (the file is
« endommagé »), and bytes already found sound are recognised by their digest.
"""

from __future__ import annotations

import hashlib
import threading
import zipfile
import zlib
from collections import OrderedDict

from .xlsx_parts import DamagedPackage, parse_part

_SOUND: OrderedDict[bytes, None] = OrderedDict()  # digests of compressed bytes found sound
_SOUND_KEPT = 4096
_SOUND_LOCK = threading.Lock()


def check_sound(info: zipfile.ZipInfo, raw: bytes) -> None:
    """Raise :class:`DamagedPackage` unless ``raw`` inflates to the entry's content (and, for
    an XML part, parses safely); bytes found sound before are not looked at again."""
    digest = hashlib.blake2b(raw, digest_size=20).digest()
    with _SOUND_LOCK:
        if digest in _SOUND:
            _SOUND.move_to_end(digest)
            return
    name = info.filename
    try:
        data = raw if info.compress_type == zipfile.ZIP_STORED else zlib.decompress(raw, -zlib.MAX_WBITS)
    except zlib.error as exc:
        raise DamagedPackage(f"{name}: {exc}") from exc
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise DamagedPackage(f"{name}: contenu altéré (CRC)")
    if name.endswith((".xml", ".rels")):
        parse_part(data, name)
    with _SOUND_LOCK:
        _SOUND[digest] = None
        while len(_SOUND) > _SOUND_KEPT:
            _SOUND.popitem(last=False)
