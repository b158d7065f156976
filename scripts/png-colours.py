#!/usr/bin/env python3
"""Exits 0 if a PNG has at least MIN distinct pixel values, 1 if fewer (a blank page).

Standard library only: parses the chunks, inflates IDAT with zlib, undoes the scanline
filters (PNG spec section 9) for 8-bit RGB/RGBA/grey images, and counts distinct pixels.
Usage: png-colours.py FILE MIN
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    raw, stride, bpp = zlib.decompress(idat), width * channels, channels
    previous, rows, offset = bytearray(stride), [], 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def main():
    path, minimum = sys.argv[1], int(sys.argv[2])
    width, height, rows, channels = pixels(path)
    distinct = set()
    for row in rows:
        for x in range(0, len(row), channels):
            distinct.add(row[x:x + channels])
    print(f"png-colours: {width}x{height}, {len(distinct)} distinct pixel values (need {minimum})")
    sys.exit(0 if len(distinct) >= minimum else 1)


if __name__ == "__main__":
    main()
