"""Messages in the world's charsets, labelled right and labelled as mail programs do label them."""

from __future__ import annotations

from tests.corpus.mail import DEGERFORS, KARLSKOGAHEM, Sample, b64, encoded, message, qp, word

SWEDISH = "Hej! Gatlampan utanför vårt hus på Ängsvägen är trasig sedan en vecka. Hälsningar Åsa Öberg"


def _foreign(
    name: str, codec: str, label: str, subject: str, sender: str, body: str, *, body_label: str | None = None
) -> Sample:
    data = body.encode(codec)
    return Sample(
        name,
        message(
            name,
            subject=word(subject, label, codec=codec),
            sender=f"{word(sender, label, codec=codec)} <{name}@example.cn>",
            body=b64(data),
            content_type=f"text/plain; charset={body_label or label}",
            encoding="base64",
        ),
        subject=subject,
        sender=sender,
        phrase=body.split("。")[0].split(".")[0].strip(),
    )


def cjk_and_cyrillic() -> list[Sample]:
    return [
        _foreign(
            "gb2312",
            "gb2312",
            "gb2312",
            "关于垃圾收集的问题",
            "王小明",
            "我家门前的垃圾已经三天没有收了。请帮忙。",
        ),
        _foreign(
            "gbk-labelled-gb2312",
            "gbk",
            "GB2312",
            "李喆的停车许可申请",
            "李喆",
            "我叫李喆，朱镕基路的停车许可证丢了。",
        ),
        _foreign("gbk", "gbk", "GBK", "关于学校的问题", "张堃", "我想问一下张堃的学校的事情。谢谢。"),
        _foreign(
            "gb18030", "gb18030", "GB18030", "关于图书馆开放时间", "刘洋", "请问图书馆周末几点开门。谢谢。"
        ),
        _foreign("big5", "big5", "big5", "關於停車許可", "陳大文", "請問如何申請停車許可。謝謝。"),
        _foreign(
            "cp950-labelled-big5",
            "cp950",
            "Big5",
            "圍碁社團活動場地",
            "林碁",
            "我們的圍碁社團需要活動場地。謝謝。",
        ),
        _foreign(
            "iso-2022-jp",
            "iso2022_jp",
            "ISO-2022-JP",
            "ごみ収集について",
            "山田太郎",
            "家の前のごみが三日間回収されていません。",
        ),
        _foreign(
            "sjis-labelled-iso-2022-jp",
            "shift_jis",
            "iso-2022-jp",
            "駐車許可の申請",
            "佐藤花子",
            "駐車許可証をなくしました。",
        ),
        _foreign(
            "cp932-labelled-shift-jis",
            "cp932",
            "Shift_JIS",
            "①の件について㈱",
            "鈴木一郎",
            "①番の書類について質問があります。",
        ),
        _foreign(
            "euc-jp", "euc_jp", "EUC-JP", "図書館の開館時間", "高橋健", "図書館は週末何時に開きますか。"
        ),
        _foreign(
            "euc-kr",
            "euc_kr",
            "EUC-KR",
            "쓰레기 수거 문의",
            "김민수",
            "우리 집 앞 쓰레기가 삼일 동안 수거되지 않았습니다.",
        ),
        _foreign(
            "cp949-labelled-euc-kr",
            "cp949",
            "euc-kr",
            "똠방각하 주차 문의",
            "이똠",
            "똠방각하 주차장 이용에 대해 문의합니다.",
        ),
        _foreign(
            "ks-c-5601",
            "cp949",
            "ks_c_5601-1987",
            "도서관 문의",
            "박지성",
            "도서관 주말 개관 시간을 알고 싶습니다.",
        ),
        _foreign(
            "koi8-r",
            "koi8_r",
            "KOI8-R",
            "Вопрос о парковке",
            "Иван Петров",
            "Здравствуйте, как получить разрешение на парковку.",
        ),
        _foreign(
            "windows-1251",
            "cp1251",
            "windows-1251",
            "Вопрос о школе",
            "Ольга Смирнова",
            "Здравствуйте, мой сын начинает школу осенью.",
        ),
        _foreign(
            "koi8-u",
            "koi8_u",
            "KOI8-U",
            "Питання про житло",
            "Олена Коваль",
            "Добрий день, я шукаю житло в Карлскузі.",
        ),
        _foreign(
            "iso-8859-6",
            "iso8859_6",
            "ISO-8859-6",
            "سؤال عن المدرسة",
            "أحمد علي",
            "مرحبا، أريد تسجيل ابني في المدرسة.",
        ),
        _foreign(
            "windows-1256",
            "cp1256",
            "windows-1256",
            "سؤال عن السكن",
            "فاطمة حسن",
            "مرحبا، أبحث عن شقة للإيجار.",
        ),
        _foreign(
            "iso-8859-7",
            "iso8859_7",
            "ISO-8859-7",
            "Ερώτηση για στάθμευση",
            "Νίκος Παπαδόπουλος",
            "Γεια σας, πώς παίρνω άδεια στάθμευσης.",
        ),
        _foreign(
            "windows-1250",
            "cp1250",
            "windows-1250",
            "Pytanie o szkołę",
            "Łukasz Wójcik",
            "Dzień dobry, mój syn zaczyna szkołę jesienią.",
        ),
        _foreign(
            "iso-8859-2",
            "iso8859_2",
            "ISO-8859-2",
            "Dotaz na parkování",
            "Jiří Dvořák",
            "Dobrý den, jak získám parkovací povolení.",
        ),
        _foreign(
            "windows-1254",
            "cp1254",
            "ISO-8859-9",
            "Okul hakkında soru",
            "Ayşe Yılmaz",
            "Merhaba, oğlum sonbaharda okula başlıyor.",
        ),
        _foreign(
            "tis-620", "cp874", "TIS-620", "สอบถามเรื่องที่จอดรถ", "สมชาย ใจดี", "สวัสดีครับ ผมต้องการขอใบอนุญาตจอดรถ"
        ),
    ]


