"""Every input format, read from real files, and the bad inputs each one meets in the wild.

Fixtures are short articles written for these tests; each test asserts the exact records and rejections.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from archive.readers import FORMATS, ArticleRecord, Record, RejectedRecord, iter_files, read_path, read_paths

TITLE = "दिल्ली में बारिश से राहत"
PARA_1 = "राजधानी दिल्ली में मंगलवार को तेज बारिश हुई, जिससे लोगों को उमस भरी गर्मी से बड़ी राहत मिली।"
PARA_2 = "मौसम विभाग ने अगले दो दिनों तक हल्की बारिश की संभावना जताई है।"
BODY = f"{PARA_1}\n\n{PARA_2}"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def kinds(records: list[Record]) -> list[tuple[str, str]]:
    return [(type(r).__name__, r.origin_record) for r in records]


def article(records: list[Record], index: int = 0) -> ArticleRecord:
    record = records[index]
    assert isinstance(record, ArticleRecord), record
    return record


def rejected(records: list[Record], index: int = -1) -> RejectedRecord:
    record = records[index]
    assert isinstance(record, RejectedRecord), record
    return record


# --- text ---------------------------------------------------------------------------------------------


def test_scraped_text_with_lede_repeated_headline_credit_and_share_footer(tmp_path: Path) -> None:
    text = (
        f"+\n\n{TITLE}\n\nबारिश से लोगों को राहत मिली।\n{TITLE}\n{PARA_1}\n\nयह भी पढ़ें:\nमुंबई में अलर्ट\n"
        f"{PARA_2}\nसौजन्य- समाचार दर्पण, 25.01.2016।\n\nfacebook twitter whatsapp\n"
    )
    path = write(tmp_path / "scraped.txt", text)
    records = list(read_path(path))
    assert records == [
        ArticleRecord(
            title=TITLE,
            body=BODY,
            origin_file=str(path),
            origin_record="1",
            summary="बारिश से लोगों को राहत मिली।",
            source="समाचार दर्पण",
            published=date(2016, 1, 25),
            original=text,
        )
    ]


def test_plain_text_editorial_with_outlet_in_title_and_credit_line(tmp_path: Path) -> None:
    text = f"बजट की दिशा (जनसत्ता )।\n\n {PARA_1}\n\n {PARA_2}\n\n,  ।\n\n, सौजन्य :- जनसत्ता ,२५.०१.२०१६।\n"
    path = write(tmp_path / "0.txt", text)
    (record,) = read_path(path)
    assert record == ArticleRecord(
        title="बजट की दिशा",
        body=BODY,
        origin_file=str(path),
        origin_record="1",
        source="जनसत्ता",
        published=date(2016, 1, 25),
        original=text,
    )


def test_text_file_in_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "utf16.txt", f"\ufeff{TITLE}\r\n\r\n{BODY}\r\n", encoding="utf-16-le")
    record = article(list(read_path(path)))
    assert (record.title, record.body) == (TITLE, BODY)


def test_a_50_mb_line_of_text_is_read_as_one_body(tmp_path: Path) -> None:
    """The reader yields it; the ingest layer rejects bodies over its size limit."""
    line = "पाठ " * (50 * 1024 * 1024 // 10)
    path = write(tmp_path / "huge.txt", f"{TITLE}\n{line}\n")
    (record,) = read_path(path)
    assert isinstance(record, ArticleRecord)
    assert record.title == TITLE and len(record.body) == len(line) - 1  # the trailing space goes
    # (how long it takes is benchmarks/responsiveness.py's)


# --- JSON Lines and JSON ----------------------------------------------------------------------------------


def test_jsonl_with_a_field_mapping_dates_in_hindi_forms_and_bad_records(tmp_path: Path) -> None:
    lines = [
        {"headline": TITLE, "text": BODY, "site": "समाचार दर्पण", "date": "२५ जनवरी २०१६", "link": "https://e.org/1"},
        {"headline": "दूसरी खबर", "text": PARA_2, "date": "32.13.2016"},
        {"headline": 2016, "text": PARA_2},
        {"headline": "बिना पाठ", "body": PARA_2},
    ]
    path = write(tmp_path / "feed.jsonl", "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    mapping = {"title": "headline", "body": "text", "source": "site", "url": "link"}
    records = list(read_path(path, mapping=mapping))
    assert kinds(records) == [
        ("ArticleRecord", "line 1"),
        ("ArticleRecord", "line 2"),
        ("RejectedRecord", "line 3"),
        ("RejectedRecord", "line 4"),
    ]
    first, second = article(records, 0), article(records, 1)
    assert (first.title, first.body, first.source, first.url, first.published) == (
        TITLE,
        BODY,
        "समाचार दर्पण",
        "https://e.org/1",
        date(2016, 1, 25),
    )
    assert first.original == json.dumps(lines[0], ensure_ascii=False)
    assert second.published is None
    assert second.notes == ("date '32.13.2016' could not be read; left empty",)
    assert rejected(records, 2).reason == "'title' should be text, found a number"
    assert rejected(records, 3).reason == (
        "no body text: 'text' (named by --map body=text) is missing (the record has: body, headline); "
        "every article needs a title and a body. "
        "If it is under another name, use --map body=NAME"
    )


def test_jsonl_line_cut_in_the_middle_is_rejected_alone(tmp_path: Path) -> None:
    good = json.dumps({"title": TITLE, "body": BODY}, ensure_ascii=False)
    path = write(tmp_path / "cut.jsonl", f"{good}\n{good[:30]}\n{good}\n")
    records = list(read_path(path))
    assert kinds(records) == [("ArticleRecord", "line 1"), ("RejectedRecord", "line 2"), ("ArticleRecord", "line 3")]
    assert rejected(records, 1).reason == (
        "not valid JSON: Unterminated string starting at column 11 (the line seems cut short); "
        "each line must be one JSON object"
    )
    assert rejected(records, 1).context == good[:30]


def test_json_array_with_a_non_object_entry(tmp_path: Path) -> None:
    entries = [
        {"title": TITLE, "body": BODY, "published": "2016-01-25T09:30:00+05:30"},
        [1, 2],
        {"title": "दो", "body": PARA_2},
    ]
    path = write(tmp_path / "export.json", json.dumps(entries, ensure_ascii=False, indent=2))
    records = list(read_path(path))
    assert kinds(records) == [("ArticleRecord", "entry 1"), ("RejectedRecord", "entry 2"), ("ArticleRecord", "entry 3")]
    assert article(records, 0).published == date(2016, 1, 25)
    assert rejected(records, 1).reason == "expected a JSON object with title and body, found an array"


def test_pretty_printed_single_json_object(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({"title": TITLE, "body": BODY}, ensure_ascii=False, indent=2))
    records = list(read_path(path))
    assert kinds(records) == [("ArticleRecord", "entry 1")]


@pytest.mark.slow
def test_json_array_is_streamed_in_flat_memory(tmp_path: Path) -> None:
    entry = json.dumps({"title": TITLE, "body": "\n\n".join([BODY] * 150)}, ensure_ascii=False)
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as out:
        out.write("[" + ",\n".join([entry] * 700) + "]")
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        count = sum(isinstance(record, ArticleRecord) for record in read_path(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 700
    assert peak < 5_000_000


def test_gzip_json_array_cut_short_keeps_the_entries_before_the_damage(tmp_path: Path) -> None:
    entries = [{"title": f"{TITLE} {i}", "body": BODY + f" {i}" * 2000} for i in range(40)]
    data = gzip.compress(json.dumps(entries, ensure_ascii=False).encode())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(data[: len(data) // 2])
    records = list(read_path(path))
    assert 0 < len(records) - 1 < 40
    assert all(isinstance(r, ArticleRecord) for r in records[:-1])
    assert rejected(records).reason.startswith("the compressed file is damaged or cut short")


# --- CSV and TSV ------------------------------------------------------------------------------------------


def test_csv_with_quoted_line_breaks_a_large_field_and_a_short_row(tmp_path: Path) -> None:
    long_body = "लंबा पाठ। " * 20_000  # 200,000 characters: over the csv module's default field limit
    text = (
        "title,body,date,source\n"
        f'{TITLE},"{PARA_1}\n\n{PARA_2}",25/01/2016,समाचार दर्पण\n'
        f'लंबी खबर,"{long_body}",,\n'
        "अधूरी पंक्ति,केवल दो कोष्ठ\n"
        "\n"
        f'"शीर्षक, अल्पविराम के साथ",{PARA_2},"जनवरी 25, 2016",\n'
    )
    path = write(tmp_path / "news.csv", text)
    records = list(read_path(path))
    assert kinds(records) == [
        ("ArticleRecord", "row 2"),
        ("ArticleRecord", "row 3"),
        ("RejectedRecord", "row 4"),
        ("ArticleRecord", "row 6"),
    ]
    first = article(records, 0)
    assert (first.title, first.body, first.published, first.source) == (
        TITLE,
        BODY,
        date(2016, 1, 25),
        "समाचार दर्पण",
    )
    assert first.original == f'{TITLE},"{PARA_1}\n\n{PARA_2}",25/01/2016,समाचार दर्पण'
    assert article(records, 1).body == long_body.strip()
    assert rejected(records, 2).reason == (
        "the row has 2 cells but the header has 4 columns; a separator may be missing, or a quoted value was not closed"
    )
    assert rejected(records, 2).context == "अधूरी पंक्ति,केवल दो कोष्ठ"
    assert (article(records, 3).title, article(records, 3).published) == ("शीर्षक, अल्पविराम के साथ", date(2016, 1, 25))


def test_tsv_with_mapped_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "news.tsv", f"Headline\tStory\tपता\n{TITLE}\t{PARA_1}\thttps://e.org/1\n")
    records = list(read_path(path, mapping={"title": "headline", "body": "story", "url": "पता"}))
    assert [(r.title, r.body, r.url, r.origin_record) for r in records] == [  # type: ignore[union-attr]
        (TITLE, PARA_1, "https://e.org/1", "row 2")
    ]


def test_csv_without_a_body_column_is_one_reject_for_the_file_naming_the_columns_and_map(tmp_path: Path) -> None:
    path = write(tmp_path / "nobody.csv", f"title,text\n{TITLE},{PARA_1}\nदो,{PARA_2}\n")
    records = list(read_path(path, format="csv"))
    reason = (
        "no body text column ('body'): the file's columns are 'title', 'text'. Name the columns that hold the "
        "article text with --map body=COLUMN; no row of the file was read"
    )
    assert [(r.origin_record, r.reason) for r in records] == [("row 1", reason)]  # type: ignore[union-attr]


def test_csv_missing_both_columns_names_both_maps_at_once(tmp_path: Path) -> None:
    path = write(tmp_path / "both.csv", f"headline,text\n{TITLE},{PARA_1}\n")
    [reject] = read_path(path, format="csv")
    assert "--map title=COLUMN --map body=COLUMN" in reject.reason  # type: ignore[union-attr]


def test_a_header_row_of_megabytes_is_shown_briefly(tmp_path: Path) -> None:
    path = write(tmp_path / "long.csv", "शब्द " * 200_000 + "\n" + f"{TITLE},{PARA_1}\n")
    [reject] = read_path(path, format="csv")
    assert isinstance(reject, RejectedRecord)
    assert len(reject.reason) <= 600 and len(reject.context or "") <= 200 and reject.context.isprintable()  # type: ignore[union-attr]
    assert reject.reason.endswith("no row of the file was read")


def test_a_tsv_named_csv_is_one_reject_suggesting_the_format(tmp_path: Path) -> None:
    path = write(tmp_path / "tabs.csv", f"title\tbody\n{TITLE}\t{PARA_1}\nदो\t{PARA_2}\n")
    [reject] = read_path(path)
    assert "read it with --format tsv" in reject.reason  # type: ignore[union-attr]
    assert kinds(list(read_path(path, format="tsv"))) == [("ArticleRecord", "row 2"), ("ArticleRecord", "row 3")]


def test_a_binary_file_is_one_reject_whatever_its_name(tmp_path: Path) -> None:
    noise = bytes(range(256)) * 400 + b"\n".join(bytes([i % 250 + 1]) * 50 for i in range(80))
    for name in ("data.jsonl", "data.csv", "data.txt", "data.bin"):
        (tmp_path / name).write_bytes(noise)
        rejects = list(read_path(tmp_path / name))
        assert len(rejects) == 1 and "binary" in rejects[0].reason, (name, rejects)  # type: ignore[union-attr]


def test_a_json_array_named_jsonl_suggests_format_json(tmp_path: Path) -> None:
    path = write(tmp_path / "array.jsonl", json.dumps([{"title": TITLE, "body": PARA_1}] * 3, ensure_ascii=False))
    [reject] = read_path(path)
    assert "--format json" in reject.reason  # type: ignore[union-attr]
    assert kinds(list(read_path(path, format="json"))) == [("ArticleRecord", f"entry {n}") for n in (1, 2, 3)]


def test_csv_saved_by_excel_with_a_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", f"\ufefftitle,body\r\n{TITLE},{PARA_2}\r\n")
    records = list(read_path(path))
    assert [(r.origin_record, r.title, r.body) for r in records] == [  # type: ignore[union-attr]
        ("row 2", TITLE, PARA_2)
    ]


def test_csv_is_detected_by_its_header_without_an_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "export", f"headline,body\n{TITLE},{PARA_2}\n")
    assert [r.reason for r in read_path(path)] == [  # type: ignore[union-attr]
        "no title column ('title'): the file's columns are 'headline', 'body'. Name the columns that hold the "
        "headline with --map title=COLUMN; no row of the file was read"
    ]
    assert kinds(list(read_path(path, mapping={"title": "headline"}))) == [("ArticleRecord", "row 2")]


# --- HTML -------------------------------------------------------------------------------------------------

PAGE = f"""<!DOCTYPE html>
<html lang="hi"><head><meta charset="utf-8">
<title>{TITLE} | समाचार दर्पण</title>
<link rel="canonical" href="https://example.org/news/barish">
<meta property="og:site_name" content="समाचार दर्पण">
<meta name="author" content="रमेश कुमार">
<meta property="article:published_time" content="2016-01-25T09:30:00+05:30">
</head><body>
<header><nav><ul><li><a href="/">होम</a></li><li><a href="/desh">देश</a></li>
<li><a href="/khel">खेल</a></li></ul></nav></header>
<main><article>
<h1>{TITLE}</h1>
<div class="share-buttons"><a href="https://facebook.com/s">Facebook</a> <a href="https://twitter.com/s">Twitter</a></div>
<p>{PARA_1} शहर के कई इलाकों में जलभराव की खबरें भी आईं।</p>
<p><strong>ये भी पढ़ें:</strong> <a href="/news/mumbai">मुंबई में भारी बारिश का अलर्ट</a></p>
<p>{PARA_2} किसानों ने कहा कि यह बारिश गेहूं की फसल के लिए फायदेमंद होगी।</p>
</article>
<aside class="related-news"><h3>संबंधित खबरें</h3><ul><li><a href="/a">पहाड़ों पर बर्फबारी से ठंड बढ़ी</a></li>
<li><a href="/b">दिल्ली में प्रदूषण का स्तर घटा</a></li></ul></aside></main>
<footer><p>© 2016 समाचार दर्पण। सर्वाधिकार सुरक्षित।</p><a href="/contact">संपर्क करें</a></footer>
</body></html>
"""


def test_html_news_page_gives_the_article_without_menus_share_buttons_or_related_links(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", PAGE)
    (record,) = read_path(path)
    assert record == ArticleRecord(
        title=TITLE,
        body=(
            f"{PARA_1} शहर के कई इलाकों में जलभराव की खबरें भी आईं।\n\n"
            f"{PARA_2} किसानों ने कहा कि यह बारिश गेहूं की फसल के लिए फायदेमंद होगी।"
        ),
        origin_file=str(path),
        origin_record="1",
        url="https://example.org/news/barish",
        source="समाचार दर्पण",
        published=date(2016, 1, 25),
        author="रमेश कुमार",
        original=PAGE,
    )


def test_html_page_with_no_article_is_rejected(tmp_path: Path) -> None:
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>समाचार दर्पण</title></head><body>'
        '<nav><a href="/">होम</a> <a href="/desh">देश</a></nav><ul><li><a href="/a">पहाड़ों पर बर्फबारी से ठंड बढ़ी</a></li>'
        '<li><a href="/b">दिल्ली में प्रदूषण का स्तर घटा</a></li></ul><footer>© समाचार दर्पण</footer></body></html>'
    )
    path = write(tmp_path / "index.html", page)
    assert [(r.origin_record, r.reason) for r in read_path(path)] == [  # type: ignore[union-attr]
        (
            "1",
            "no article found in the page (only 0 words of running text; menus, link lists and short notices "
            "are not articles); save the article's own page, or read the file with --format text",
        )
    ]


# --- feeds ------------------------------------------------------------------------------------------------

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>समाचार दर्पण</title><link>https://example.org</link><language>hi-IN</language>
<item><title>{TITLE}</title><link>https://example.org/1</link>
<pubDate>Mon, 25 Jan 2016 01:30:00 +0530</pubDate><category>मौसम</category><author>desk@example.org (रमेश कुमार)</author>
<description>&lt;p&gt;{PARA_1}&lt;/p&gt;&lt;p&gt;&lt;b&gt;{PARA_2}&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title></title><link>https://example.org/2</link><description>{PARA_2}</description></item>
<item><title>केवल शीर्षक</title><link>https://example.org/3</link></item>
</channel></rss>
"""


