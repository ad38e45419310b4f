"""Getting an article's text: from a URL, fetched with guards, or from an uploaded file.

The fetch takes http and https only, at most :data:`MAX_BYTES` in at most
:data:`TIMEOUT` seconds, following at most :data:`MAX_REDIRECTS` redirects, each
checked as the first URL was. A host whose addresses include a loopback,
private, link-local, multicast, reserved or unspecified one is refused before
any connection is made, unless it is one of ``allow_hosts`` (the setting
``FETCH_ALLOW_HOSTS``); the connection goes to the address that was checked,
so a second lookup cannot send it elsewhere.

The page is decoded with the character set it declares (header, then ``<meta>``)
or, failing that, the one detected (Shift_JIS and EUC-JP pages exist); the main
text is extracted with trafilatura; headline, date, author, publisher and
language come from the page's schema.org JSON-LD, Open Graph and ``<meta>``.
"""

from __future__ import annotations

import codecs
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from urllib.parse import urljoin, urlsplit

from .errors import KBError

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 10.0
MAX_REDIRECTS = 5
# the site's menus, side columns and footers (outside the article itself)
SITE_PARTS = ('//nav | //*[@role="navigation"] | //*[@role="banner"] | //aside[not(ancestor::article)]'
              " | //footer[not(ancestor::article)]")
MIN_TEXT = 20  # characters (white space aside) of the shortest text taken for an article
AGENT = "ClaimKB/1.0 (+https://w3id.org/claimkb; capturing an article an analyst asked for)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# the names browsers give these character sets, to Python's codecs for them
CHARSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
            "ms_kanji": "cp932", "euc-jp": "euc_jp", "x-euc-jp": "euc_jp", "iso-8859-1": "cp1252",
            "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}


class FetchError(KBError):
    """A page that cannot be captured: one sentence, nothing written."""

    status = 422


# ---- where a URL may lead ---------------------------------------------------------------
def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError(f"the host {host!r} could not be found ({e.strerror or e})") from None
    return list(dict.fromkeys(i[4][0] for i in infos))


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def check_url(url, allow_hosts=()) -> tuple:
    """``(scheme, host, port, path, address)`` of a URL that may be fetched; FetchError otherwise,
    before any connection."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError("give the URL of the page to capture")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(f"{url!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http:// and https:// pages can be captured, not {parts.scheme or 'this'}:")
    host = parts.hostname
    if not host:
        raise FetchError(f"{url!r} names no host")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    allowed = host.lower() in {h.strip().lower() for h in allow_hosts if h and h.strip()}
    bad = [a for a in addresses if _forbidden(a)]
    if bad and not allowed:
        raise FetchError(f"{host} resolves to a private or local address ({bad[0]}); "
                         "ClaimKB does not fetch such addresses unless the host is in FETCH_ALLOW_HOSTS")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path, addresses[0]


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the host name resolves to now."""

    def __init__(self, host, port, address, timeout, tls: bool):
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls:
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _get(url: str, allow_hosts) -> tuple[bytes, str, str]:
    """The body, its Content-Type and the final URL."""
    deadline = time.monotonic() + TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, address = check_url(url, allow_hosts)
        conn = _Pinned(host, port, address, max(0.1, deadline - time.monotonic()), scheme == "https")
        # a server that sends a byte at a time is cut off at the deadline, not at each read's timeout
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _abort, (conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.request("GET", path, headers={"User-Agent": AGENT, "Accept": "text/html, text/plain;q=0.9",
                                               "Accept-Encoding": "identity"})
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308):
                target = resp.getheader("Location")
                if not target:
                    raise FetchError(f"{url} redirects without saying where")
                url = urljoin(url, target)
                continue
            if resp.status != 200:
                raise FetchError(f"{url} answered {resp.status} {resp.reason}; nothing was captured")
            ctype = resp.getheader("Content-Type") or ""
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise FetchError(f"the page is too large ({int(length):,} bytes; at most {MAX_BYTES:,})")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"the page took longer than {TIMEOUT:g} seconds to arrive")
                chunk = resp.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(f"the page is too large (more than {MAX_BYTES:,} bytes)")
                chunks.append(chunk)
            if time.monotonic() >= deadline:  # cut off by the watchdog: what came is not the whole page
                raise FetchError(f"the page took longer than {TIMEOUT:g} seconds to arrive")
            return b"".join(chunks), ctype, url
        except (OSError, http.client.HTTPException) as e:
            if isinstance(e, TimeoutError) or "timed out" in str(e) or time.monotonic() >= deadline:
                raise FetchError(f"the page took longer than {TIMEOUT:g} seconds to arrive") from None
            raise FetchError(f"{url} could not be fetched ({e})") from None
        finally:
            watchdog.cancel()
            conn.close()
    raise FetchError(f"the page redirects more than {MAX_REDIRECTS} times")


