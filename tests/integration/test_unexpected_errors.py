"""A bug is one 500 in the error body, logged with its request id, and the client's keep-alive
connection goes on serving (Starlette's last-resort handler would re-raise, and the server would
drop the connection)."""

from __future__ import annotations

import logging

from tests.live_server import Connection, live_server


def test_an_unexpected_error_is_a_json_500_and_the_connection_stays_open(app, token, caplog):
    @app.get("/test-only/broken")
    async def broken():
        raise RuntimeError("a bug")

    with caplog.at_level(logging.ERROR, logger="meetbook"), live_server(app) as port:
        connection = Connection(port, token("customer"))
        try:
            status, body = connection.send("GET", "/test-only/broken")
            assert status == 500
            assert body == {"code": "INTERNAL_SERVER_ERROR", "message": "the server could not complete the request"}
            status, _ = connection.send("GET", "/config/rooms")
            assert status == 200
        finally:
            connection.close()
    assert any("a bug" in (r.exc_text or "") or (r.exc_info and "a bug" in str(r.exc_info[1])) for r in caplog.records)
