"""A hostile Prometheus: a real threaded HTTP server on 127.0.0.1 that answers the query API badly on purpose.

The base URL names the behaviour (``server.url_for("huge")`` is ``http://127.0.0.1:<port>/huge``), so one server
serves every case; every request's path, headers and body are recorded. Nothing here is a mock of the client:
the client under test speaks real HTTP to it.

- ``huge``: a valid vector answer of ``HUGE_ANSWER_BYTES`` generated on the fly, without a Content-Length
- ``huge-declared``: the same, announced by its Content-Length
- ``gzip-bomb``: a valid vector answer of ``HUGE_ANSWER_BYTES`` gzip-compressed to a few hundred kB
- ``trickle``: the headers, then one byte of a valid answer a second
- ``trickle-headers``: the status line, then one byte of headers a second
- ``matrix``: a matrix where a vector belongs (and a vector where a matrix belongs)
- ``missing-fields``: a vector whose series have no ``value``
- ``not-json``: a 200 whose body is HTML
- ``empty``: a valid empty answer, for recording what the client sent
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE_ANSWER_BYTES = 200 * 1000 * 1000
TRICKLE_SECONDS_PER_BYTE = 1.0
TRICKLE_MAX_SECONDS = 120

_SAMPLE = '{"metric":{"slo":"checkout-availability-eu-west-1"},"value":[1764000000.123,"123456.789"]}'
_HEAD = '{"status":"success","data":{"resultType":"vector","result":['
_TAIL = "]}}"


def _huge_pieces(total_bytes: int) -> Iterator[bytes]:
    """A valid vector answer of ``total_bytes`` (give or take one sample), in pieces of about 1 MB."""
    per_piece = 1_000_000 // (len(_SAMPLE) + 1)
    piece = ("," + ",".join([_SAMPLE] * per_piece)).encode()
    yield (_HEAD + _SAMPLE).encode()
    sent = len(_HEAD) + len(_SAMPLE)
    while sent + len(piece) + len(_TAIL) <= total_bytes:
        yield piece
        sent += len(piece)
    yield _TAIL.encode()


def _answer(result_type: str, result: list) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": result_type, "result": result}}).encode()


EMPTY_VECTOR = _answer("vector", [])
PARTIAL_WARNING = "store gateway eu-west-1 did not answer: partial response"
EMPTY_MATRIX = _answer("matrix", [])


@dataclass
class HostileServer:
    host: str
    port: int
    requests: list[dict] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_for(self, behaviour: str) -> str:
        return f"{self.url}/{behaviour}"


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def do_GET(self):
            self._answer()

        def do_POST(self):
            self._answer()

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            behaviour, _, api = self.path.lstrip("/").partition("/")
            wants_matrix = "query_range" in api
            try:
                getattr(self, "_" + behaviour.replace("-", "_"), self._not_found)(wants_matrix)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: what it is meant to do

        def _head(self, content_type: str = "application/json", length: int | None = None, **headers):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if length is not None:
                self.send_header("Content-Length", str(length))
            else:
                self.send_header("Connection", "close")  # the body ends when the connection does
                self.close_connection = True
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()

        def _whole(self, body: bytes, content_type: str = "application/json"):
            self._head(content_type, len(body))
            self.wfile.write(body)

        def _not_found(self, _wants_matrix):
            self.send_error(404)

        def _huge(self, _wants_matrix):
            self._head()
            for piece in _huge_pieces(HUGE_ANSWER_BYTES):
                if server.stopping.is_set():
                    return
                self.wfile.write(piece)

        def _huge_declared(self, _wants_matrix):
            pieces = _huge_pieces(HUGE_ANSWER_BYTES)
            self._head(length=sum(len(piece) for piece in _huge_pieces(HUGE_ANSWER_BYTES)))
            for piece in pieces:
                if server.stopping.is_set():
                    return
                self.wfile.write(piece)

        def _gzip_bomb(self, _wants_matrix):
            body = _gzip_bomb_body()
            self._head(length=len(body), Content_Encoding="gzip")
            self.wfile.write(body)

        def _trickle(self, wants_matrix):
            self._head()
            for index, byte in enumerate(EMPTY_MATRIX if wants_matrix else EMPTY_VECTOR):
                if server.stopping.wait(TRICKLE_SECONDS_PER_BYTE) or index > TRICKLE_MAX_SECONDS:
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def _trickle_headers(self, _wants_matrix):
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for index in range(TRICKLE_MAX_SECONDS):
                if server.stopping.wait(TRICKLE_SECONDS_PER_BYTE):
                    return
                self.wfile.write(b"X-Slow: " if index % 10 == 0 else b"a")
                self.wfile.flush()

        def _matrix(self, wants_matrix):
            series = [{"metric": {"slo": "checkout-availability"}, "values": [[1764000000, "1"]]}]
            vector = [{"metric": {"slo": "checkout-availability"}, "value": [1764000000, "1"]}]
            self._whole(_answer("vector", vector) if wants_matrix else _answer("matrix", series))

        def _missing_fields(self, wants_matrix):
            self._whole(_answer("matrix" if wants_matrix else "vector", [{"metric": {"slo": "checkout-availability"}}]))

        def _not_json(self, _wants_matrix):
            self._whole(b"<html><body>Welcome to nginx!</body></html>", "text/html")

        def _partial(self, wants_matrix):
            """What Thanos or Mimir send when a store did not answer: data, and a warning that some is missing."""
            payload = json.loads(EMPTY_MATRIX if wants_matrix else EMPTY_VECTOR)
            payload["warnings"] = [PARTIAL_WARNING]
            self._whole(json.dumps(payload).encode())

        def _empty(self, wants_matrix):
            self._whole(EMPTY_MATRIX if wants_matrix else EMPTY_VECTOR)

    return Handler


HANDLER_THREAD_NAME = "hostile-prometheus-handler"


class _NamedThreadingServer(ThreadingHTTPServer):
    """Its handler threads carry ``HANDLER_THREAD_NAME``, so a test counting the client's threads can leave them out."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-answer is what the tests make happen

    def process_request(self, request, client_address):
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), name=HANDLER_THREAD_NAME, daemon=True
        )
        thread.start()


def threads_besides_the_server() -> int:
    """``threading.active_count()`` without the hostile server's own threads."""
    return sum(1 for thread in threading.enumerate() if not thread.name.startswith("hostile-prometheus"))


@functools.cache
def _gzip_bomb_body() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as compressed:
        for piece in _huge_pieces(HUGE_ANSWER_BYTES):
            compressed.write(piece)
    return buffer.getvalue()


@contextlib.contextmanager
def start_hostile_prometheus() -> Iterator[HostileServer]:
    """The hostile server on a free port of 127.0.0.1, stopped (its trickles ended) on leaving."""
    httpd = _NamedThreadingServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = HostileServer("127.0.0.1", httpd.server_address[1])
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, name="hostile-prometheus", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
