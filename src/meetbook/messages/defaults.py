"""The shipped wording of every kind of message in Danish and English, for customers, advisors and rooms.

Each default is a complete template in the same language a bank writes its own in, so `GET` of a
default is a working starting point. The pieces below are joined once, at import.
"""

from __future__ import annotations

from .facts import KINDS, LANGUAGES, Template

_GREETING = {
    "en-GB": """{% if recipient_role == 'customer' %}
{% if greeting_name %}
Dear {{ greeting_name }},
{% else %}
Hello,
{% endif %}

{% elif recipient_role == 'advisor' %}
Hi{% if greeting_name %} {{ greeting_name }}{% endif %},

{% endif %}
""",
    "da-DK": """{% if recipient_role == 'customer' %}
{% if greeting_name %}
Kære {{ greeting_name }},
{% else %}
Hej,
{% endif %}

{% elif recipient_role == 'advisor' %}
Hej{% if greeting_name %} {{ greeting_name }}{% endif %},

{% endif %}
""",
}

_DETAILS = {
    "en-GB": """When: {{ when }}
{% if previous_when and kind == 'rescheduled' %}
Previously: {{ previous_when }}
{% endif %}
Where: {{ place }}
{% if room_name and recipient_role != 'room' %}
Room: {{ room_name }}
{% endif %}
{% if topic %}
Topic: {{ topic }}
{% endif %}
{% if title %}
Title: {{ title }}
{% endif %}
{% if customer_name and recipient_role == 'advisor' %}
Customer: {{ customer_name }}
{% endif %}
{% if advisor_name and recipient_role != 'advisor' %}
Advisor: {{ advisor_name }}
{% endif %}
{% if additional_advisors %}
Also attending: {{ additional_advisors|join(', ') }}
{% endif %}
{% if description %}

{{ description }}
{% endif %}
""",
    "da-DK": """Tidspunkt: {{ when }}
{% if previous_when and kind == 'rescheduled' %}
Tidligere: {{ previous_when }}
{% endif %}
Sted: {{ place }}
{% if room_name and recipient_role != 'room' %}
Lokale: {{ room_name }}
{% endif %}
{% if topic %}
Emne: {{ topic }}
{% endif %}
{% if title %}
Titel: {{ title }}
{% endif %}
{% if customer_name and recipient_role == 'advisor' %}
Kunde: {{ customer_name }}
{% endif %}
{% if advisor_name and recipient_role != 'advisor' %}
Rådgiver: {{ advisor_name }}
{% endif %}
{% if additional_advisors %}
Deltager også: {{ additional_advisors|join(', ') }}
{% endif %}
{% if description %}

{{ description }}
{% endif %}
""",
}

_SIGN_OFF = {
    "en-GB": """{% if recipient_role == 'customer' %}

Kind regards
{{ bank_name or 'Your bank' }}
{% endif %}
""",
    "da-DK": """{% if recipient_role == 'customer' %}

Venlig hilsen
{{ bank_name or 'Din bank' }}
{% endif %}
""",
}

