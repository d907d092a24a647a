"""A zip entry copied into another zip as its compressed bytes, once known to be sound.

Saving a .xlsx changes a few parts; the others (most of the bytes) used to be inflated,
checked and deflated again on every write, which made a write of one cell cost as much
as compressing the whole workbook. Here an unchanged part's compressed bytes are copied
as they are. They are checked first, once per content: inflated, their CRC compared, and
an XML part parsed (no DTD, no entity) — a part that fails is never copied (the file is
« endommagé »), and bytes already found sound are recognised by their digest.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from typing import IO

from .xlsx_parts import DamagedPackage, parse_part

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the 30 bytes before a local entry's name
_SIGNATURE = b"PK\x03\x04"
_SOUND: OrderedDict[bytes, None] = OrderedDict()  # digests of compressed bytes found sound
_SOUND_KEPT = 4096
_SOUND_LOCK = threading.Lock()


def raw_bytes(handle: IO[bytes], info: zipfile.ZipInfo) -> bytes | None:
    """The entry's compressed bytes as stored, or None when they cannot be copied as they are
    (encrypted, compressed by another method, or a header that does not match)."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _SIGNATURE:
        return None
    name_length, extra_length = fields[-2], fields[-1]
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    data = handle.read(info.compress_size)
    return data if len(data) == info.compress_size else None


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


def append_raw(out: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes) -> None:
    """Add the entry ``info`` (name, dates, attributes, CRC, sizes) with its compressed bytes
    ``raw`` to ``out``, a zip being written to a seekable file."""
    if out.fp is None:
        raise ValueError("zip closed")
    if info.file_size >= zipfile.ZIP64_LIMIT or len(raw) >= zipfile.ZIP64_LIMIT:
        raise zipfile.LargeZipFile(info.filename)
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = info.compress_type
    entry.external_attr = info.external_attr
    entry.create_system = info.create_system
    entry.comment = info.comment
    entry.flag_bits = info.flag_bits & 0x806  # the name's encoding and the deflate level; no data descriptor
    entry.CRC = info.CRC
    entry.compress_size = len(raw)
    entry.file_size = info.file_size
    out.fp.seek(out.start_dir)
    entry.header_offset = out.fp.tell()
    out.fp.write(entry.FileHeader(False))
    out.fp.write(raw)
    out.start_dir = out.fp.tell()
    out.filelist.append(entry)
    out.NameToInfo[entry.filename] = entry
    out.comment = out.comment  # marks the zip changed, so that closing it writes its directory
