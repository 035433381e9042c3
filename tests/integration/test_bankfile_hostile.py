"""Bank definition files as people (and accidents) write them: unquoted times, typos, inconsistent
hours and branches, and files that are not bank definitions at all. Each is refused with one clear
message (or every problem by path) and nothing is stored; nothing prints a traceback."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests import bankdata as b
from tests.integration.helpers import search


def _refused(result) -> str:
    """The command failed with one `error:` line on stderr (and problem lines under it), no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and result.stderr.startswith("error: "), result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an exception's traceback
    return result.stderr


def _unquoted(document: dict) -> str:
    """YAML as a person writes it: times and durations without quotes."""
    return re.sub(r"'(\d\d:\d\d:\d\d)'", r"\1", yaml.safe_dump(document, sort_keys=False))


def test_unquoted_times_are_times_not_base_60_numbers(meetbook, tmp_path, client, token):
    late = [{**w, "to": "19:00:00"} for w in b.week("09:00:00", "12:00:00", "Copenhagen", ["Online"])]
    text = _unquoted(b.bank(organizationSettings={"openingTime": "08:00:00", "closingTime": "16:00:00",
                                                  "defaultMeetingDuration": "01:00:00"},
                            employeeSchedules=[{"employeeId": b.ANNA, "workdays": late}]))
    assert "closingTime: 16:00:00\n" in text and "to: 19:00:00\n" in text  # what a YAML 1.1 reader takes for 57600
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(text)
    assert meetbook("import", bank_file).exit_code == 0

    e = token("employee")
    settings = client.get("/bookme/config/organization-settings", headers=e).json()
    assert (settings["openingTime"], settings["closingTime"], settings["defaultMeetingDuration"]) == ("08:00:00", "16:00:00", "01:00:00")
    assert client.get(f"/bookme/config/employee-schedules/{b.ANNA}", headers=e).json()["workdays"][0]["to"] == "19:00:00"
    # Customers are offered Anna's afternoon up to the bank's closing at 16:00 local (14:00Z), no evening.
    slots = search(client, token(), requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA,
                   meetingTypes="online", lookForwardTime="1.00:00:00")
    assert slots and max(s["endDate"] for s in slots) == "2026-06-01T14:00:00.000Z"


def test_a_number_in_a_time_or_duration_field_says_to_quote_it(meetbook, tmp_path, client, token):
    bank = b.bank(organizationSettings={"closingTime": 960, "openingTime": True})
    bank["topics"][0]["meetingDuration"] = 3600
    bank["employeeSchedules"][0]["workdays"][0]["from"] = 540
    bank_file = tmp_path / "bank.json"
    bank_file.write_text(json.dumps(bank))
    err = _refused(meetbook("import", bank_file))
    assert 'organizationSettings.closingTime: write the time as a quoted string "hh:mm:ss"' in err
    assert 'organizationSettings.openingTime: write the time as a quoted string "hh:mm:ss"' in err
    assert 'topics[0].meetingDuration: write the duration as a quoted string "[d.]hh:mm:ss"' in err
    assert 'employeeSchedules[0].workdays[0].from: write the time as a quoted string "hh:mm:ss"' in err
    assert client.get("/config/employees", headers=token("employee")).json() == []


def test_export_quotes_every_time_and_duration(meetbook, tmp_path, load_bank):
    load_bank(b.bank(organizationSettings={"openingTime": "08:00:00", "closingTime": "16:00:00",
                                           "maxTimeFromBookingToMeeting": "60.00:00:00"}))
    out = tmp_path / "export.yaml"
    assert meetbook("export", out).exit_code == 0
    text = out.read_text()
    assert 'openingTime: "08:00:00"' in text and 'closingTime: "16:00:00"' in text
    assert 'maxTimeFromBookingToMeeting: "60.00:00:00"' in text and 'from: "09:00:00"' in text
    assert not re.search(r":\s\d+:\d\d", text)  # no unquoted time left anywhere
    # Any YAML 1.1 reader gets the same text back.
    assert yaml.safe_load(text)["organizationSettings"]["closingTime"] == "16:00:00"


