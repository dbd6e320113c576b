"""Bytes → str: reject what is not text, detect the encoding, repair evident mojibake.

Library choice. A strict UTF-8 decode settles almost every file, so detection only runs for the
rest. For those we use **charset-normalizer** (already a dependency, MIT, maintained, pure Python
with compiled wheels, used by ``requests``) — but only for non-Western text: on short German
Windows-1252 text it guesses ``cp1250``/``cp1006``/``utf_16_be`` (measured: ``"Größte Stadt"`` →
``cp1006``), so Western copy is recognised first by a cheap, explainable rule: high bytes are
sparse among letters (German has an umlaut every few words; Cyrillic or Greek single-byte text is
almost all high bytes). Windows-1252 is chosen over Latin-1 because it is a superset for
printable text: its 0x80–0x9F range holds „ “ – — … € where Latin-1 has control characters.
**ftfy** (``fix_encoding`` only, not ``fix_text``, which would also straighten quotes) repairs
double-encoded UTF-8 such as ``GrÃ¶ÃŸte``; chardet is not used (LGPL, slower, no better here).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from pressindex.errors import BinaryInput, EmptyInput, TooLarge, Undecodable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Magic numbers of formats that end up in news drops by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "RIFF (WebP/WAV/AVI)"),
    (b"ID3", "MP3"),
    (b"OggS", "Ogg"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE (legacy Office)"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"\x00asm", "WebAssembly"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: FF FE 00 00 starts with the UTF-16-LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SAMPLE = 8192
# C0 controls other than TAB LF VT FF CR and ESC: their share says "binary".
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
# Cheap guard before ftfy: the lead bytes of UTF-8 read as cp1252/latin-1 (Ã, Â, â, Ð, Ñ, …).
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)

# The same hint as UTF-8 bytes: U+00C2–U+00F4, then one of the second class's characters.
_MOJIBAKE_HINT_UTF8 = re.compile(
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c]"
    rb"|\xe2\x80[\x93\x94\x98-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\xe2\x82\xac|\xe2\x84\xa2)"
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python codec name: "utf-8", "utf-16-le", "cp1252", …
    repairs: tuple[str, ...] = ()


_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)


def sniff_binary(raw: bytes) -> str | None:
    """Name the binary format of ``raw`` (by magic number or NUL/control density), or None."""
    if raw.startswith(_MAGIC_PREFIXES):  # one C call for the common case: no magic number
        return next(name for magic, name in _MAGIC if raw.startswith(magic))
    head = raw[:_SAMPLE]
    if not head:
        return None
    nul = head.count(0)
    if nul and nul / len(head) > 0.10:
        return "NUL-heavy data"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # one pass, not one per byte value
    if controls / len(head) > 0.30:
        return "control-character data"
    return None


def _utf16_without_bom(raw: bytes) -> str | None:
    """Return "utf-16-le"/"-be" when ``raw`` looks like BOM-less UTF-16 of mostly Latin text."""
    head = raw[:_SAMPLE]
    if len(head) < 4 or len(head) % 2:
        return None
    odd_nul = head[1::2].count(0)
    even_nul = head[0::2].count(0)
    half = len(head) // 2
    if odd_nul > 0.8 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.8 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


_LOW_BYTES = bytes(range(0x80))
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def _looks_western(raw: bytes) -> bool:
    """True when high bytes are sparse among letters, as in German/French/Spanish cp1252 text."""
    # counted by deleting the other bytes in C: a generator per byte costs 0.1 s per MB
    high = len(raw.translate(None, _LOW_BYTES))
    ascii_letters = len(raw.translate(None, _NOT_ASCII_LETTERS))
    if ascii_letters == 0:
        return False
    return high / (high + ascii_letters) <= 0.30


# Latin-1 maps each byte to U+0000–U+00FF; this table then moves 0x80–0x9F to their cp1252
# characters. 0x81 0x8D 0x8F 0x90 0x9D, unassigned in cp1252, stay C1 controls (cleaning drops
# them) instead of failing the whole file.
# One 256-character table for codecs.charmap_decode: a table lookup per byte in C (str.translate
# with a dict cost 0.1 s per MB).
_CP1252_TABLE = "".join(
    bytes([b]).decode("cp1252") if 0x80 <= b < 0xA0 and b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
    for b in range(256)
)


def _decode_cp1252(raw: bytes) -> str:
    # typeshed lists only the dict/EncodingMap forms; CPython documents and accepts a str table
    return codecs.charmap_decode(raw, "strict", _CP1252_TABLE)[0]  # type: ignore[arg-type]


def _cut_mid_character(body: bytes, exc: UnicodeDecodeError) -> bool:
    """Valid UTF-8 except for an incomplete multi-byte sequence at the very end."""
    return (
        exc.reason == "unexpected end of data"
        and len(body) - exc.start < 4
        and _valid_utf8(body[: exc.start])
    )


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_bytes(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Turn raw file bytes into text.

    Raises EmptyInput, TooLarge, BinaryInput or Undecodable. ``repairs`` may name ``"bom"``,
    ``"utf16_no_bom"``, ``"legacy_encoding"``, ``"truncated_utf8"`` (a last character cut off) and
    ``"mojibake"`` (double-encoded UTF-8 fixed).
    """
    if len(raw) > max_bytes:
        raise TooLarge(f"file has {len(raw):,} bytes, more than the limit of {max_bytes:,}")
    if not raw.strip():
        raise EmptyInput("file is empty" if not raw else "file holds only whitespace")

    repairs: list[str] = []
    encoding: str | None = None
    body = raw
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding, body = name, raw[len(bom) :]
            repairs.append("bom")
            break
    if encoding is None:
        encoding = _utf16_without_bom(raw)
        if encoding:
            repairs.append("utf16_no_bom")
    if encoding in (None, "utf-8"):
        kind = sniff_binary(body)
        if kind:
            raise BinaryInput(f"file is binary ({kind}), not text")

    if encoding is not None:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise Undecodable(f"file declares {encoding} but is not valid {encoding}: {exc.reason}") from None
    else:
        try:
            text, encoding = body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            if _cut_mid_character(body, exc):
                # a file cut off inside its last character (an interrupted copy): keep the rest
                text, encoding = body[: exc.start].decode("utf-8"), "utf-8"
                repairs.append("truncated_utf8")
            elif _looks_western(body):
                text, encoding = _decode_cp1252(body), "cp1252"
            else:
                best = from_bytes(body).best()
                if best is None or best.encoding is None:
                    raise Undecodable("no text encoding fits these bytes") from None
                text, encoding = str(best), best.encoding
            if "truncated_utf8" not in repairs:
                repairs.append("legacy_encoding")

    if encoding.startswith(("utf-16", "utf-32")):
        # A BOM in front of binary data: the controls survive decoding.
        head = text[:_SAMPLE]
        if head and sum(1 for c in head if ord(c) < 32 and c not in "\t\n\r\x0b\x0c\x1b") / len(head) > 0.10:
            raise BinaryInput("file has a UTF-16/32 byte-order mark but holds binary data")
    # UTF-8 text can hold a hint only where its bytes hold one's encoding: a bytes pattern with a
    # literal first byte is several times cheaper than the character class over the text
    hint = _MOJIBAKE_HINT.search(text) if encoding != "utf-8" or _MOJIBAKE_HINT_UTF8.search(body) else None
    if hint:
        fixed = fix_mojibake(text, hint.start())
        if fixed != text:
            text = fixed
            repairs.append("mojibake")
    if len(text) > max_bytes:
        # no codec here yields more characters than bytes, but a detected one or a repair might:
        # what follows holds several copies of the text, so it is bounded like the file
        raise TooLarge(f"decoded text has {len(text):,} characters, more than the limit of {max_bytes:,}")
    return Decoded(text=text, encoding=encoding, repairs=tuple(repairs))


