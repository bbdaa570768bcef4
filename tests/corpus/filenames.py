"""Attachments named as mail programs name them: RFC 2231 in Swedish, Arabic and Chinese, RFC 2047 in
quotes, raw UTF-8, with the folders of the sender's disk."""

from __future__ import annotations

from tests.corpus.mail import DEGERFORS, Sample, multipart, part, word
from tests.corpus.structure import PDF, PHRASE, PLAIN, TEXT, file_part, mixed_message


def _named(name: str, disposition: str, expected: str, *, content_type: str = "application/pdf") -> Sample:
    body = multipart("==b1==", part(PLAIN, TEXT), file_part(content_type, disposition, PDF))
    return Sample(
        name, mixed_message(name, body, to=DEGERFORS), phrase=PHRASE, files=[expected], to=DEGERFORS
    )


def attachment_names() -> list[Sample]:
    return [
        _named(
            "rfc2231-swedish",
            "attachment; filename*=UTF-8''ans%C3%B6kan%20f%C3%B6rs%C3%B6rjningsst%C3%B6d%20%C3%85sa.pdf",
            "ansökan försörjningsstöd Åsa.pdf",
        ),
        _named(
            "rfc2231-arabic",
            "attachment; filename*=UTF-8''"
            "%D8%B9%D9%82%D8%AF%20%D8%A7%D9%84%D8%A5%D9%8A%D8%AC%D8%A7%D8%B1.pdf",
            "عقد الإيجار.pdf",
        ),
        _named(
            "rfc2231-chinese",
            "attachment; filename*=UTF-8''%E7%A7%9F%E8%B5%81%E5%90%88%E5%90%8C.pdf",
            "租赁合同.pdf",
        ),
        _named(
            "rfc2231-gb2312", "attachment; filename*=gb2312''%D7%E2%C1%DE%BA%CF%CD%AC.pdf", "租赁合同.pdf"
        ),
        _named(
            "rfc2231-latin1-language",
            "attachment; filename*=iso-8859-1'sv'hyresavtal%20%F6vre%20plan.pdf",
            "hyresavtal övre plan.pdf",
        ),
        _named(
            "rfc2231-continuations",
            "attachment;\n filename*0*=UTF-8''l%C3%A4kar;\n filename*1*=intyg%20f%C3%B6r;"
            '\n filename*2=" skolan.pdf"',
            "läkarintyg för skolan.pdf",
        ),
        _named(
            "rfc2047-quoted-name",
            f'attachment; filename="{word("läkarintyg.pdf", "utf-8")}"',
            "läkarintyg.pdf",
        ),
        _named("rfc2047-arabic-name", f'attachment; filename="{word("شهادة.pdf", "utf-8")}"', "شهادة.pdf"),
        _named("raw-utf-8-filename", 'attachment; filename="läkarintyg övre.pdf"', "läkarintyg övre.pdf"),
        _named(
            "path-in-filename",
            'attachment; filename="C:\\\\Users\\\\asa\\\\..\\\\..\\\\hyresavtal.pdf"',
            "hyresavtal.pdf",
        ),
        _named(
            "name-only-in-content-type",
            "attachment",
            "avtal.pdf",
            content_type=f'application/pdf; name="{word("avtal.pdf", "utf-8")}"',
        ),
    ]
