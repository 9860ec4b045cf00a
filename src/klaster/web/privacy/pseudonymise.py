"""Free text for analytics without contact details: e-mail addresses and phone numbers
are replaced by a marker. The registry tables hold no person's name or account; their
free-text columns (partner-request descriptions, titles) are where a person may have
written theirs."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, possibly with a leading + and separators: phone numbers, not years
# or amounts of the registry (those are numeric columns, not text).
PHONE = re.compile(r"(?<![\w.])\+?\d(?:[\s\-./()]{0,2}\d){6,}(?![\w])")
MARK = "[removed]"


def scrub_text(text):
    if not isinstance(text, str) or not text:
        return text
    return PHONE.sub(MARK, EMAIL.sub(MARK, text))


def scrub_rows(rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    for row in rows:
        for column in columns:
            if column in row:
                row[column] = scrub_text(row[column])
    return rows
