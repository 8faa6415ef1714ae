"""The multipart form of a Prime application and the seal certificate's type and size checks."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.prime.uploads import MAX_SEAL_CERTIFICATE_BYTES, parse_multipart, seal_certificate_type
from platform_common.errors import InvalidInput

BOUNDARY = "----boundary42"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def _body(*parts: bytes) -> bytes:
    return b"".join(f"--{BOUNDARY}\r\n".encode() + part + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()


def test_given_fields_and_a_file_when_parsed_then_text_is_utf8_and_file_bytes_are_exact() -> None:
    content = b"%PDF-1.4\r\n\x00\xff binary \r\n--not-a-boundary\r\n"
    body = _body(
        'Content-Disposition: form-data; name="corporation_name"\r\n\r\nデモ工業株式会社'.encode(),
        b'Content-Disposition: form-data; name="seal_certificate"; filename="inkan.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + content,
        b'Content-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n',
    )

    form = parse_multipart(CONTENT_TYPE, body)

    assert form.fields == {"corporation_name": "デモ工業株式会社"}
    assert form.files["seal_certificate"].content == content
    assert form.files["seal_certificate"].filename == "inkan.pdf"
    assert "empty" not in form.files  # an empty file input is no file


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "multipart/form-data"])
def test_given_wrong_content_type_when_parsed_then_refused_naming_it(content_type: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_multipart(content_type, b"a=b")
    assert refused.value.errors[0].item == "Content-Type"


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"%PDF-1.7 ...", "application/pdf"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nIHDR", "image/png"),
    ],
)
def test_given_pdf_jpeg_or_png_when_checked_then_type_comes_from_the_bytes(content: bytes, media_type: str) -> None:
    assert seal_certificate_type(content)[0] == media_type


@pytest.mark.parametrize(
    "content",
    [b"GIF89a...", b"MZ\x90\x00", b"<html><script>", b"", b"%PDF-" + b"0" * MAX_SEAL_CERTIFICATE_BYTES],
    ids=["gif", "exe", "html", "empty", "too-large"],
)
def test_given_other_file_when_checked_then_refused_naming_the_field(content: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        seal_certificate_type(content)
    assert refused.value.errors[0].item == "seal_certificate"


@given(st.lists(st.binary(max_size=120), max_size=4))
def test_arbitrary_parts_are_parsed_or_refused_as_input_errors_never_crash(parts: list[bytes]) -> None:
    with contextlib.suppress(InvalidInput):
        parse_multipart(CONTENT_TYPE, _body(*parts))