def _problem(err: str, path: str) -> str:
    """The message listed for `path`."""
    return next((line.split(": ", 1)[1] for line in err.splitlines() if line.startswith(f"  {path}: ")), "")


def test_times_of_24_hours_or_more(meetbook, tmp_path, client, token):
    bad = b.bank(organizationSettings={"openingTime": "24:00:00", "closingTime": "24:30:00"})
    bad["employeeSchedules"][0]["workdays"][0] = {"dayOfWeek": "Monday", "from": "24:00:00"}
    bad["employeeSchedules"][1]["workdays"][0]["to"] = "25:00:00"
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text(yaml.safe_dump(bad))
    err = _refused(meetbook("import", bad_file))
    for path, value in [("organizationSettings.openingTime", "24:00:00"), ("organizationSettings.closingTime", "24:30:00"),
                        ("employeeSchedules[0].workdays[0].from", "24:00:00"), ("employeeSchedules[1].workdays[0].to", "25:00:00")]:
        assert value in _problem(err, path) and "24:00:00" in _problem(err, path), err
    assert client.get("/config/employees", headers=token("employee")).json() == []

    # 24:00:00 ends a day: an advisor may work until midnight.
    late = b.bank(employeeSchedules=[{"employeeId": b.ANNA, "workdays": b.week("18:00:00", "24:00:00", "Copenhagen", ["Online"])}])
    ok_file = tmp_path / "late.yaml"
    ok_file.write_text(yaml.safe_dump(late))
    assert meetbook("import", ok_file).exit_code == 0
    slots = search(client, token("employee"), requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA,
                   meetingTypes="online", isCustomerInitiated="false", lookForwardTime="1.00:00:00")
    assert max(s["endDate"] for s in slots) == "2026-06-01T22:00:00.000Z"  # midnight local


def test_an_inconsistent_file_is_refused_whole_with_every_problem(meetbook, tmp_path, client, token):
    bad = b.bank(organizationSettings={"openingTime": "17:00:00", "closingTime": "08:00:00", "closeingTime": "18:00:00"},
                 roomz=[{"name": "Room 9", "location": "Copenhagen"}])
    bad["rooms"].append({"name": "Room 3", "location": "Atlantis"})
    bad["rooms"].append({"name": "Room 4", "location": "copenhagen"})
    bad["employeeSchedules"][0]["workdays"][0].update({"from": "14:00:00", "to": "10:00:00"})
    bad["employeeSchedules"][1]["workdays"][1] = {"dayOfWeek": "Tuesday", "from": "17:00:00"}  # `to` defaults to 16:00
    bad["employeeSchedules"][2]["workdays"][0]["location"] = "Odense"
    bad["employees"][2]["id"] = b.ANNA
    bad["locations"].append({"location": "Aarhus"})
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text(yaml.safe_dump(bad))
    err = _refused(meetbook("import", bad_file))
    assert "roomz: unknown key; expected one of organizationSettings, locations, rooms" in err
    assert "organizationSettings.closeingTime: unknown key" in err
    assert "from" in _problem(err, "employeeSchedules[0].workdays[0].to")
    # The shape first; with it right, the whole file is judged against itself and the stored bank.
    del bad["roomz"], bad["organizationSettings"]["closeingTime"]
    bad["employeeSchedules"][0]["workdays"][0].update({"from": "09:00:00", "to": "12:00:00"})
    bad_file.write_text(yaml.safe_dump(bad))
    err = _refused(meetbook("import", bad_file))
    for line in [
        "organizationSettings.closingTime: 08:00:00 is not after openingTime 17:00:00",
        "rooms[2].location: no location named 'Atlantis'",
        "rooms[3].location: no location named 'copenhagen' (did you mean 'Copenhagen'?)",
        "employeeSchedules[1].workdays[1].to: 16:00:00 is not after from 17:00:00",
        "employeeSchedules[2].workdays[0].location: no location named 'Odense'",
        f"employees[2].id: '{b.ANNA}' is already used by employees[0]",
        "locations[2].location: 'Aarhus' is already used by locations[1]",
    ]:
        assert f"  {line}" in err, err
    assert client.get("/config/employees", headers=token("employee")).json() == []
    assert client.get("/config/rooms", headers=token("employee")).json() == []