def _abort(conn) -> None:
    """Stop a fetch that ran past its deadline: a blocked read returns at once."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


# ---- bytes to text ---------------------------------------------------------------------
def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = CHARSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(raw: bytes, declared: str | None = None, *, html: bool = False) -> str:
    """Bytes to text: the declared character set, the page's ``<meta>`` one, UTF-8, or the
    detected one; FetchError for a binary body or invalid byte sequences."""
    if b"\x00" in raw[:8192]:
        raise FetchError("the body is binary, not text or HTML")
    if raw.startswith(codecs.BOM_UTF8):
        raw, declared = raw[3:], "utf-8"
    codec = _codec(declared)
    if codec is None and html:
        m = _META_CHARSET.search(raw[:4096])
        codec = _codec(m.group(1).decode("ascii", "replace")) if m else None
    if codec is None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            if _mostly_utf8(raw):  # UTF-8 with bytes that cannot be: broken, not another charset
                raise FetchError(f"the body has invalid byte sequences for its character set utf-8 "
                                 f"(at byte {e.start}); nothing was captured") from None
            from charset_normalizer import from_bytes  # only for pages that say nothing and are not UTF-8

            best = from_bytes(raw).best()
            if best is None:
                raise FetchError("the body is not text in any character set ClaimKB recognises "
                                 "(invalid byte sequences)") from None
            codec = _codec(best.encoding) or best.encoding
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as e:
        raise FetchError(f"the body has invalid byte sequences for its character set {codec} "
                         f"(at byte {e.start}); nothing was captured") from None


def _mostly_utf8(raw: bytes) -> bool:
    """Valid UTF-8 multi-byte characters, and only a few bytes that are not."""
    text = raw.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return wide >= 8 and bad * 20 <= wide


# ---- HTML to an article -------------------------------------------------------------------
def _jsonld_articles(tree) -> list[dict]:
    out = []
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            doc = json.loads(node.text or "")
        except ValueError:
            continue
        stack = [doc]
        while stack:
            d = stack.pop()
            if isinstance(d, list):
                stack.extend(d)
            elif isinstance(d, dict):
                stack.extend(d.get("@graph") or [])
                types = d.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and t.endswith("Article") for t in types):
                    out.append(d)
    return out


def _name(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value) -> str | None:
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value) if isinstance(value, str) else None
    return m.group(1) if m else None


def metadata(tree) -> dict:
    """Headline, date, author, publisher and language from JSON-LD, Open Graph and ``<meta>``."""
    def meta(*names):
        for n in names:
            for attr in ("property", "name", "itemprop"):
                found = tree.xpath(f'//meta[@{attr}="{n}"]/@content')
                if found and found[0].strip():
                    return found[0].strip()
        return None

    ld = (_jsonld_articles(tree) or [{}])[0]
    title = tree.xpath("//title/text()")
    lang = ld.get("inLanguage") or (tree.xpath("/html/@lang") or [None])[0] or meta("og:locale", "language")
    out = {
        "headline": _name(ld.get("headline")) or meta("og:title", "twitter:title")
        or (title[0].strip() if title and title[0].strip() else None),
        "published": _date(ld.get("datePublished")) or _date(meta("article:published_time", "date", "pubdate",
                                                                  "datePublished")),
        "author_name": _name(ld.get("author")) or meta("author", "article:author"),
        "publisher_name": _name(ld.get("publisher")) or meta("og:site_name"),
        "language": re.split(r"[-_]", lang)[0].lower() if isinstance(lang, str) and lang.strip() else None,
    }
    return {k: v for k, v in out.items() if v}


def article(html: str) -> dict:
    """The main text of an HTML page (trafilatura) and its metadata."""
    import lxml.html
    import trafilatura

    if not html.strip():
        raise FetchError("the page is empty: it has no article text")
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        raise FetchError("the page is not HTML that can be read") from None
    meta = metadata(tree)
    # the site's own parts are never the article; with them gone, recall first: a paragraph left
    # out is a quote refused (bench/extraction.py measured the options)
    for el in tree.xpath(SITE_PARTS):
        el.drop_tree()
    text = trafilatura.extract(lxml.html.tostring(tree, encoding="unicode"), output_format="txt",
                               include_comments=False, include_tables=False, favor_recall=True, deduplicate=False)
    if not text or len("".join(text.split())) < MIN_TEXT:  # a menu or a caption is not an article
        raise FetchError("no article text was found on the page; paste the text instead")
    return {"text": text.strip(), **meta}


def capture(url, *, allow_hosts=()) -> dict:
    """A page fetched with the guards above: ``{url, text, headline, published, author_name,
    publisher_name, language}`` (what the page gives), for the analyst to confirm."""
    raw, ctype, final = _get(url, allow_hosts)
    mime, _, params = ctype.partition(";")
    mime = mime.strip().lower()
    charset = re.search(r"charset\s*=\s*([^;\s]+)", params, re.I)
    charset = charset.group(1) if charset else None
    if mime == "text/plain":
        return {"url": url.strip(), "text": _plain(decode(raw, charset))}
    if mime and mime not in HTML_TYPES:
        raise FetchError(f"the page is {mime}, not HTML or plain text; nothing was captured")
    return {"url": url.strip(), **article(decode(raw, charset, html=True))}


def _plain(text: str) -> str:
    if not text.strip():
        raise FetchError("the file or page is empty")
    return text


def from_file(raw: bytes, name: str = "upload") -> dict:
    """An uploaded file: plain text (``.txt``) or saved HTML (``.html``, ``.htm``)."""
    if len(raw) > MAX_BYTES:
        raise FetchError(f"the file is too large ({len(raw):,} bytes; at most {MAX_BYTES:,})")
    lower = name.lower()
    if lower.endswith(".pdf") or raw.startswith(b"%PDF"):
        raise FetchError("PDF files are not read yet; paste the article's text instead")
    head = raw[:512].lstrip().lower()
    if lower.endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html")):
        return article(decode(raw, html=True))
    return {"text": _plain(decode(raw))}


__all__ = ["FetchError", "MAX_BYTES", "TIMEOUT", "MAX_REDIRECTS", "check_url", "capture", "from_file", "decode",
           "article", "metadata"]