def test_rss_feed_one_article_per_entry_and_broken_entries_rejected_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.rss", RSS)
    records = list(read_path(path))
    assert kinds(records) == [
        ("ArticleRecord", "entry 1"),
        ("RejectedRecord", "entry 2"),
        ("RejectedRecord", "entry 3"),
    ]
    first = article(records)
    assert (first.title, first.body, first.url, first.source, first.category, first.author, first.language) == (
        TITLE,
        BODY,
        "https://example.org/1",
        "समाचार दर्पण",
        "मौसम",
        "रमेश कुमार",
        "hi",
    )
    assert first.published == date(2016, 1, 25)  # the day in India, though in UTC it was still the 24th
    assert json.loads(first.original or "")["link"] == "https://example.org/1"
    assert rejected(records, 1).reason == "no title: the entry has no title; every article needs a title and a body"
    assert rejected(records, 2).reason == "no body text: the entry has no text; every article needs a title and a body"


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>दर्पण एटम</title>
<entry><title>{TITLE}</title><link href="https://example.org/a"/>
<published>2016-01-25T09:30:00+05:30</published><updated>2016-01-26T10:00:00+05:30</updated>
<author><name>रमेश कुमार</name></author><summary>बारिश से राहत मिली।</summary>
<content type="html">&lt;p&gt;{PARA_1}&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;
&lt;p&gt;{PARA_2}&lt;/p&gt;</content></entry>
</feed>
"""


def test_atom_feed_entry_with_html_content_and_summary(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.atom", ATOM)
    (record,) = read_path(path)
    assert isinstance(record, ArticleRecord)
    assert (record.title, record.body, record.summary, record.url, record.source, record.published) == (
        TITLE,
        BODY,
        "बारिश से राहत मिली।",
        "https://example.org/a",
        "दर्पण एटम",
        date(2016, 1, 25),
    )


def test_a_feed_file_that_does_not_parse_is_one_rejection(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.rss", "यह कोई फ़ीड नहीं है")
    (record,) = read_path(path)
    assert isinstance(record, RejectedRecord)
    assert record.reason.startswith("not an RSS or Atom feed (") and record.reason.endswith("nothing could be read")


# --- compression, standard input, detection ------------------------------------------------------------------


def test_gzip_of_a_feed_is_read_whatever_it_is_called(tmp_path: Path) -> None:
    (tmp_path / "feed.rss.gz").write_bytes(gzip.compress(ATOM.encode()))
    (tmp_path / "download").write_bytes(gzip.compress(ATOM.encode()))  # no name to go by: magic bytes
    records = list(read_paths([tmp_path]))
    assert kinds(records) == [("ArticleRecord", "entry 1"), ("ArticleRecord", "entry 1")]


def test_standard_input_is_read_and_its_format_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps({"title": TITLE, "body": BODY}, ensure_ascii=False).encode() + b"\n"

    class Stdin:
        buffer = io.BytesIO(gzip.compress(data))

    monkeypatch.setattr(sys, "stdin", Stdin())
    records = list(read_paths([Path("-")]))
    assert [(r.origin_file, r.origin_record, r.title) for r in records] == [  # type: ignore[union-attr]
        ("<stdin>", "line 1", TITLE)
    ]


def test_format_option_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.md", f"{TITLE}\n\n{BODY}\n")
    assert rejected(list(read_path(path))).reason.startswith("unsupported file type '.md'")
    assert article(list(read_path(path, format="text"))).body == BODY
    assert set(FORMATS) == {"text", "jsonl", "json", "csv", "tsv", "html", "feed"}


def test_unknown_mapping_field_and_format_are_reported_per_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "{}\n")
    assert rejected(list(read_path(path, mapping={"heading": "h"}))).reason.startswith("--map names 'heading'")
    assert rejected(list(read_path(path, format="pdf"))).reason.startswith("unknown format 'pdf'")


# --- bad inputs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "empty.jsonl", "empty.csv", "empty.html", "empty"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, " \n")
    assert [(r.origin_record, r.reason) for r in read_path(path)] == [  # type: ignore[union-attr]
        ("-", "the file is empty; nothing to read")
    ]


def test_binary_file(tmp_path: Path) -> None:
    noise = bytes([0x8F, 0xFF]) + os.urandom(4096)
    (tmp_path / "noise.bin").write_bytes(noise)
    (tmp_path / "noise.txt").write_bytes(noise)
    records = list(read_paths([tmp_path]))
    assert [(r.origin_file, r.origin_record) for r in records] == [
        (str(tmp_path / "noise.bin"), "-"),
        (str(tmp_path / "noise.txt"), "-"),
    ]
    assert rejected(records, 0).reason.startswith("unsupported file type: this is a binary file, not text")
    # one reject whatever its name (its bytes are not text: lines of bad UTF-8 would be one reject each)
    assert rejected(records, 1).reason.startswith("unsupported file type: this is a binary file, not text although")


def test_invalid_utf8_names_the_byte_offset_in_text_and_jsonl(tmp_path: Path) -> None:
    text = tmp_path / "latin.txt"
    text.write_bytes(TITLE.encode() + b"\n caf\xe9\n")
    assert rejected(list(read_path(text))).reason.startswith(f"not valid UTF-8 at byte {len(TITLE.encode()) + 5};")
    lines = tmp_path / "latin.jsonl"
    good = json.dumps({"title": TITLE, "body": BODY}).encode() + b"\n"
    lines.write_bytes(good + b'{"title": "caf\xe9"}\n')
    records = list(read_path(lines))
    assert kinds(records) == [("ArticleRecord", "line 1"), ("RejectedRecord", "line 2")]
    assert rejected(records).reason.startswith(f"not valid UTF-8 at byte {len(good) + 14};")
    assert rejected(records).context == '{"title": "caf\\xe9"}'


def test_small_truncated_gzip_keeps_the_lines_before_the_damage(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"title": f"{TITLE} {i}", "body": PARA_2}, ensure_ascii=False) + "\n" for i in range(20))
    data = gzip.compress(lines.encode())
    path = tmp_path / "small.jsonl.gz"
    path.write_bytes(data[:-12])  # the end-of-stream marker and a little data are gone
    records = list(read_path(path))
    # How much survives depends on zlib's block layout; every complete line before the damage does.
    read = len(records) - 1
    assert read >= 15
    assert kinds(records) == [*(("ArticleRecord", f"line {i}") for i in range(1, read + 1)), ("RejectedRecord", "-")]
    assert rejected(records).reason.startswith("the compressed file is damaged or cut short")


def test_invalid_utf8_inside_a_json_array_keeps_the_entries_before_it(tmp_path: Path) -> None:
    data = json.dumps([{"title": f"{TITLE} {i}", "body": PARA_2} for i in range(4)], ensure_ascii=False).encode()
    bad = data.index(b'"title"', data.index(b"}") + 1)  # inside the second entry
    path = tmp_path / "bad.json"
    path.write_bytes(data[:bad] + b"\xff" + data[bad:])
    records = list(read_path(path))
    assert kinds(records) == [("ArticleRecord", "entry 1"), ("RejectedRecord", "entry 2")]
    assert rejected(records).reason == (
        f"not valid UTF-8 at byte {bad}; convert the file to UTF-8 (e.g. with iconv) and ingest it again; "
        "entries read before it: 1"
    )


def test_truncated_gzip_text_file(tmp_path: Path) -> None:
    data = gzip.compress(f"{TITLE}\n{BODY * 200}".encode())
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    (record,) = read_path(path)
    assert isinstance(record, RejectedRecord) and "cut short" in record.reason


def test_a_50_mb_line_of_garbage_in_json_lines_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "garbage.jsonl"
    good = json.dumps({"title": TITLE, "body": BODY}, ensure_ascii=False)
    with path.open("wb") as out:
        out.write(b"x" * (50 * 1024 * 1024) + b"\n" + good.encode() + b"\n")
    tracemalloc.start()
    try:
        records = list(read_path(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kinds(records) == [("RejectedRecord", "line 1"), ("ArticleRecord", "line 2")]
    assert rejected(records, 0).reason == (
        "the line is 52,428,801 bytes long, more than the 16 MB a record may have; "
        "JSON Lines needs one article per line, is this file in that format?"
    )
    assert rejected(records, 0).context == "x" * 200
    assert peak < 40 * 1024 * 1024


# --- iter_files -------------------------------------------------------------------------------------------


def test_iter_files_include_and_exclude(tmp_path: Path) -> None:
    on_disk = ["a.jsonl", "b.txt", "drafts/c.txt", "2016/d.jsonl", "2016/old/e.txt", ".git/f.txt", "__pycache__/g.txt"]
    for name in on_disk:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")

    def names(**options: tuple[str, ...]) -> list[str]:
        return [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path], **options)]

    assert names() == ["2016/d.jsonl", "2016/old/e.txt", "a.jsonl", "b.txt", "drafts/c.txt"]
    assert names(include=("*.txt",)) == ["2016/old/e.txt", "b.txt", "drafts/c.txt"]
    assert names(include=("2016/*",)) == ["2016/d.jsonl", "2016/old/e.txt"]
    assert names(exclude=("drafts", "old")) == ["2016/d.jsonl", "a.jsonl", "b.txt"]
    assert names(include=("*.txt",), exclude=("b.*",)) == ["2016/old/e.txt", "drafts/c.txt"]
    given = [tmp_path / "b.txt", Path("-"), tmp_path / "a.jsonl"]
    assert list(iter_files(given, exclude=("*.jsonl",))) == [tmp_path / "b.txt", Path("-")]
