"""The frozen snapshot of a report: canonical JSON and its SHA-256 digest. Pure Python.

The snapshot holds every number (as the text the report prints, and the figure), status, chart
and word of the report, so the published page, PDF and spreadsheet can be made from it alone.
The digest is over the canonical form (keys sorted, no insignificant whitespace, UTF-8), so the
same snapshot always gives the same digest, whichever machine computes it.
"""

import copy
import hashlib
import json

PUBLIC = "public"
INTERNAL = "internal"


def canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def public_copy(snapshot: dict) -> dict:
    """The snapshot without its exempt parts (named staff, exempt sections and narrative).

    Officers' names are never public (as on the public indicator pages: responsible officers,
    narrative authors and reviewers, the signatory); exempt sections, exempt rows (a
    section's `exempt_rows`, e.g. an exempt risk) and exempt narrative items are dropped
    entirely, not blanked, so nothing of them leaks.
    """
    public = copy.deepcopy(snapshot)
    public["audience"] = PUBLIC
    public["report"]["signed_off_by"] = ""
    public["sections"] = [s for s in public["sections"] if not s.get("exempt")]
    for section in public["sections"]:
        exempt_rows = set(section.pop("exempt_rows", []))
        if exempt_rows:
            section["rows"] = [row for i, row in enumerate(section.get("rows", [])) if i not in exempt_rows]
        columns = section.get("columns", [])
        if "Responsible officer" in columns:
            index = columns.index("Responsible officer")
            section["columns"] = columns[:index] + columns[index + 1 :]
            section["rows"] = [row[:index] + row[index + 1 :] for row in section.get("rows", [])]
        if (section.get("narrative") or {}).get("exempt"):
            section["narrative"] = None
        for item in [*section.get("exceptions", []), *section.get("judgements", [])]:
            if (item.get("narrative") or {}).get("exempt"):
                item["narrative"] = None
    if public.get("summary") and public["summary"].get("exempt"):
        public["summary"] = None
    for words in _narratives(public):
        words["author"] = words["reviewer"] = ""
    return public


def _narratives(snapshot: dict):
    if snapshot.get("summary"):
        yield snapshot["summary"]
    for section in snapshot["sections"]:
        if section.get("narrative"):
            yield section["narrative"]
        for item in [*section.get("exceptions", []), *section.get("judgements", [])]:
            if item.get("narrative"):
                yield item["narrative"]
