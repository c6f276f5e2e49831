"""Frames for the attacks, built by hand (zlib and struct): PNGs of any size, small on the wire."""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def grey_png(width: int, height: int, shade: int = 128) -> bytes:
    """An 8-bit greyscale PNG of `width` x `height` pixels, all `shade`: a flat image compresses to almost nothing."""
    # Each scanline: filter type 0 (none), then one byte per pixel.
    scanline = b"\x00" + bytes([shade]) * width
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(scanline) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def padded_png(total_bytes: int) -> bytes:
    """A small valid PNG followed by zero bytes up to `total_bytes`: a frame that looks right and is too long."""
    image = grey_png(16, 16)
    return image + bytes(total_bytes - len(image))