def test_a_name_taken_by_a_stored_object_is_a_problem_not_a_crash(meetbook, tmp_path, load_bank, client, token):
    load_bank(b.bank())
    clash = {"locations": [{"id": b.ident("another"), "location": "Copenhagen"}],
             "topics": [{"id": b.ident("another-topic"), "name": "Housing again", "uniqueTopicId": "housing"}]}
    bank_file = tmp_path / "clash.yaml"
    bank_file.write_text(yaml.safe_dump(clash))
    err = _refused(meetbook("import", bank_file))
    assert f"locations[0].location: 'Copenhagen' is already used by the stored one with id '{b.ident('loc-cph')}'" in err
    assert f"topics[0].uniqueTopicId: 'housing' is already used by the stored one with id '{b.T_HOUSING}'" in err
    assert len(client.get("/bookme/config/locations", headers=token("employee")).json()) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("random.yaml", bytes(range(256)) * 4, "random.yaml is not a text file (not UTF-8 at byte 128)"),
        ("empty.yaml", b"", "empty.yaml is empty"),
        ("blank.json", b"  \n", "blank.json is empty"),
        ("comments.yaml", b"# employees: []\n", "comments.yaml holds nothing but comments"),
        ("syntax.yaml", b"employees:\n  - {email: a@b.c\nrooms: []\n", "syntax.yaml is not valid YAML: line 3, column"),
        ("control.yaml", b"employees: []\nrooms: [\x00]\n", "control.yaml is not valid YAML: line 2: unacceptable character #x0000"),
        ("twice.yaml", b"rooms: []\nrooms: []\n", "twice.yaml is not valid YAML: line 2, column 1: 'rooms' is given twice"),
        ("tag.yaml", b"rooms: !!python/object/apply:os.system [ls]\n", "tag.yaml is not valid YAML: line 1, column 8"),
        ("syntax.json", b'{"rooms": [}', "syntax.json is not valid JSON: line 1, column 12"),
        ("twice.json", b'{"rooms": [], "rooms": []}', "twice.json is not valid JSON: 'rooms' is given twice"),
        ("date.yaml", b"organizationSettings:\n  closingDays: [2026-02-30]\n",
         "date.yaml is not valid YAML: line 2, column 17: cannot read '2026-02-30' (day is out of range for month)"),
        ("int.yaml", b"rooms: !!int abc\n", "int.yaml is not valid YAML: line 1, column 8: cannot read 'abc'"),
        ("deep.yaml", b"rooms: " + b"[" * 5000 + b"]" * 5000, "deep.yaml nests lists or mappings too deeply"),
        ("deep.json", b'{"rooms": ' + b"[" * 100000 + b"]" * 100000 + b"}", "deep.json nests lists or mappings too deeply"),
        ("list.yaml", b"- rooms\n- employees\n", "a bank definition is one mapping of keys such as employees, topics, rooms; this file holds a list"),
        ("text.yaml", b"hello\n", "this file holds the single value 'hello'"),
    ],
)
def test_a_file_that_is_not_a_bank_definition_is_one_line(meetbook, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    err = _refused(meetbook("import", path))
    assert err.count("\n") == 1 and message in err, err


def test_missing_files_and_unwritable_paths(meetbook, tmp_path):
    err = _refused(meetbook("import", tmp_path / "nowhere.yaml"))
    assert err == f"error: {tmp_path / 'nowhere.yaml'}: no such file\n"
    err = _refused(meetbook("import", tmp_path))
    assert err == f"error: {tmp_path} is a directory, not a bank definition file\n"
    err = _refused(meetbook("export", tmp_path / "missing-dir" / "bank.yaml"))
    assert err == f"error: cannot write {tmp_path / 'missing-dir' / 'bank.yaml'}: No such file or directory\n"
    err = _refused(meetbook("export", tmp_path))
    assert err == f"error: cannot write {tmp_path}: Is a directory\n"


def test_an_empty_mapping_imports_nothing(meetbook, tmp_path):
    path = tmp_path / "nothing.yaml"
    path.write_text("{}\n")
    result = meetbook("import", path)
    assert result.exit_code == 0 and result.stdout == "imported: nothing\n"