# ftfy.fix_encoding scans the whole text for "badness" once more after fixing it (0.17 s per MB):
# the fix plan is worked out on this many characters around the first hint and then applied to
# the whole text, which takes only the codecs' linear time.
_MOJIBAKE_SAMPLE = 4096


def fix_mojibake(text: str, first_hint: int = 0) -> str:
    """``ftfy.fix_encoding`` in time linear in the text: its plan for a sample around the first
    hint, applied to the whole text.

    A plan that starts by encoding (double-encoded UTF-8 throughout, the usual case) and applies
    cleanly to the whole text gives what ftfy gives for it; otherwise (legitimate accents beside
    the mojibake, or a sample that is not representative) each paragraph with a hint is fixed
    on its own, the others stay as they are."""
    import ftfy  # here, not at the top: few files need it (0.08 s per process)

    plan = ftfy.fix_encoding_and_explain(_sample_around(text, first_hint)).explanation
    if plan and plan[0][0] == "encode":
        try:
            return ftfy.apply_plan(text, [(step.action, step.parameter) for step in plan])
        except UnicodeError:  # a character outside the plan's encoding, or bytes that are not UTF-8
            pass
    paragraphs = text.split("\n\n")
    return "\n\n".join(ftfy.fix_encoding(p) if _MOJIBAKE_HINT.search(p) else p for p in paragraphs)


def _sample_around(text: str, at: int) -> str:
    """About :data:`_MOJIBAKE_SAMPLE` characters around ``at``, cut after whitespace so that no
    character's bytes are split."""
    lo, hi = max(0, at - _MOJIBAKE_SAMPLE // 2), at + _MOJIBAKE_SAMPLE // 2
    if lo > 0:
        lo = _after_space(text, lo, at)
    if hi < len(text):
        hi = _after_space(text, hi, hi + _MOJIBAKE_SAMPLE // 2)
    return text[lo:hi]


def _after_space(text: str, start: int, stop: int) -> int:
    """The position just after the first whitespace in ``text[start:stop]`` that follows an ASCII
    character (``"Ã "`` is a mangled ``à``, not a boundary), else ``start``."""
    found = _BOUNDARY.search(text, start, stop)
    return found.end() if found else start


_BOUNDARY = re.compile(r"[\x00-\x7f]\s")
