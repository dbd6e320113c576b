"""Files that cannot become documents: each gets its own error code and a message."""

from __future__ import annotations

import gzip
import io
import pickle
import random
import zipfile

import pytest

from pressindex.errors import BinaryInput, EmptyInput, InputError, NoText, TooLarge, Undecodable
from pressindex.parse import parse_document


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "Berlin (dpa) - Text")
    return buf.getvalue()


def _random_high_bytes(n: int) -> bytes:
    rng = random.Random(1)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(n))


CASES = [
    ("empty", b"", EmptyInput, "empty"),
    ("whitespace-only", b"  \n\r\n\t ", EmptyInput, "empty"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", BinaryInput, "binary"),
    ("zip", _zip(), BinaryInput, "binary"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", BinaryInput, "binary"),
    ("gzip", gzip.compress(b"Berlin (dpa) - Text"), BinaryInput, "binary"),
    ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", BinaryInput, "binary"),
    (
        "nul-heavy",
        b"Berlin\x00\x00\x00\x00\x00\x00\x01\x02dpa\x00\x00\x00\x00\x00\x00\x00",
        BinaryInput,
        "binary",
    ),
    ("controls", bytes(range(1, 9)) * 20, BinaryInput, "binary"),
    ("bom-then-binary", b"\xff\xfe" + b"\x01\x00\x02\x00" * 20, BinaryInput, "binary"),
    ("utf32-truncated", b"\xff\xfe\x00\x00" + b"a\x00\x00\x00b\x00", Undecodable, "undecodable"),
    ("utf16-lone-surrogate", b"\xff\xfe" + b"\x00\xd8a\x00b\x00", Undecodable, "undecodable"),
    ("utf8-bom-invalid", b"\xef\xbb\xbfGr\xf6\xdfe und mehr", Undecodable, "undecodable"),
    ("no-encoding-fits", _random_high_bytes(200), Undecodable, "undecodable"),
    ("punctuation-only", b"--- *** ---\n\n...", NoText, "no_text"),
    ("script-only", b"<script>var a = 1;</script><style>p {}</style>", NoText, "no_text"),
    ("boilerplate-only", "© dpa-infocom, dpa:220123-99-817158/3\n\n/ck/stk".encode(), NoText, "no_text"),
]


@pytest.mark.parametrize(("raw", "error", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_codes(raw: bytes, error: type[InputError], code: str) -> None:
    with pytest.raises(error) as info:
        parse_document(raw, "bad.bin")
    assert info.value.code == code
    assert info.value.message  # a human-readable reason, not an empty string
    assert isinstance(info.value, InputError)
    assert info.value.path == "bad.bin"


def test_too_large_uses_configurable_limit() -> None:
    raw = ("Berlin (dpa) - " + "Text " * 100).encode()
    with pytest.raises(TooLarge) as info:
        parse_document(raw, "big.txt", max_bytes=100)
    assert info.value.code == "too_large"
    assert "100" in info.value.message
    assert parse_document(raw, "big.txt", max_bytes=len(raw)).dateline == "Berlin"


def test_too_large_default_is_20_mib() -> None:
    with pytest.raises(TooLarge):
        parse_document(b"a" * (20 * 1024 * 1024 + 1), "huge.txt")


def test_errors_survive_pickling() -> None:
    with pytest.raises(InputError) as info:
        parse_document(b"%PDF-1.4", "x.pdf")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (type(copy), copy.code, copy.message) == (BinaryInput, "binary", info.value.message)
