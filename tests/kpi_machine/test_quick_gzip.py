"""`QuickGZipMiddleware`: Django's gzip of pages at zlib level 1, everything else as Django does it."""

import gzip

from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.gzip import GZipMiddleware
from django.test import RequestFactory
from django.utils.text import compress_string

from kpi_machine.middleware import QuickGZipMiddleware, _gzipped

PAGE = ("<tr><td>Sickness absence</td><td>9.8 days</td></tr>\n" * 2000).encode()


def answer(response_or_body=PAGE, accept="gzip, deflate", middleware=QuickGZipMiddleware):
    request = RequestFactory().get("/scorecards/cmt/", headers={"accept-encoding": accept} if accept else {})
    made = response_or_body if not isinstance(response_or_body, bytes) else HttpResponse(response_or_body)
    return middleware(lambda r: made)(request)


def test_a_page_is_sent_gzipped_and_unchanged_once_decompressed():
    response = answer()
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.content) == PAGE
    assert int(response["Content-Length"]) == len(response.content) < len(PAGE) // 10


def test_the_gzip_header_carries_a_random_length_name_against_breach():
    lengths = set()
    for _ in range(30):
        content = answer().content
        assert content[3] & gzip.FNAME
        lengths.add(content.index(b"\x00", 10) - 10)
    assert len(lengths) > 5 and max(lengths) < GZipMiddleware.max_random_bytes


def test_level_one_gives_the_same_page_for_a_little_more():
    # Without the random padding (0 to 99 bytes, which would swamp a small difference), and on
    # rows that differ as a scorecard's do.
    page = "".join(
        f"<tr><td>KPI{i:04d}</td><td>{i * 7 % 1000 / 10}%</td></tr>\n" for i in range(5000)
    ).encode()
    ours, djangos = _gzipped(page, 1), compress_string(page)
    assert gzip.decompress(ours) == gzip.decompress(djangos) == page
    assert len(djangos) <= len(ours) - 1 < 2 * len(djangos)  # ours: an empty file name, its NUL


def test_what_django_would_not_compress_is_left_alone():
    assert "Content-Encoding" not in answer(accept=None)  # not accepted
    assert answer(accept=None)["Vary"] == "Accept-Encoding" and answer(accept=None).content == PAGE
    assert "Content-Encoding" not in answer(b"short")  # under 200 bytes
    encoded = HttpResponse(PAGE, headers={"Content-Encoding": "br"})
    assert answer(encoded).content == PAGE  # already encoded


def test_a_strong_etag_is_weakened_as_django_does():
    response = HttpResponse(PAGE, headers={"ETag": '"abc"'})
    assert answer(response)["ETag"] == 'W/"abc"'


def test_a_streaming_download_goes_to_djangos_own():
    response = answer(StreamingHttpResponse(iter([PAGE[:5000], PAGE[5000:]])))
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == PAGE
