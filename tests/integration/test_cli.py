"""The `meetbook` command as an operator uses it: import, export, demo, token."""

from __future__ import annotations

import json

import jwt
import yaml

from tests import bankdata as b


def test_import_is_idempotent_and_export_reads_back(meetbook, tmp_path, client, token):
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(yaml.safe_dump(b.bank()))
    first = meetbook("import", str(bank_file))
    assert first.exit_code == 0, first.output
    assert "employees 3" in first.output
    assert meetbook("import", str(bank_file)).exit_code == 0
    employees = client.get("/config/employees", headers=token()).json()
    assert len(employees) == 3  # not six

    exported = tmp_path / "export.json"
    assert meetbook("export", str(exported)).exit_code == 0
    data = json.loads(exported.read_text())
    assert {e["email"] for e in data["employees"]} == {"anna@bank.test", "bo@bank.test", "carl@bank.test"}
    assert data["organizationSettings"]["timeZone"] == "Europe/Copenhagen"
    assert meetbook("import", str(exported)).exit_code == 0
    assert len(client.get("/config/employees", headers=token()).json()) == 3


def test_an_invalid_file_is_refused_whole_with_every_problem(meetbook, tmp_path, client, token):
    bad = b.bank()
    bad["employees"][1]["email"] = "not-an-email"
    bad["employeeSchedules"].append({"employeeId": b.ident("ghost"), "workdays": []})
    bad["topics"][0]["meetingDuration"] = "an hour"
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text(yaml.safe_dump(bad))
    result = meetbook("import", str(bad_file))
    assert result.exit_code == 1
    assert "employees[1].email" in result.output
    assert "topics[0].meetingDuration" in result.output
    assert client.get("/config/employees", headers=token()).json() == []  # nothing half-imported

    refs = b.bank()
    refs["employeeSchedules"].append({"employeeId": b.ident("ghost"), "workdays": []})
    refs_file = tmp_path / "refs.yaml"
    refs_file.write_text(yaml.safe_dump(refs))
    result = meetbook("import", str(refs_file))
    assert result.exit_code == 1 and "employeeSchedules[3].employeeId" in result.output
    assert client.get("/config/employees", headers=token()).json() == []


def test_broken_yaml_is_a_clear_error(meetbook, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("employees: [\n  - {email: ")
    result = meetbook("import", str(broken))
    assert result.exit_code == 1 and "not valid YAML" in result.output


def test_token_command_prints_a_usable_token(meetbook, client):
    result = meetbook("token", "--scope", "employee", "--subject", "e-1", "--ttl", "120")
    assert result.exit_code == 0
    access = result.output.strip()
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["sub"] == "e-1" and claims["scope"] == "employee" and claims["exp"] - claims["iat"] == 120
    assert client.get("/bookme/meetings", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    assert meetbook("token", "--scope", "root").exit_code == 1
