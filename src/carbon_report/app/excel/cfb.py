"""A minimal writer of compound files ([MS-CFB] version 3, 512-byte sectors) for vbaProject.bin.

olefile reads compound files but can only overwrite a stream with one of the same size; a VBA project
whose module source changed needs streams of new sizes, so it is written anew here: every stream under
4096 bytes in the mini stream, the rest in regular sectors, each storage's children in a red-black tree
ordered as [MS-CFB] 2.6.4 requires (shorter names first, then by upper-case name).
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_RED, _BLACK = 0, 1
_STORAGE, _STREAM, _ROOT = 1, 2, 5


class _Node:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        if len(name) > 31:
            raise ValueError(f"compound file name too long: {name!r}")
        self.name = name
        self.kind = kind
        self.data = data
        self.children: dict[str, _Node] = {}
        self.sid = 0
        self.left = self.right = self.child = NOSTREAM
        self.color = _BLACK
        self.start = ENDOFCHAIN
        self.size = 0


def _sort_key(name: str) -> tuple[int, str]:
    return (len(name.encode("utf-16-le")) // 2, name.upper())


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """`streams` maps "storage/…/stream" paths to their bytes."""
    root = _Node("Root Entry", _ROOT)
    for path, data in streams.items():
        *folders, leaf = path.split("/")
        node = root
        for f in folders:
            node = node.children.setdefault(f, _Node(f, _STORAGE))
            if node.kind != _STORAGE:
                raise ValueError(f"{path}: {f} is a stream")
        node.children[leaf] = _Node(leaf, _STREAM, data)

    entries: list[_Node] = []

    def number(node: _Node) -> None:
        node.sid = len(entries)
        entries.append(node)
        for child in node.children.values():
            number(child)

    number(root)
    for node in entries:
        if node.children:
            node.child = _tree([node.children[k] for k in sorted(node.children, key=_sort_key)], 0)

    # Mini stream: small streams in 64-byte mini sectors; the mini stream itself lives in regular sectors.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Node] = []
    for node in entries:
        if node.kind != _STREAM:
            continue
        node.size = len(node.data)
        if node.size == 0:
            node.start = ENDOFCHAIN
        elif node.size < MINI_CUTOFF:
            first = len(mini) // MINI_SECTOR
            count = -(-node.size // MINI_SECTOR)
            node.start = first
            minifat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += node.data + b"\x00" * (count * MINI_SECTOR - node.size)
        else:
            big.append(node)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        for i in range(count):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\x00"))
            fat.append(first + i + 1 if i < count - 1 else ENDOFCHAIN)
        return first

    root.start = place(bytes(mini))
    root.size = len(mini)
    for node in big:
        node.start = place(node.data)
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat)
    if minifat_bytes:
        minifat_bytes += struct.pack("<I", FREESECT) * ((-len(minifat)) % (SECTOR // 4))
    first_minifat = place(minifat_bytes)
    n_minifat = len(minifat_bytes) // SECTOR
    dir_bytes = b"".join(_entry(n) for n in entries)
    dir_bytes += _empty_entry() * ((-len(entries)) % (SECTOR // 128))
    first_dir = place(dir_bytes)

    # FAT sectors come last and describe themselves too.
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_start = len(sectors)
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * (SECTOR // 4) - len(fat))
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat)
    for i in range(n_fat):
        sectors.append(fat_bytes[i * SECTOR:(i + 1) * SECTOR])

    difat = [fat_start + i for i in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, first_dir, 0, MINI_CUTOFF,
                            first_minifat if n_minifat else ENDOFCHAIN, n_minifat, ENDOFCHAIN, 0)
              + b"".join(struct.pack("<I", x) for x in difat))
    assert len(header) == SECTOR
    return header + b"".join(sectors)


def _tree(nodes: list[_Node], depth: int) -> int:
    """A balanced binary search tree of sorted siblings, coloured as a valid red-black tree: every level
    but the last is full, so the last level is red when it is not complete and black paths stay equal."""
    height = (len(nodes)).bit_length()  # levels of a size-balanced tree of len(nodes) nodes
    full = len(nodes) == (1 << height) - 1

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = nodes[mid]
        node.left = build(lo, mid, level + 1)
        node.right = build(mid + 1, hi, level + 1)
        node.color = _RED if (not full and level == height - 1) else _BLACK
        return node.sid

    return build(0, len(nodes), 0)


def _entry(n: _Node) -> bytes:
    name = n.name.encode("utf-16-le") + b"\x00\x00"
    return (name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), n.kind, n.color)
            + struct.pack("<III", n.left, n.right, n.child) + b"\x00" * 16 + struct.pack("<I", 0)
            + b"\x00" * 16 + struct.pack("<IQ", n.start if n.kind != _STORAGE else 0, n.size))


def _empty_entry() -> bytes:
    return b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + \
        b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", 0, 0)