def _swedish(
    name: str,
    codec: str,
    label: str | None,
    *,
    transfer: str = "quoted-printable",
    subject_label: str | None = None,
    text: str = SWEDISH,
    to: str = DEGERFORS,
) -> Sample:
    data = text.encode(codec)
    body = {"quoted-printable": qp, "base64": b64}.get(transfer, lambda d: d)(data)
    subject_codec = (
        codec if subject_label is None else "utf-8" if subject_label.startswith("utf-8") else "cp1252"
    )
    subject = "Trasig gatlampa på Ängsvägen – snälla åtgärda"
    try:
        subject.encode(subject_codec)
    except UnicodeEncodeError:
        subject = subject.replace("–", "-")
    return Sample(
        name,
        message(
            name,
            subject=word(subject, subject_label or label or "utf-8", "Q", codec=subject_codec),
            sender=f"{word('Åsa Öberg', subject_label or label or 'utf-8', 'Q', codec=subject_codec)} "
            f"<asa.{name}@example.se>",
            body=body,
            content_type=f"text/plain; charset={label}" if label is not None else "text/plain",
            encoding=transfer,
            to=to,
        ),
        subject=subject,
        sender="Åsa Öberg",
        phrase=text.split("!")[1].strip().split(".")[0] if "!" in text else text[:40],
        to=to,
    )


