"""Just enough PNG decoding to tell a rendered page from a blank one, with no imaging
library: 8-bit RGB or RGBA, non-interlaced (what Chromium writes)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type -> bytes per pixel at bit depth 8


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    channels: int
    raw: bytes  # the filtered scanlines, each led by its filter byte

    @property
    def stride(self) -> int:
        return self.width * self.channels

    def rows(self, count: int) -> list[bytes]:
        """The first ``count`` scanlines, unfiltered."""
        previous = bytearray(self.stride)
        rows: list[bytes] = []
        step = self.stride + 1
        for index in range(min(count, self.height)):
            kind = self.raw[index * step]
            line = bytearray(self.raw[index * step + 1 : (index + 1) * step])
            _unfilter(kind, line, previous, self.channels)
            rows.append(bytes(line))
            previous = line
        return rows

    def colours(self, count: int) -> set[tuple[int, ...]]:
        """The distinct RGB colours of the first ``count`` scanlines."""
        found: set[tuple[int, ...]] = set()
        step = self.channels
        for row in self.rows(count):
            found.update(zip(row[0::step], row[1::step], row[2::step], strict=True))
        return found


def read_png(data: bytes) -> Png:
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG: the signature is missing")
    offset, header, chunks = len(SIGNATURE), b"", []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"PNG chunk {kind!r} has a bad CRC")
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
    png = Png(width, height, _CHANNELS[colour], zlib.decompress(b"".join(chunks)))
    if len(png.raw) != height * (png.stride + 1):
        raise ValueError("PNG image data is truncated")
    return png


def write_png(width: int, rows: list[bytes], channels: int) -> bytes:
    """Encode rows (unfiltered); used to crop screenshots when looking at them."""
    colour = {3: 2, 4: 6}[channels]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, len(rows), 8, colour, 0, 0, 0)
    data = zlib.compress(b"".join(b"\x00" + row for row in rows))
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    if kind == 0:
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            corner = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        else:
            raise ValueError(f"unknown PNG filter type {kind}")


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c
