"""Rewrite the VBA project of xlwings' ribbon add-in without Excel ([MS-OVBA]).

xlwings ships `quickstart_addin_ribbon.xlam` with a VBA project whose `_VBA_PROJECT` stream is the 7-byte
interoperable form (version 0xFFFF, no performance cache) and whose big `xlwings` module is stored as source
only (MODULEOFFSET 0). [MS-OVBA] 1.6: when that version does not match the running VBA, the performance
caches (p-code) are ignored and the modules are compiled from their source. This module makes the same kind
of edit: a module's source is replaced by compressed source with MODULEOFFSET 0 and the project keeps the
0xFFFF version, so Excel compiles what we wrote. Nothing here is executed in Excel on Linux; the tests read
the result back with oletools' independent decompressor and with LibreOffice.
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

import olefile

# ---- compression ([MS-OVBA] 2.4.1) -------------------------------------------------------------------------

_CHUNK = 4096


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding `data`."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data, start, min(start + _CHUNK, len(data)))
    return bytes(out)


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    body = bytearray()
    heads: dict[bytes, list[int]] = {}
    cur = start
    while cur < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if cur >= end:
                break
            offset, length = _match(data, start, cur, end, heads)
            if length >= 3:
                diff = cur - start
                bit_count = max(math.ceil(math.log2(diff)), 4)
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                step = length
            else:
                body.append(data[cur])
                step = 1
            for p in range(cur, cur + step):
                if p + 3 <= end:
                    heads.setdefault(data[p:p + 3], []).append(p)
            cur += step
        body[flag_at] = flags
    if len(body) <= _CHUNK:
        header = (len(body) + 2 - 3) | 0xB000  # compressed: size - 3, signature 0b011, flag 1
        return struct.pack("<H", header) + bytes(body)
    raw = data[start:end] + b"\x00" * (_CHUNK - (end - start))  # a raw chunk is always 4096 bytes
    return struct.pack("<H", 0x3FFF) + raw


def _match(data: bytes, start: int, cur: int, end: int, heads: dict[bytes, list[int]]) -> tuple[int, int]:
    if cur + 3 > end:
        return 0, 0
    diff = cur - start
    bit_count = max(math.ceil(math.log2(diff)), 4) if diff > 0 else 4
    max_len = min((0xFFFF >> bit_count) + 3, end - cur)
    best_len, best_off = 0, 0
    for cand in reversed(heads.get(data[cur:cur + 3], [])[-64:]):  # nearest first; the chunk bounds the window
        n = 3
        while n < max_len and data[cand + n] == data[cur + n]:
            n += 1
        if n > best_len:
            best_len, best_off = n, cur - cand
            if n == max_len:
                break
    return best_off, best_len


def decompress(data: bytes) -> bytes:
    """Decompress a CompressedContainer (for checks; oletools has its own, used in the tests)."""
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        (header,) = struct.unpack_from("<H", data, pos)
        size = (header & 0x0FFF) + 3
        chunk_end = pos + size
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if flags & (1 << bit):
                    (token,) = struct.unpack_from("<H", data, pos)
                    pos += 2
                    diff = len(out) - start
                    bit_count = max(math.ceil(math.log2(diff)), 4) if diff > 0 else 4
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# ---- the dir stream ([MS-OVBA] 2.3.4.2) --------------------------------------------------------------------

_PROJECTNAME = 0x0004
_PROJECTVERSION = 0x0009
_PROJECTCODEPAGE = 0x0003
_MODULENAME = 0x0019
_MODULENAMEUNICODE = 0x0047
_MODULESTREAMNAME = 0x001A
_MODULESTREAMNAMEUNICODE = 0x0032
_MODULEOFFSET = 0x0031
_MODULE_TERMINATOR = 0x002B


@dataclass
class Record:
    id: int
    data: bytes
    size_field: int | None = None  # PROJECTVERSION's size field is a constant 4 over 6 bytes of data


def parse_dir(raw: bytes) -> list[Record]:
    records: list[Record] = []
    pos = 0
    while pos < len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        pos += 6
        if rid == _PROJECTVERSION:
            records.append(Record(rid, raw[pos:pos + 6], size))
            pos += 6
            continue
        records.append(Record(rid, raw[pos:pos + size]))
        pos += size
    return records


def serialize_dir(records: list[Record]) -> bytes:
    out = bytearray()
    for r in records:
        size = r.size_field if r.size_field is not None else len(r.data)
        out += struct.pack("<HI", r.id, size) + r.data
    return bytes(out)


def _codepage(records: list[Record]) -> str:
    for r in records:
        if r.id == _PROJECTCODEPAGE:
            return f"cp{struct.unpack('<H', r.data)[0]}"
    return "cp1252"


# ---- the whole project -------------------------------------------------------------------------------------


@dataclass
class ModuleEdit:
    """Replace module `name` by `new_name` (may be the same) with `source` (text, CRLF line ends)."""

    name: str
    new_name: str
    source: str


class VbaProject:
    """The streams of a vbaProject.bin, editable, written back with cfb.write_compound_file."""

    def __init__(self, data: bytes) -> None:
        ole = olefile.OleFileIO(io.BytesIO(data))
        try:
            self.streams: dict[str, bytes] = {}
            for entry in ole.listdir(streams=True, storages=False):
                self.streams["/".join(entry)] = ole.openstream(entry).read()
        finally:
            ole.close()
        self.records = parse_dir(decompress(self.streams["VBA/dir"]))
        self.codepage = _codepage(self.records)

    # reading

    def module_names(self) -> list[str]:
        return [r.data.decode(self.codepage) for r in self.records if r.id == _MODULENAME]

    def module_source(self, name: str) -> str:
        rec = self._module_records(name)
        stream = self._record(rec, _MODULESTREAMNAME).data.decode(self.codepage)
        offset = struct.unpack("<I", self._record(rec, _MODULEOFFSET).data)[0]
        return decompress(self.streams[f"VBA/{stream}"][offset:]).decode(self.codepage)

    @property
    def project_name(self) -> str:
        return next(r.data for r in self.records if r.id == _PROJECTNAME).decode(self.codepage)

    # editing

    def set_project_name(self, name: str) -> None:
        old = self.project_name
        for r in self.records:
            if r.id == _PROJECTNAME:
                r.data = name.encode(self.codepage)
        self._edit_project_text(lambda line: f'Name="{name}"' if line == f'Name="{old}"' else line)

    def replace_module(self, edit: ModuleEdit) -> None:
        rec = self._module_records(edit.name)
        old_stream = self._record(rec, _MODULESTREAMNAME).data.decode(self.codepage)
        enc = edit.new_name.encode(self.codepage)
        uni = edit.new_name.encode("utf-16-le")
        self._record(rec, _MODULENAME).data = enc
        self._record(rec, _MODULENAMEUNICODE).data = uni
        self._record(rec, _MODULESTREAMNAME).data = enc
        self._record(rec, _MODULESTREAMNAMEUNICODE).data = uni
        self._record(rec, _MODULEOFFSET).data = struct.pack("<I", 0)  # source only, no performance cache
        del self.streams[f"VBA/{old_stream}"]
        self.streams[f"VBA/{edit.new_name}"] = compress(edit.source.encode(self.codepage))
        if edit.new_name != edit.name:
            self._rename_in_project_text(edit.name, edit.new_name)
            self._rename_in_name_map(edit.name, edit.new_name)

    def to_bytes(self) -> bytes:
        from carbon_report.app.excel.cfb import write_compound_file

        # Interoperable form ([MS-OVBA] 2.3.4.1): Reserved1 0x61CC, Version 0xFFFF, no PerformanceCache.
        vba_project = self.streams["VBA/_VBA_PROJECT"]
        self.streams["VBA/_VBA_PROJECT"] = b"\xcc\x61\xff\xff\x00" + (vba_project[5:7] if len(vba_project) >= 7
                                                                       else b"\x00\x00")
        for key in [k for k in self.streams if k.split("/")[-1].lower().startswith("__srp_")]:
            del self.streams[key]  # optional caches ([MS-OVBA] 2.2.6), stale after an edit
        self.streams["VBA/dir"] = compress(serialize_dir(self.records))
        return write_compound_file(self.streams)

    # helpers

    def _module_records(self, name: str) -> list[Record]:
        enc = name.encode(self.codepage)
        for i, r in enumerate(self.records):
            if r.id == _MODULENAME and r.data == enc:
                j = i
                while self.records[j].id != _MODULE_TERMINATOR:
                    j += 1
                return self.records[i:j + 1]
        raise KeyError(f"VBA module {name!r} not found")

    @staticmethod
    def _record(records: list[Record], rid: int) -> Record:
        for r in records:
            if r.id == rid:
                return r
        raise KeyError(f"record 0x{rid:04X} missing")

    def _edit_project_text(self, edit) -> None:  # noqa: ANN001
        text = self.streams["PROJECT"].decode(self.codepage)
        lines = text.split("\r\n")
        self.streams["PROJECT"] = "\r\n".join(edit(line) for line in lines).encode(self.codepage)

    def _rename_in_project_text(self, old: str, new: str) -> None:
        def edit(line: str) -> str:
            if line == f"Module={old}":
                return f"Module={new}"
            if line.startswith(f"{old}="):  # [Workspace] window position
                return new + line[len(old):]
            return line

        self._edit_project_text(edit)

    def _rename_in_name_map(self, old: str, new: str) -> None:
        """PROJECTwm ([MS-OVBA] 2.3.3): MBCS name NUL, UTF-16 name NUL NUL, …, terminated by NUL NUL."""
        wm = self.streams.get("PROJECTwm")
        if wm is None:
            return
        pairs: list[tuple[bytes, bytes]] = []
        pos = 0
        while pos < len(wm) - 2:
            end = wm.index(b"\x00", pos)
            mbcs = wm[pos:end]
            pos = end + 1
            u = pos
            while wm[u:u + 2] != b"\x00\x00":
                u += 2
            pairs.append((mbcs, wm[pos:u]))
            pos = u + 2
        out = bytearray()
        for mbcs, uni in pairs:
            if mbcs == old.encode(self.codepage):
                mbcs, uni = new.encode(self.codepage), new.encode("utf-16-le")
            out += mbcs + b"\x00" + uni + b"\x00\x00"
        out += b"\x00\x00"
        self.streams["PROJECTwm"] = bytes(out)


def vba_text(s: str) -> str:
    """A VBA string expression for any text: the module's code page (1252) cannot hold Chinese, so
    non-ASCII characters become ChrW() calls."""
    parts: list[str] = []
    run = ""
    for ch in s:
        if 32 <= ord(ch) < 127:
            run += '""' if ch == '"' else ch
            continue
        if run:
            parts.append(f'"{run}"')
            run = ""
        parts.append(f"ChrW({ord(ch)})")
    if run or not parts:
        parts.append(f'"{run}"')
    return " & ".join(parts)
