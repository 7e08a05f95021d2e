"""The hook's decisions as data: the NETBOOT_DECISION events of Kea's log
(docs/decision-events.md). Tools and tests read decisions through this
module, never through the wording of a log line.

    python3 -m netboot_site.decisions KEA_LOG...   one summary line per decision
"""

import json
import sys

MESSAGE_ID = "NETBOOT_DECISION"
VERSION = 1


def parse(line):
    """The decision a log line carries, as a dict; None for any other line.
    A decision of another version is an error, not a line to skip: a reader
    that silently saw nothing would pass tests it should fail."""
    _, marker, rest = line.partition(MESSAGE_ID + " ")
    if not marker or not rest.lstrip().startswith("{"):
        return None
    event = json.loads(rest)
    if event.get("v") != VERSION:
        raise ValueError("decision event version %r, this reader knows %d: %s" % (event.get("v"), VERSION, line))
    return event


def read(*paths):
    """Every decision in the given logs, in file order."""
    events = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as log:
            events.extend(e for e in map(parse, log) if e is not None)
    return events


def matches(event, **want):
    """True when every given field has the given value; a field is named
    with underscores for the key's hyphens (boot_file for "boot-file"), and
    None asks for the key to be absent."""
    return all(event.get(key.replace("_", "-")) == value for key, value in want.items())


def summary(event):
    """One line for a person: who, what it is, what it got, which profile."""
    who = event.get("mac") or event.get("client", "?")
    if event.get("mac-source") not in (None, "chaddr"):
        who += " (MAC from %s)" % event["mac-source"]
    profile = event.get("profile", "default")
    if event.get("assignment"):
        profile += " (assigned%s)" % (" once" if event["assignment"] == "once" else "")
    elif event.get("assignment-not-used"):
        profile += " (assignment %s kept, not used)" % event["assignment-not-used"]
    return "%s %s: %s %s%s -> %s %r (%s), profile %s" % (
        event.get("family", "?"), who, event.get("arch", "?"), event.get("transport", "?"),
        " iPXE" if event.get("ipxe") else "", event.get("answer", "?"), event.get("boot-file", ""),
        event.get("why", ""), profile)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    try:
        for event in read(*argv[1:]):
            print(summary(event))
    except BrokenPipeError:  # piped into head: fine
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