def swedish_in_every_encoding() -> list[Sample]:
    return [
        _swedish("sv-utf-8-8bit", "utf-8", "utf-8", transfer="8bit"),
        _swedish("sv-utf-8-qp", "utf-8", "UTF-8"),
        _swedish("sv-utf-8-base64", "utf-8", "utf-8", transfer="base64"),
        _swedish("sv-iso-8859-1-qp", "cp1252", "iso-8859-1"),
        _swedish("sv-iso-8859-1-8bit", "cp1252", "ISO-8859-1", transfer="8bit"),
        _swedish("sv-latin1-alias", "latin-1", "latin1"),
        _swedish("sv-iso-8859-15", "iso8859_15", "iso-8859-15", text=SWEDISH + " Avgiften var 500 €."),
        _swedish("sv-windows-1252", "cp1252", "windows-1252", text=SWEDISH + " “Snabbt” tack – 500 €."),
        _swedish("sv-cp1252-labelled-utf-8", "cp1252", "utf-8", transfer="8bit"),
        _swedish("sv-cp1252-labelled-utf-8-qp", "cp1252", "UTF-8"),
        _swedish("sv-utf-16-bom", "utf-16", "utf-16", transfer="base64", subject_label="utf-8"),
        _swedish("sv-utf-16le", "utf-16-le", "UTF-16LE", transfer="base64", subject_label="utf-8"),
        _swedish("sv-utf-16be", "utf-16-be", "utf-16be", transfer="base64", subject_label="utf-8"),
        _swedish("sv-utf-7", "utf-7", "utf-7", transfer="7bit", subject_label="utf-8"),
        _swedish("sv-macintosh", "mac_roman", "macintosh", subject_label="utf-8"),
        _swedish("sv-ibm850", "cp850", "ibm850", transfer="8bit", subject_label="utf-8"),
        _swedish("sv-iso-8859-10", "iso8859_10", "iso-8859-10"),
        _swedish("sv-iso-8859-4", "iso8859_4", "ISO-8859-4"),
        _swedish("sv-unknown-charset", "utf-8", "x-unknown", transfer="8bit", subject_label="utf-8"),
        _swedish(
            "sv-bogus-charset-latin1-bytes", "cp1252", "utf-8lol", transfer="8bit", subject_label="iso-8859-1"
        ),
        _swedish("sv-empty-charset", "cp1252", '""', transfer="8bit", subject_label="windows-1252"),
        _swedish("sv-no-charset-utf-8", "utf-8", None, transfer="8bit"),
        _swedish("sv-no-charset-cp1252", "cp1252", None, transfer="8bit", subject_label="windows-1252"),
        _swedish("sv-us-ascii-with-utf-8", "utf-8", "us-ascii", transfer="8bit"),
        _swedish(
            "sv-ansi-x3-4-1968", "cp1252", "ANSI_X3.4-1968", transfer="8bit", subject_label="iso-8859-1"
        ),
        _swedish("sv-charset-with-language", "utf-8", "utf-8", subject_label="utf-8*sv", to=KARLSKOGAHEM),
        Sample(
            "sv-html-entities",
            message(
                "sv-html-entities",
                subject=word("Fråga om hyran", "iso-8859-1", "Q"),
                body=b"<html><body><p>Hej! Jag undrar n&auml;r hyran f&ouml;r december ska vara betald.</p>"
                b"</body></html>",
                content_type="text/html; charset=us-ascii",
                encoding="7bit",
                to=KARLSKOGAHEM,
            ),
            subject="Fråga om hyran",
            phrase="Jag undrar när hyran för december ska vara betald",
            to=KARLSKOGAHEM,
        ),
        Sample(
            "sv-qp-split-inside-character",
            message(
                "sv-qp-split-inside-character",
                subject=word("Hyran för lägenheten", "utf-8", "Q"),
                body=b"Jag undrar n=C3=\n=A4r hyran f=C3=B6r december ska vara betald.\n",
                encoding="quoted-printable",
                to=KARLSKOGAHEM,
            ),
            subject="Hyran för lägenheten",
            phrase="Jag undrar när hyran för december ska vara betald",
            to=KARLSKOGAHEM,
        ),
        Sample(
            "sv-base64-broken-padding",
            message(
                "sv-base64-broken-padding",
                subject=encoded("Bygglov för carport".encode(), "utf-8"),
                body=b64("Behöver jag bygglov för en carport på 30 kvm?".encode()).rstrip(b"=\n") + b"\n!!\n",
                encoding="base64",
            ),
            subject="Bygglov för carport",
            phrase="Behöver jag bygglov för en carport",
        ),
    ]
