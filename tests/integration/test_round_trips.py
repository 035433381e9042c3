"""How many times a reserve and a booking wait for PostgreSQL, counted on the wire: the service talks
to the database through a TCP relay on the loopback that holds each answer of the server back a
little (as a database across a network would) and counts the client's turns: each time it sends
again only after every batch it sent was answered (ReadyForQuery), it had waited, one round trip.
Statements sent together (pipeline mode) without waiting are one turn. A reserve is two round trips
(the locks with the check's read; the hold's insert with the commit), a booking with an
Idempotency-Key three (the key, the hold and its advisor's lock; the slot's check; the writes with
the commit)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from meetbook.core import db
from tests import bankdata as b
from tests.conftest import fresh_database
from tests.integration.helpers import book, reserve, search

# Each answer of the server reaches the client this much later: far more than the client takes
# between the statements of one batch, so a batch sent without waiting is never counted twice.
LATENCY = 0.05


class TurnCounter:
    """A TCP relay to PostgreSQL (no TLS) that counts, over all its connections, the client's turns."""

    def __init__(self, upstream_port: int = 5432) -> None:
        self.upstream_port = upstream_port
        self.turns = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def __enter__(self) -> TurnCounter:
        self._thread.start()
        assert self._ready.wait(10), "the relay did not start"
        return self

    def __exit__(self, *exc) -> None:
        async def shutdown() -> None:  # the relayed connections end before the loop does
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def reset(self) -> None:
        with self._lock:
            self.turns = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    @staticmethod
    def _messages(stream: bytearray, typed: bool):
        """Take the complete protocol messages off `stream`: (type byte, or None for the untyped startup)."""
        while True:
            if not typed:
                if len(stream) < 4 or len(stream) < int.from_bytes(stream[0:4], "big"):
                    return
                del stream[:int.from_bytes(stream[0:4], "big")]
                yield None
                return
            if len(stream) < 5 or len(stream) < 1 + int.from_bytes(stream[1:5], "big"):
                return
            kind = bytes(stream[0:1])
            del stream[:1 + int.from_bytes(stream[1:5], "big")]
            yield kind

    async def _relay(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        state = {"outstanding": 0, "waiting": True, "started": False}
        from_client, from_server = bytearray(), bytearray()

        def client_sent(data: bytes) -> None:
            from_client.extend(data)
            for kind in self._messages(from_client, state["started"]):
                if kind is None:  # the startup message: the server answers it with ReadyForQuery
                    state["started"] = True
                    state["outstanding"] += 1
                    continue
                if state["waiting"]:  # everything sent so far was answered: a new round trip
                    state["waiting"] = False
                    with self._lock:
                        self.turns += 1
                if kind in (b"S", b"Q"):  # Sync, or a simple Query: answered by one ReadyForQuery
                    state["outstanding"] += 1

        def server_answered(data: bytes) -> None:
            from_server.extend(data)
            for kind in self._messages(from_server, True):
                if kind == b"Z":
                    state["outstanding"] -= 1
                    state["waiting"] = state["outstanding"] == 0

        async def pump(reader, writer, client: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if client:
                        client_sent(data)
                    else:
                        await asyncio.sleep(LATENCY)
                        server_answered(data)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_reader, server_writer, True), pump(server_reader, client_writer, False))


@pytest.fixture
def relay():
    with TurnCounter() as counter:
        yield counter


@pytest.fixture
def database_url(request, tmp_path, relay):
    """This test's PostgreSQL database, reached through the relay, in the clear (the relay reads the protocol)."""
    url = fresh_database(request, "postgresql", tmp_path)
    return url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}") + "?sslmode=disable&gssencmode=disable"


def _free_slots(client, headers) -> list[dict]:
    return search(client, headers, topic=b.T_HOUSING, meetingTypes="online", explicitEmployeeIds=b.ANNA)


def test_a_reserve_waits_twice_and_a_booking_three_times(client, token, load_bank, relay, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)  # steady traffic: pooled connections are not pinged
    client.app.state.snapshots._recheck = 3600.0  # the configuration's version is not re-read mid-measurement
    load_bank(b.bank())
    customer = token("customer")
    slots = _free_slots(client, customer)
    # The first reserve and booking prepare the statements (and warm the pool): the second ones are measured.
    warm = reserve(client, customer, slots[0], str(uuid.uuid4()))
    assert warm.status_code == 200, warm.text
    assert book(client, customer, warm.json(), b.T_HOUSING, "online").status_code == 201

    later = next(s for s in slots if s["startDate"] >= "2026-06-02")
    relay.reset()
    held = reserve(client, customer, later, str(uuid.uuid4()))
    reserve_turns = relay.turns
    assert held.status_code == 200, held.text

    relay.reset()
    body = {"bookedBy": "customer", "timeSlotId": held.json()["id"], "type": "online", "themeId": b.T_HOUSING,
            "employeeId": held.json()["employeeId"]}
    created = client.post("/bookme/meetings", json=body, headers={**customer, "Idempotency-Key": str(uuid.uuid4())})
    create_turns = relay.turns
    assert created.status_code == 201, created.text

    assert (reserve_turns, create_turns) == (2, 3)
    # Both stored: a repeat of the hold's booking is refused as already booked.
    again = client.post("/bookme/meetings", json=body, headers=customer)
    assert again.status_code == 409, again.text


def test_the_relay_counts_each_wait(relay):
    """The counter itself: three statements one at a time are three turns, three pipelined one."""
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:{relay.port}/test?sslmode=disable&gssencmode=disable"
    with psycopg.connect(url, autocommit=True) as conn:
        relay.reset()
        for n in range(3):
            conn.execute("SELECT %s::int", (n,))
        one_at_a_time = relay.turns
        relay.reset()
        with conn.pipeline():
            for n in range(3):
                conn.execute("SELECT %s::int", (n,))
        pipelined = relay.turns
    assert (one_at_a_time, pipelined) == (3, 1)

