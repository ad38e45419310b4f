"""Articles served on loopback for the capture tests: a ``http.server`` thread that
serves set pages and records every connection it accepts (so a test can prove
that a refused fetch never connected)."""

from __future__ import annotations

import http.server
import threading
import time

JA_TITLE = "橋は五月に開通する、と大臣"
JA_BODY = ["大臣は記者会見で、新しい橋は五月に開通すると述べた。",
           "しかし、建設会社の関係者は、工事は予定より三か月遅れていると話した。",
           "市は、開通日について近く改めて発表するとしている。"]
EN_TITLE = "Minister says the bridge opens in May"
EN_BODY = ["The minister told reporters on Tuesday that the new bridge would open to traffic in May.",
           "A person at the construction company said the work was three months behind schedule.",
           "The city said it would announce the opening date again soon, without giving a day."]


def page(title: str, body: list[str], *, lang: str, charset: str = "utf-8", date: str = "2025-05-02",
         author: str = "Hanako Yamada", site: str = "The Daily", extra: str = "") -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title} | {site}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{site}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "{date}T09:00:00+09:00", "author": {{"@type": "Person", "name": "{author}"}},
 "inLanguage": "{lang}"}}</script>
<script>document.title = "tracker";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{paras}{extra}</article>
<aside>Most read: <a href="/a">Another story</a></aside><footer>(c) {site} 2025</footer></body></html>"""


class _Drip:
    def __init__(self, seconds: float):
        self.seconds = seconds

    def send(self, out):
        try:
            for _ in range(100):
                out.write(b"<")
                out.flush()
                time.sleep(self.seconds)
        except OSError:  # the client hung up, as it should
            pass


class ArticleServer:
    """``pages``: path -> (status, headers, body bytes) or a callable returning that."""

    def __init__(self, pages: dict | None = None):
        self.pages = dict(pages or {})
        self.connections: list = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                found = outer.pages.get(self.path)
                if callable(found):
                    found = found()
                status, headers, body = found or (404, {"Content-Type": "text/plain"}, b"no such page")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if isinstance(body, _Drip):
                    body.send(self.wfile)
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request, client_address):
                outer.connections.append(client_address)
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def html(self, path: str, text: str, charset: str = "utf-8", content_type: str = "text/html"):
        self.pages[path] = (200, {"Content-Type": f"{content_type}; charset={charset}"}, text.encode(charset))

    def slow(self, path: str, seconds: float):
        def answer():
            time.sleep(seconds)
            return 200, {"Content-Type": "text/html"}, b"<html><body><p>late</p></body></html>"
        self.pages[path] = answer

    def drip(self, path: str, seconds: float):
        """A page that arrives a byte at a time, one every ``seconds``."""
        outer = self

        def answer():
            return 200, {"Content-Type": "text/html", "Content-Length": "100000"}, _Drip(seconds)
        outer.pages[path] = answer

    def close(self):
        self.server.shutdown()
        self.server.server_close()
