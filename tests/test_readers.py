import gzip
from pathlib import Path

from archive.readers import ArticleRecord, RejectedRecord, read_path, read_paths, seed_paths
from tests.conftest import write_jsonl

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_cc12dde5166b09ec.txt"


def test_seed_article_is_parsed_into_title_lede_and_body() -> None:
    (record,) = read_path(SEED)
    assert isinstance(record, ArticleRecord)
    assert record.title.startswith("जयशंकर ने रूस के विदेश मंत्री सर्गेई लावरोव से बातचीत की")
    assert record.summary is not None and record.summary.startswith("विदेश मंत्री एस जयशंकर ने मंगलवार को")
    assert record.title not in record.body  # the repeated headline is gone
    assert "facebook" not in record.body and "instagram" not in record.body
    assert record.body.startswith("विदेश मंत्री एस जयशंकर ने मंगलवार को अपने रूसी समकक्ष सर्गेई लावरोव के साथ")
    assert record.body.endswith("नहीं हो सका था।")
    assert record.summary not in record.body.split("\n\n")


def test_seeds_ship_inside_the_package() -> None:
    records = list(read_paths(seed_paths()))
    assert [type(r) for r in records] == [ArticleRecord]


def test_plain_text_file_is_headline_then_body(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("फैसले का संदेश\n\nपहला वाक्य।\n\nदूसरा वाक्य।\n", encoding="utf-8")
    (record,) = read_path(path)
    assert isinstance(record, ArticleRecord)
    assert (record.title, record.summary, record.body) == ("फैसले का संदेश", None, "पहला वाक्य।\n\nदूसरा वाक्य।")


def test_text_file_with_only_a_headline_is_rejected_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("केवल शीर्षक\n", encoding="utf-8")
    (record,) = read_path(path)
    assert isinstance(record, RejectedRecord)
    assert "no body" in record.reason and record.origin_file == str(path)


def test_jsonl_bad_lines_are_rejected_and_good_lines_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = '{"title": "शीर्षक", "body": "पाठ", "date": "2016-01-25", "source": " अमर  उजाला "}'
    path.write_bytes(
        "\n".join(
            [good, '{"title": "कटा हुआ', '["not", "an object"]', '{"title": "x"}', good.replace("पाठ", "दूसरा")]
        ).encode("utf-8")
        + b"\n\xff\xfe\n"
    )
    records = list(read_path(path))
    kinds = [(type(r).__name__, r.origin_record) for r in records]
    assert kinds == [
        ("ArticleRecord", "line 1"),
        ("RejectedRecord", "line 2"),
        ("RejectedRecord", "line 3"),
        ("RejectedRecord", "line 4"),
        ("ArticleRecord", "line 5"),
        ("RejectedRecord", "line 6"),
    ]
    first = records[0]
    assert isinstance(first, ArticleRecord)
    assert first.source == "अमर उजाला" and str(first.published) == "2016-01-25"
    reasons = [r.reason for r in records if isinstance(r, RejectedRecord)]
    assert "not valid JSON" in reasons[0] and "JSON object" in reasons[1]
    assert "'body' is missing" in reasons[2] and "UTF-8" in reasons[3]


def test_gzip_jsonl_and_a_truncated_gzip(tmp_path: Path) -> None:
    records = [{"title": f"शीर्षक {i}", "body": "पाठ " * 2000 + str(i)} for i in range(50)]
    path = write_jsonl(tmp_path / "a.jsonl.gz", records)
    assert sum(isinstance(r, ArticleRecord) for r in read_path(path)) == 50
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    results = list(read_path(cut))
    assert isinstance(results[-1], RejectedRecord) and "cut short" in results[-1].reason
    assert all(isinstance(r, ArticleRecord) for r in results[:-1])


def test_directories_are_walked_and_unknown_files_reported(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("शीर्षक\nपाठ", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x\ny", encoding="utf-8")
    gzip_text = gzip.compress("शीर्षक दो\nपाठ दो".encode())
    (tmp_path / "c.txt.gz").write_bytes(gzip_text)
    records = list(read_paths([tmp_path]))
    assert [type(r).__name__ for r in records] == ["RejectedRecord", "ArticleRecord", "ArticleRecord"]
    assert "unsupported file type" in records[0].reason  # type: ignore[union-attr]
