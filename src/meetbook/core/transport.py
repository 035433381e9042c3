"""The HTTP server's own refusals in the API's error body.

uvicorn answers a request it cannot parse (a URL over httptools' 65,535 bytes, a malformed request
line or header) with a plain-text 400 before the application is called, so no middleware can see it.
`meetbook serve` runs uvicorn with this protocol, which sends the same refusal as JSON (414 for the
long URL). Selected with uvicorn's `http=HTTP_PROTOCOL`.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from meetbook.core.http import code_for

HTTP_PROTOCOL = "meetbook.core.transport:JsonErrorsHttpToolsProtocol"
URL_LIMIT = 65535  # httptools' own limit on a request's URL


class JsonErrorsHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        # `self.url` holds what the parser had read of the request target when it gave up.
        too_long = len(getattr(self, "url", b"")) > URL_LIMIT
        status, message = (414, f"the request's URL is longer than {URL_LIMIT} bytes") if too_long else (400, "the request is not valid HTTP")
        body = json.dumps({"code": code_for(status), "message": message}).encode()
        head = [f"HTTP/1.1 {status} {'URI Too Long' if too_long else 'Bad Request'}".encode()]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json", b"content-length: " + str(len(body)).encode(), b"connection: close"]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
