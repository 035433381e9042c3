"""The wording of messages: the shipped defaults, times in the bank's zone, and the sandbox a bank's
templates run in (what a template that does not render, or tries to do harm, gets back)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from meetbook.messages import (
    KINDS,
    LANGUAGES,
    ROLES,
    MessageFacts,
    Template,
    TemplateError,
    check_template,
    default_template,
    normalize_language,
    render,
    sample_facts,
    when_text,
)

CPH = "Europe/Copenhagen"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def facts(**changes) -> MessageFacts:
    base = MessageFacts(
        kind="booked", language="en-GB", recipient_role="customer", bank_name="Nordbank", meeting_id="m-1",
        start=START, end=START + dt.timedelta(hours=1), time_zone=CPH, meeting_type="Physical",
        topic="Home loan", customer_name="Jens Hansen", advisor_name="Anna Berg", branch_name="Copenhagen",
        branch_address="Main Street 1", room_name="Room 1",
    )
    return dataclasses.replace(base, **changes)


# --- the shipped defaults ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_default_renders_for_every_recipient(kind, language, role):
    for sample in sample_facts(kind):  # with and without the optional facts, every meeting type
        out = render(dataclasses.replace(sample, language=language, recipient_role=role))
        assert out.subject and "\n" not in out.subject
        for part in (out.subject, out.text, out.html):
            assert "None" not in part and "{{" not in part and "{%" not in part
        assert ("kl. 10.00" if language == "da-DK" else "10:00") in out.text
        assert f'<html lang="{language}">' in out.html
        assert out.text.endswith("\n") and "\n\n\n" not in out.text


def test_each_recipient_is_told_what_concerns_them():
    customer = render(facts()).text
    assert "Dear Jens Hansen," in customer and "Your meeting with Anna Berg is booked." in customer
    assert "Where: Copenhagen, Main Street 1" in customer and customer.rstrip().endswith("Nordbank")
    advisor = render(facts(recipient_role="advisor")).text
    assert "Jens Hansen has booked a meeting with you." in advisor and "Customer: Jens Hansen" in advisor
    room = render(facts(recipient_role="room"))
    assert room.text.startswith("Room 1 is booked for a meeting.") and "Jens Hansen" not in room.text
    danish = render(facts(language="da-DK"))
    assert "Kære Jens Hansen," in danish.text and "Dit møde med Anna Berg er booket." in danish.text
    assert danish.subject == "Dit møde er booket: tirsdag den 1. december 2026 kl. 10.00"
    assert "Jens Hansen har booket et møde med dig." in render(facts(language="da-DK", recipient_role="advisor")).text


def test_each_kind_says_what_happened():
    before = START - dt.timedelta(days=1)
    moved = render(facts(kind="rescheduled", previous_start=before, previous_end=before + dt.timedelta(hours=1))).text
    assert "has been moved" in moved and "When: Tuesday 1 December 2026, 10:00–11:00" in moved
    assert "Previously: Monday 30 November 2026, 10:00–11:00" in moved
    assert "Tidligere: mandag den 30. november 2026 kl. 10.00–11.00" in render(
        facts(kind="rescheduled", language="da-DK", previous_start=before, previous_end=before + dt.timedelta(hours=1))).text
    assert "has been cancelled" in render(facts(kind="cancelled")).text
    assert "er aflyst" in render(facts(kind="cancelled", language="da-DK")).text
    assert "This is the meeting now:" in render(facts(kind="changed")).text
    assert "is coming up in 1 day" in render(facts(kind="reminder", reminder_lead=dt.timedelta(days=1))).text
    assert "som er om 2 timer" in render(facts(kind="reminder", language="da-DK", reminder_lead=dt.timedelta(hours=2))).text


def test_places_per_meeting_type_and_language():
    online = render(facts(meeting_type="Online", video_link="https://meet.example.com/x?a=1&b=2"))
    assert "Where: Online: https://meet.example.com/x?a=1&b=2" in online.text
    assert '<a href="https://meet.example.com/x?a=1&amp;b=2"' in online.html  # the link is clickable
    assert "Sted: Telefon: +45 11 22 33 44" in render(facts(language="da-DK", meeting_type="Telephone", phone="+45 11 22 33 44")).text
    assert "Where: Off-site" in render(facts(meeting_type="OffSite", branch_name=None, branch_address=None)).text
    assert "Online (the link follows" in render(facts(meeting_type="Online")).text


def test_default_template_knows_kinds_and_languages():
    assert default_template("booked", "da") == default_template("booked", "da-DK")
    with pytest.raises(ValueError, match="booked, rescheduled"):
        default_template("welcome", "en-GB")


# --- times in the bank's zone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "danish", "english"),
    [
        # Saturday before the switch: summer time, UTC+2.
        ("2026-10-24T08:00:00", "lørdag den 24. oktober 2026 kl. 10.00–11.00", "Saturday 24 October 2026, 10:00–11:00"),
        # The switch is at 01:00 UTC that Sunday: a meeting later that day is on winter time, UTC+1.
        ("2026-10-25T09:00:00", "søndag den 25. oktober 2026 kl. 10.00–11.00", "Sunday 25 October 2026, 10:00–11:00"),
        ("2026-03-29T08:00:00", "søndag den 29. marts 2026 kl. 10.00–11.00", "Sunday 29 March 2026, 10:00–11:00"),
        ("2026-12-01T09:00:00", "tirsdag den 1. december 2026 kl. 10.00–11.00", "Tuesday 1 December 2026, 10:00–11:00"),
    ],
)
def test_when_text_in_the_banks_zone_across_daylight_saving(start, danish, english):
    begin = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC)
    end = begin + dt.timedelta(hours=1)
    assert when_text(begin, end, CPH, "da-DK") == danish
    assert when_text(begin, end, CPH, "en-GB") == english


def test_a_meeting_over_the_switch_night_and_past_midnight():
    # 00:30 to 02:30 UTC on 25 October: 02:30 summer time to 03:30 winter time, two hours later.
    begin = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert when_text(begin, begin + dt.timedelta(hours=2), CPH, "en-GB") == "Sunday 25 October 2026, 02:30–03:30"
    late = dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)
    assert when_text(late, late + dt.timedelta(hours=1), CPH, "en-GB") == (
        "Tuesday 1 December 2026, 23:30 – Wednesday 2 December 2026, 00:30")


# --- a bank's template ------------------------------------------------------------------------------------


def test_a_good_template_renders_and_its_html_is_paragraphs():
    template = Template(subject="Booked:\n {{ date }}", body="Hi {{ greeting_name }},\n\nSee you {{ when }}.\nBring <ID>.")
    check_template("booked", template.subject, template.body)
    out = render(facts(), template)
    assert out.subject == "Booked: Tuesday 1 December 2026"
    assert out.text == "Hi Jens Hansen,\n\nSee you Tuesday 1 December 2026, 10:00–11:00.\nBring <ID>.\n"
    assert '<p style="margin:0 0 1em 0">Hi Jens Hansen,</p>' in out.html
    assert "See you Tuesday 1 December 2026, 10:00–11:00.<br>\nBring &lt;ID&gt;.</p>" in out.html  # plain text in both parts


def test_html_escapes_what_a_customer_wrote_and_the_text_keeps_it():
    name = "<script>alert(1)</script> & Co"
    out = render(facts(customer_name=name, recipient_role="advisor"))
    assert name in out.text
    assert "<script>" not in out.html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out.html


@pytest.mark.parametrize(
    ("subject", "body", "part", "line", "words"),
    [
        ("Hi", "Hello\n\n{{ customer_nmae }}", "body", 3, "'customer_nmae' is undefined"),
        ("{{ nope }}", "Hello", "subject", 1, "'nope' is undefined"),
        ("Hi", "one\ntwo\n{% if %}", "body", 3, "Expected an expression"),
        ("Hi", "one\n{% for x in advisors %}", "body", 2, "Unexpected end of template"),
        ("Hi", "{{ when }}\n{{ customer_name.upper() }}", "body", 2, "has no attribute 'upper'"),  # missing in a sample
        ("Hi", "{{ 1 / 0 }}", "body", 1, "ZeroDivisionError"),
    ],
)
def test_a_template_that_does_not_render_is_refused_with_its_line(subject, body, part, line, words):
    with pytest.raises(TemplateError) as refused:
        check_template("booked", subject, body)
    assert (refused.value.part, refused.value.line) == (part, line)
    assert words in str(refused.value) and str(refused.value).startswith(f"{part}, line {line}: ")


def test_sizes_and_empty_parts_are_refused():
    for subject, body, words in [("x" * 501, "b", "at most 500"), ("s", "x" * 20_001, "at most 20000"),
                                 (" ", "b", "subject is empty"), ("s", "\n", "body is empty"),
                                 ("{{ '' }}", "b", "renders to nothing"), ("{{ 'x' * 999 ~ 'y' }}", "b", "more than 998")]:
        with pytest.raises(TemplateError, match=words):
            check_template("booked", subject, body)
    with pytest.raises(ValueError, match="unknown message kind"):
        check_template("welcome", "s", "b")


HOSTILE = {
    "class": ("{{ ''.__class__ }}", "unsafe"),
    "subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    "globals": ("{{ self.__init__.__globals__ }}", "unsafe"),
    "datetime internals": ("{{ start.__class__ }}", "unsafe"),
    "huge range": ("{{ range(10**9)|length }}", "at most 1000 numbers"),
    "nested loops": ("{% for i in range(999) %}{% for j in range(999) %}{% endfor %}{% endfor %}", "too much work"),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself too deeply"),
    "recursive loop": ("{% for x in range(900) recursive %}{{ loop(range(900)) }}{% endfor %}", "too"),
    "doubling": ("{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n-1) }}{% endif %}{% endmacro %}{{ d('x', 60) }}", "longer than"),
    "repetition": ("{{ 'x' * 1000000000 }}", "longer than"),
    "power": ("{{ 10 ** (10 ** 10) }}", "number too large"),
    "padding": ("{{ 'x'|center(1000000000) }}", "at most 10000"),
    "method padding": ("{{ 'x'.ljust(1000000000) }}", "at most 10000"),
    "format": ("{{ '{:>999999999}'.format(1) }}", "str.format is not available"),
    "percent": ("{{ '%0999999999d' % 1 }}", "% formatting"),
    "replace": ("{{ ('x' * 50000)|replace('x', 'yyyyyyyyyy') }}", "longer than"),
    "output": ("{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}", "more than 100000 characters"),
    "namespace": ("{% set ns = namespace(s='x') %}{{ ns.s }}", "'namespace' is undefined"),
    "lipsum": ("{{ lipsum(5) }}", "'lipsum' is undefined"),
    "attr filter": ("{{ ''|attr('__class__') }}", "No filter named 'attr'"),
    "safe filter": ("{{ customer_name|safe }}", "No filter named 'safe'"),
    "include": ("{% include 'other' %}", "include %} is not available"),
    "extends": ("x\n{% extends 'base' %}", "line 2: {% extends %} is not available"),
    "deep nesting": ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "nested too deeply"),
}


@pytest.mark.parametrize("body", [v[0] for v in HOSTILE.values()], ids=list(HOSTILE))
def test_a_hostile_template_is_refused_quickly(body):
    words = next(w for b, w in HOSTILE.values() if b == body)
    began = time.monotonic()
    with pytest.raises(TemplateError, match=words.replace("(", r"\(").replace("*", r"\*")):
        check_template("booked", "Hi", body)
    assert time.monotonic() - began < 3


# --- languages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "language"), [("da", "da-DK"), ("DA-dk", "da-DK"), ("da-DK", "da-DK"), ("da_DK", "da-DK"),
                                               ("en", "en-GB"), ("en-US", "en-GB"), ("en-GB", "en-GB"), (" EN ", "en-GB")])
def test_normalize_language(tag, language):
    assert normalize_language(tag) == language


@pytest.mark.parametrize("tag", ["de", "", "dansk", "sv-SE", None])
def test_normalize_language_refuses_others_naming_the_accepted(tag):
    with pytest.raises(ValueError, match="da-DK, en-GB"):
        normalize_language(tag)