# kind -> language -> (subject, opening per role, closing line for customers or "")
_WORDS: dict[str, dict[str, tuple[str, dict[str, str], str]]] = {
    "booked": {
        "en-GB": (
            "{% if recipient_role == 'customer' %}Your meeting is booked: {{ date }} at {{ start_time }}"
            "{% elif recipient_role == 'advisor' %}New meeting{% if customer_name %} with {{ customer_name }}{% endif %}: "
            "{{ date }} at {{ start_time }}{% else %}Room booked: {{ date }}, {{ start_time }}–{{ end_time }}{% endif %}",
            {
                "customer": "Your meeting{% if advisor_name %} with {{ advisor_name }}{% endif %} is booked.",
                "advisor": "{{ customer_name or 'A customer' }} has booked a meeting with you.",
                "room": "{{ room_name or 'The room' }} is booked for a meeting.",
            },
            "If you cannot come, please let us know so that we can find another time.",
        ),
        "da-DK": (
            "{% if recipient_role == 'customer' %}Dit møde er booket: {{ date }} kl. {{ start_time }}"
            "{% elif recipient_role == 'advisor' %}Nyt møde{% if customer_name %} med {{ customer_name }}{% endif %}: "
            "{{ date }} kl. {{ start_time }}{% else %}Lokale booket: {{ date }} kl. {{ start_time }}–{{ end_time }}{% endif %}",
            {
                "customer": "Dit møde{% if advisor_name %} med {{ advisor_name }}{% endif %} er booket.",
                "advisor": "{{ customer_name or 'En kunde' }} har booket et møde med dig.",
                "room": "{{ room_name or 'Lokalet' }} er booket til et møde.",
            },
            "Hvis du bliver forhindret, så giv os besked, så finder vi et nyt tidspunkt.",
        ),
    },
    "rescheduled": {
        "en-GB": (
            "{% if recipient_role == 'room' %}Room booking moved{% else %}Meeting moved{% endif %}: "
            "{{ date }} at {{ start_time }}",
            {
                "customer": "Your meeting{% if advisor_name %} with {{ advisor_name }}{% endif %} has been moved to a new time.",
                "advisor": "Your meeting with {{ customer_name or 'a customer' }} has been moved to a new time.",
                "room": "The booking of {{ room_name or 'the room' }} has been moved to a new time.",
            },
            "If the new time does not suit you, please let us know.",
        ),
        "da-DK": (
            "{% if recipient_role == 'room' %}Lokalebooking flyttet{% else %}Mødet er flyttet{% endif %}: "
            "{{ date }} kl. {{ start_time }}",
            {
                "customer": "Dit møde{% if advisor_name %} med {{ advisor_name }}{% endif %} er flyttet til et nyt tidspunkt.",
                "advisor": "Dit møde med {{ customer_name or 'en kunde' }} er flyttet til et nyt tidspunkt.",
                "room": "Bookingen af {{ room_name or 'lokalet' }} er flyttet til et nyt tidspunkt.",
            },
            "Hvis det nye tidspunkt ikke passer dig, så giv os besked.",
        ),
    },
    "changed": {
        "en-GB": (
            "{% if recipient_role == 'room' %}Room booking changed{% else %}Meeting changed{% endif %}: "
            "{{ date }} at {{ start_time }}",
            {
                "customer": "There are changes to your meeting{% if advisor_name %} with {{ advisor_name }}{% endif %}. "
                "This is the meeting now:",
                "advisor": "Your meeting with {{ customer_name or 'a customer' }} has been changed. This is the meeting now:",
                "room": "The booking of {{ room_name or 'the room' }} has been changed:",
            },
            "",
        ),
        "da-DK": (
            "{% if recipient_role == 'room' %}Lokalebooking ændret{% else %}Mødet er ændret{% endif %}: "
            "{{ date }} kl. {{ start_time }}",
            {
                "customer": "Der er ændringer i dit møde{% if advisor_name %} med {{ advisor_name }}{% endif %}. "
                "Sådan ser mødet ud nu:",
                "advisor": "Dit møde med {{ customer_name or 'en kunde' }} er ændret. Sådan ser mødet ud nu:",
                "room": "Bookingen af {{ room_name or 'lokalet' }} er ændret:",
            },
            "",
        ),
    },
    "cancelled": {
        "en-GB": (
            "{% if recipient_role == 'room' %}Room booking cancelled{% else %}Meeting cancelled{% endif %}: "
            "{{ date }} at {{ start_time }}",
            {
                "customer": "Your meeting{% if advisor_name %} with {{ advisor_name }}{% endif %} on {{ when }} "
                "has been cancelled.",
                "advisor": "Your meeting with {{ customer_name or 'a customer' }} on {{ when }} has been cancelled.",
                "room": "The booking of {{ room_name or 'the room' }} on {{ when }} has been cancelled.",
            },
            "You are welcome to book a new meeting whenever it suits you.",
        ),
        "da-DK": (
            "{% if recipient_role == 'room' %}Lokalebooking aflyst{% else %}Mødet er aflyst{% endif %}: "
            "{{ date }} kl. {{ start_time }}",
            {
                "customer": "Dit møde{% if advisor_name %} med {{ advisor_name }}{% endif %} {{ when }} er aflyst.",
                "advisor": "Dit møde med {{ customer_name or 'en kunde' }} {{ when }} er aflyst.",
                "room": "Bookingen af {{ room_name or 'lokalet' }} {{ when }} er aflyst.",
            },
            "Du er velkommen til at booke et nyt møde, når det passer dig.",
        ),
    },
    "reminder": {
        "en-GB": (
            "Reminder: {% if recipient_role == 'room' %}room booked{% else %}your meeting{% endif %} on "
            "{{ date }} at {{ start_time }}",
            {
                "customer": "A reminder that your meeting{% if advisor_name %} with {{ advisor_name }}{% endif %} "
                "is coming up{% if reminder_lead_text %} {{ reminder_lead_text }}{% endif %}.",
                "advisor": "A reminder that your meeting with {{ customer_name or 'a customer' }} "
                "is coming up{% if reminder_lead_text %} {{ reminder_lead_text }}{% endif %}.",
                "room": "{{ room_name or 'The room' }} is booked for a meeting"
                "{% if reminder_lead_text %} {{ reminder_lead_text }}{% endif %}.",
            },
            "If you cannot come after all, please let us know.",
        ),
        "da-DK": (
            "Påmindelse: {% if recipient_role == 'room' %}lokale booket{% else %}dit møde{% endif %} "
            "{{ date }} kl. {{ start_time }}",
            {
                "customer": "Vi minder dig om dit møde{% if advisor_name %} med {{ advisor_name }}{% endif %}"
                "{% if reminder_lead_text %}, som er {{ reminder_lead_text }}{% endif %}.",
                "advisor": "Vi minder dig om dit møde med {{ customer_name or 'en kunde' }}"
                "{% if reminder_lead_text %}, som er {{ reminder_lead_text }}{% endif %}.",
                "room": "{{ room_name or 'Lokalet' }} er booket til et møde"
                "{% if reminder_lead_text %} {{ reminder_lead_text }}{% endif %}.",
            },
            "Hvis du alligevel bliver forhindret, så giv os besked.",
        ),
    },
}


def _body(language: str, opening: dict[str, str], closing: str) -> str:
    lines = _GREETING[language]
    lines += "{% if recipient_role == 'customer' %}\n" + opening["customer"] + "\n"
    lines += "{% elif recipient_role == 'advisor' %}\n" + opening["advisor"] + "\n"
    lines += "{% else %}\n" + opening["room"] + "\n{% endif %}\n\n"
    lines += _DETAILS[language]
    if closing:
        lines += "{% if recipient_role == 'customer' %}\n\n" + closing + "\n{% endif %}\n"
    return lines + _SIGN_OFF[language]


DEFAULTS: dict[tuple[str, str], Template] = {
    (kind, language): Template(subject=_WORDS[kind][language][0], body=_body(language, *_WORDS[kind][language][1:]))
    for kind in KINDS
    for language in LANGUAGES
}
