"""Zip entries copied into another zip as their compressed bytes, without inflating them.

A .xlsx or .docx written again keeps most of its parts unchanged: copying their compressed
bytes as they are spares inflating and deflating them on every write. Whether the bytes are
sound is the caller's business (the workbook checks them once per content; a Word template
is read whole once, by python-docx, when it is first filled).
"""

from __future__ import annotations

import struct
import zipfile
from typing import IO

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the 30 bytes before a local entry's name
_SIGNATURE = b"PK\x03\x04"


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
