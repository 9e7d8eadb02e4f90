"""Read a row id from a form or query-string value, refusing what no id column can hold.

Every app reads ids from request values (a chosen board, period, result or clinic). `str.isdigit`
alone is not a check: it is true of superscripts and other Unicode digits ('¹', '٣') that `int`
refuses or reads as another number, and of numbers no bigint column holds, both of which were a
500 at the query rather than a message. Pure: no Django.
"""

MAX_ID = 2**63 - 1  # the largest value of a bigint primary key


def parse_id(raw) -> int | None:
    """The id in ``raw`` (surrounding spaces allowed), or None when it is not one: ASCII digits only,
    from 1 to `MAX_ID`."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
