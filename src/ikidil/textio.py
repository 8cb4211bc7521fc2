"""Decoding of every text input: UTF-8 only, but with a clear diagnosis of what else
a file is (UTF-16 from Word, Windows-1254 from old Turkish tools) and how to convert it."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path

from .errors import BookError

MAX_TEXT_BYTES = 64_000_000      # a text input (chapter, bibliography, …): ten long novels
# Control characters XML 1.0 forbids (tab, line feed and carriage return are allowed).
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")
# Bytes that Windows-1254 uses for Turkish letters (ğ Ğ ı İ ş Ş and friends).
_CP1254_TURKISH = set(b"\xf0\xd0\xfd\xdd\xfe\xde\xe7\xc7\xf6\xd6\xfc\xdc")


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (an optional BOM is dropped) → NFC text with LF line endings."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BookError("file is UTF-16, ikidil reads UTF-8", file=path, line=1,
                        hint=f"convert it: iconv -f UTF-16 -t UTF-8 {path.name} > fixed.md")
    if _looks_like_utf16(data):
        raise BookError("file is UTF-16 (without a byte order mark), ikidil reads UTF-8", file=path, line=1,
                        hint=f"convert it: iconv -f UTF-16LE -t UTF-8 {path.name} > fixed.md"
                        if data[1::2].count(0) > data[0::2].count(0) else
                        f"convert it: iconv -f UTF-16BE -t UTF-8 {path.name} > fixed.md")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if _CP1254_TURKISH & set(data):
            guess = "looks like Windows-1254 (Turkish)"
            hint = f"convert it: iconv -f CP1254 -t UTF-8 {path.name} > fixed.md"
        else:
            guess = "is not UTF-8"
            hint = "save it as UTF-8 in your editor"
        raise BookError(f"text {guess}: byte 0x{data[exc.start]:02x} cannot be read",
                        file=path, line=line, hint=hint) from None
    if "\x00" in text:
        raise BookError("file contains NUL bytes (UTF-16 without a BOM?)", file=path,
                        line=text[: text.index("\x00")].count("\n") + 1,
                        hint="save it as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (bad := _CONTROL.search(text)) is not None:
        raise BookError(f"file contains the control character U+{ord(bad.group()):04X}, which is not text",
                        file=path, line=text[: bad.start()].count("\n") + 1,
                        hint="remove it: XML, and so an e-book, cannot hold it")
    return unicodedata.normalize("NFC", text)


def _looks_like_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 without a BOM: most characters of Latin-script text have a zero
    byte, all on the same side (odd positions for little-endian, even for big-endian)."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    zeros_odd, zeros_even = sample[1::2].count(0), sample[0::2].count(0)
    return max(zeros_odd, zeros_even) > len(sample) // 4 and min(zeros_odd, zeros_even) < len(sample) // 40


def read_text(path: Path) -> str:
    """Read a text input the way every input is read: UTF-8 (BOM allowed), NFC, LF."""
    try:
        with path.open("rb") as handle:
            # (the open file is the one measured: nothing can swap it in between)
            if os.fstat(handle.fileno()).st_size > MAX_TEXT_BYTES:
                raise BookError(f"file is larger than {MAX_TEXT_BYTES // 1_000_000} MB", file=path,
                                hint="split it: no chapter, bibliography or glossary is this large")
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise BookError(f"cannot read file: {exc.strerror}", file=path) from None
    if len(data) > MAX_TEXT_BYTES:          # (a file that grew while read)
        raise BookError(f"file is larger than {MAX_TEXT_BYTES // 1_000_000} MB", file=path)
    return decode(data, path)


def line_of(source: str, needle: str, start_line: int) -> int:
    """The first line (1-based) at or after `start_line` of a decoded text that holds
    `needle`, or `start_line` if none does: Pandoc gives a block's first line only, and a
    message should name the line of the very word (a link, a citation, a character)."""
    lines = source.split("\n")
    for number in range(max(start_line - 1, 0), len(lines)):
        if needle in lines[number]:
            return number + 1
    return start_line
