"""What counts as seen: a hook decision with given fields, or a regular
expression over a log line."""

import re

from netboot_site import decisions


class Decision:
    """Evidence in a DHCP log: a hook decision (docs/decision-events.md)
    whose fields have the given values, e.g. Decision(arch="bios", ipxe=True)."""

    def __init__(self, **fields):
        self.fields = fields

    def __call__(self, line):
        event = decisions.parse(line)
        return event is not None and decisions.matches(event, **self.fields)


def found(pattern, text):
    """Evidence is a Decision or a regular expression over a log line."""
    return pattern(text) if callable(pattern) else re.search(pattern, text)

