#!/usr/bin/env python3
"""Generates messages.h and messages.cc (the message IDs and the table Kea's
logger reads) from a .mes file in the form of Kea's own: "% ID text", then a
description. Kea's message compiler is not packaged in Debian; this does the
part of its work the hook needs, and refuses a message without description.

    gen_messages.py FILE.mes OUTPUT_DIR
"""

import os
import re
import sys

ID = re.compile(r"[A-Z][A-Z0-9_]*$")


def parse(path):
    namespace, messages, current = None, [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = "%s:%d" % (path, number)
            if line.startswith("$NAMESPACE"):
                namespace = line.split(None, 1)[1].strip()
            elif line.startswith("%"):
                parts = line[1:].strip().split(None, 1)
                if len(parts) != 2 or not ID.match(parts[0]):
                    sys.exit("%s: expected '%% MESSAGE_ID text'" % where)
                if any(m["id"] == parts[0] for m in messages):
                    sys.exit("%s: %s defined twice" % (where, parts[0]))
                current = {"id": parts[0], "text": parts[1], "where": where, "description": []}
                messages.append(current)
            elif line.startswith("#") or current is None:
                continue
            elif line.strip():
                current["description"].append(line.strip())
    if not namespace:
        sys.exit("%s: no $NAMESPACE" % path)
    for m in messages:
        if not m["description"]:
            sys.exit("%s: %s has no description" % (m["where"], m["id"]))
    return namespace, messages


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip())
    source, out = argv[1], argv[2]
    namespace, messages = parse(source)
    note = "// Generated from %s by %s: edit that file, not this one.\n" % (
        os.path.basename(source), os.path.basename(argv[0]))
    header = [note, "#pragma once\n\n#include <log/message_types.h>\n\nnamespace %s {\n\n" % namespace]
    header += ["extern const isc::log::MessageID %s;\n" % m["id"] for m in messages]
    header.append("\n}  // namespace %s\n" % namespace)
    body = [note, '#include "messages.h"\n\n#include <log/message_initializer.h>\n\nnamespace %s {\n\n' % namespace]
    body += ['extern const isc::log::MessageID %s = "%s";\n' % (m["id"], m["id"]) for m in messages]
    body.append("\nnamespace {\n\nconst char* values[] = {\n")
    body += ["    %s, %s,\n" % (c_string(m["id"]), c_string(m["text"])) for m in messages]
    body.append("    nullptr};\n\nconst isc::log::MessageInitializer initializer(values);\n\n}  // namespace\n\n"
                "}  // namespace %s\n" % namespace)
    os.makedirs(out, exist_ok=True)
    for name, lines in (("messages.h", header), ("messages.cc", body)):
        text = "".join(lines)
        path = os.path.join(out, name)
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    continue  # unchanged: nothing to rebuild
        except OSError:
            pass
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
