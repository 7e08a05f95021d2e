"""The architecture registry (DHCPv4 option 93, DHCPv6 option 61) from its
one copy, architectures.json beside this file, which the hook's C++ table is
also generated from."""

import json
import os

FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "architectures.json")

with open(FILE, encoding="utf-8") as _registry:
    ALL = json.load(_registry)["architectures"]

BY_CODE = {a["code"]: a for a in ALL}
FAMILIES = frozenset(a["family"] for a in ALL)
