"""Parsing what was typed into the clinic forms. Each helper returns the value, or None and adds a
message by the field; the services decide what is allowed."""

import datetime


def parse_date(
    raw: str, field: str, errors: dict, *, label: str, required: bool = True
) -> datetime.date | None:
    text = (raw or "").strip()
    if not text:
        if required:
            errors.setdefault(field, []).append(f"Enter {label}.")
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    errors.setdefault(field, []).append(f"Enter {label} as a real date, such as 27/03/2026.")
    return None


def parse_time(
    raw: str, field: str, errors: dict, *, label: str, required: bool = True
) -> datetime.time | None:
    text = (raw or "").strip()
    if not text:
        if required:
            errors.setdefault(field, []).append(f"Enter {label}, such as 14:00.")
        return None
    for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return datetime.datetime.strptime(text, fmt).time()  # noqa: DTZ007
        except ValueError:
            continue
    errors.setdefault(field, []).append(f"Enter {label} as a 24-hour time, such as 14:00.")
    return None


def merge(errors: dict, more: dict) -> dict:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    return errors
