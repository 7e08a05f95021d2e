#!/usr/bin/env python3
"""Checks the hook's default files against the AppArmor profiles Kea ships.

Debian enables AppArmor and its kea-dhcp4/kea-dhcp6 packages ship enforcing
profiles (/etc/apparmor.d/usr.sbin.kea-dhcp4, ...-dhcp6). A file the hook
writes by default that the profile does not allow is denied by the kernel on
a stock Debian machine, while every other test passes on a kernel without
AppArmor. This test reads the profile installed on the machine it runs on
(and the files it includes, local/ among them, where they exist), interprets
its file rules and fails when a path the hook needs is not allowed.

The hook's paths come from the built code: `netboot-check-config
--print-defaults` (hooks/config/check_main.cc), which asks the functions the
hook itself uses.

If apparmor_parser is installed, each profile is also compiled (never loaded:
no kernel support is needed) to prove it is valid as installed.

Usage: check_profile.py --checker PATH [--root DIR] [--require-parser]
       check_profile.py --self-test
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SERVICES = {"dhcp4": "kea-dhcp4", "dhcp6": "kea-dhcp6"}


# --- AppArmor globs -------------------------------------------------------
# Follows apparmor_parser's convert_aaregex_to_pcre (parser/parser_regex.c):
# '*' = any characters but '/', '**' = any characters, '?' = one character
# but '/', '[..]' and '[^..]' character classes, '{a,b}' alternation (may
# nest), '\' escapes. A run of '*' that is a whole path component (after '/'
# and before '/' or the end) must match at least one character, so /dir/*
# does not match /dir/ itself. Duplicate slashes are folded first.

def glob_to_regex(glob):
    glob = re.sub(r"(?<!^)/{2,}", "/", glob) if not glob.startswith("//") else glob
    out = []
    i = 0
    depth = 0
    in_class = False
    while i < len(glob):
        c = glob[i]
        if c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append("]")
            elif c == "\\":
                out.append("\\\\")
            else:
                out.append(c)
            i += 1
            continue
        if c == "*":
            j = i
            while j < len(glob) and glob[j] == "*":
                j += 1
            stars = j - i
            whole_component = (i > 0 and glob[i - 1] == "/") and (j == len(glob) or glob[j] == "/")
            if whole_component:
                out.append("[^/]")
            out.append(".*" if stars >= 2 else "[^/]*")
            i = j
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            in_class = True
            out.append("[")
            if i + 1 < len(glob) and glob[i + 1] == "^":
                out.append("^")
                i += 1
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth or in_class:
        raise ValueError("unbalanced {} or [] in %r" % glob)
    return "^" + "".join(out) + "$"


def glob_matches(glob, path):
    return re.match(glob_to_regex(glob), path) is not None


# --- profiles ---------------------------------------------------------------

class Rule:
    def __init__(self, path, perms, deny, owner, where, text):
        self.path, self.perms, self.deny, self.owner = path, perms, deny, owner
        self.where, self.text = where, text

    def __repr__(self):
        return "%s (%s)" % (self.text, self.where)


PERM_CHARS = set("rwaklmixpucPUCd")
QUALIFIERS = r"(?:(?:audit|allow|deny|owner|other)\s+)*"
PATH_RE = r'(?:"[^"]*"|[/@][^\s,]*)'
# [qualifiers] [file] PATH PERMS [-> target],   and   [qualifiers] [file] PERMS PATH [-> target],
RULE_PATH_FIRST = re.compile(r"^\s*(?P<q>%s)(?:file\s+)?(?P<path>%s)\s+(?P<perms>[a-zA-Z]+)\s*(?:->\s*\S+\s*)?,\s*$"
                             % (QUALIFIERS, PATH_RE))
RULE_PERMS_FIRST = re.compile(r"^\s*(?P<q>%s)(?:file\s+)?(?P<perms>[a-zA-Z]+)\s+(?P<path>%s)\s*(?:->\s*\S+\s*)?,\s*$"
                              % (QUALIFIERS, PATH_RE))
BARE_FILE = re.compile(r"^\s*(?P<q>%s)file\s*,\s*$" % QUALIFIERS)
INCLUDE = re.compile(r'^\s*#?include\s+(?P<ifexists>if\s+exists\s+)?(?:<(?P<sys>[^>]+)>|"(?P<rel>[^"]+)")\s*$')
VARIABLE = re.compile(r"^\s*(?P<name>@\{[^}]+\})\s*(?P<op>\+?=)\s*(?P<values>.*?)\s*$")
PROFILE_START = re.compile(r"^\s*(?:profile\s+(?P<name>\S+)(?:\s+(?P<attach>/\S+))?|(?P<bare>/\S+))"
                           r"(?:\s+flags=\([^)]*\))?\s*\{\s*$")


def strip_comment(line):
    stripped = line.lstrip()
    if stripped.startswith("#include"):
        return line
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == "#" and not quoted:
            return line[:i]
    return line


class Profile:
    """The file rules of one profile, with the includes it pulls in."""

    def __init__(self, base_dir):
        self.base_dir = base_dir
        self.variables = {}
        self.rules = []
        self.files_read = []
        self.notes = []

    def _resolve(self, m, current):
        if m.group("sys"):
            return os.path.join(self.base_dir, m.group("sys"))
        return os.path.join(os.path.dirname(current), m.group("rel"))

    def _include(self, m, current, lineno, depth, inside):
        target = self._resolve(m, current)
        paths = []
        if os.path.isdir(target):
            paths = [os.path.join(target, n) for n in sorted(os.listdir(target))
                     if not n.startswith(".") and os.path.isfile(os.path.join(target, n))]
        elif os.path.isfile(target):
            paths = [target]
        elif not m.group("ifexists"):
            self.notes.append("%s:%d: included %s does not exist (rules it would add are not counted)"
                              % (current, lineno, target))
        for p in paths:
            self._read(p, depth, inside)

    def _read(self, path, depth, inside, want=None):
        """Reads `path`. `inside`: the lines are the body of the wanted
        profile (an included file). `want`: the binary whose profile to find."""
        self.files_read.append(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        found = False
        level = 0  # brace depth inside this file
        in_wanted = inside
        wanted_level = 0
        for lineno, raw in enumerate(lines, 1):
            line = strip_comment(raw).rstrip()
            if not line.strip():
                continue
            m = INCLUDE.match(line)
            if m:
                # Tunables and abstractions at file level define variables
                # and, inside a profile, rules.
                self._include(m, path, lineno, depth, in_wanted and level == wanted_level)
                continue
            m = VARIABLE.match(line)
            if m and level == 0:
                values = re.findall(r'"[^"]*"|\S+', m.group("values"))
                values = [v.strip('"') for v in values]
                if m.group("op") == "+=":
                    self.variables.setdefault(m.group("name"), []).extend(values)
                else:
                    self.variables[m.group("name")] = values
                continue
            m = PROFILE_START.match(line)
            if m:
                level += 1
                if want and not in_wanted and level == 1:
                    names = {m.group("name"), m.group("attach"), m.group("bare")}
                    if want in names or os.path.basename(want) in names:
                        in_wanted, wanted_level, found = True, level, True
                continue
            opens, closes = line.count("{") - line.count("${"), line.count("}")
            if line.strip() == "}" or (closes and not opens and not line.strip().endswith(",")):
                if in_wanted and not inside and level == wanted_level:
                    in_wanted = False
                level -= closes
                continue
            if line.rstrip().endswith("{"):
                level += 1  # a block of another kind (hat, child profile, conditional)
                continue
            if not in_wanted or level != wanted_level:
                continue
            self._rule(line, path, lineno)
        return found

    def _rule(self, line, path, lineno):
        where = "%s:%d" % (path, lineno)
        m = BARE_FILE.match(line)
        if m:
            q = m.group("q").split()
            self.rules.append(Rule("/**", set("rwalkm"), "deny" in q, "owner" in q, where, line.strip()))
            return
        for pattern in (RULE_PATH_FIRST, RULE_PERMS_FIRST):
            m = pattern.match(line)
            if m and set(m.group("perms")) <= PERM_CHARS:
                q = m.group("q").split()
                rule_path = m.group("path").strip('"')
                for expanded in self._expand(rule_path, where):
                    self.rules.append(Rule(expanded, set(m.group("perms")), "deny" in q, "owner" in q, where,
                                           line.strip()))
                return

    def _expand(self, text, where, seen=()):
        m = re.search(r"@\{[^}]+\}", text)
        if not m:
            return [text]
        name = m.group(0)
        if name in seen or name not in self.variables:
            self.notes.append("%s: variable %s undefined; rule %r not counted" % (where, name, text))
            return []
        out = []
        for value in self.variables[name]:
            out.extend(self._expand(text[:m.start()] + value + text[m.end():], where, seen + (name,)))
        return out

    @classmethod
    def load(cls, profile_file, binary, base_dir):
        p = cls(base_dir)
        if not p._read(profile_file, 0, False, want=binary):
            raise ValueError("%s: no profile for %s in it" % (profile_file, binary))
        return p

    def allows(self, path, access):
        """(ok, explanation): whether every permission in `access` ('r', 'w')
        is granted to `path`. The hook creates its files as Kea's user, so
        `owner` rules apply to them."""
        granted = {}
        denied = {}
        for rule in self.rules:
            if glob_matches(rule.path, path):
                for perm in access:
                    if perm in rule.perms:
                        (denied if rule.deny else granted).setdefault(perm, rule)
        missing = [p for p in access if p not in granted or p in denied]
        if missing:
            why = []
            for p in missing:
                if p in denied:
                    why.append("'%s' denied by `%s`" % (p, denied[p]))
                else:
                    why.append("no rule grants '%s'" % p)
            return False, "; ".join(why)
        by = sorted({repr(granted[p]) for p in access})
        return True, "by " + " and ".join("`%s`" % b for b in by)


# --- apparmor_parser ------------------------------------------------------

def parser_check(parser, profile_file, base_dir, fallback_includes=None):
    """Compiles the profile without loading it. -Q: skip the kernel load;
    -K: skip the cache; --base: resolve includes where the profile is.
    Works with no AppArmor in the kernel (features from the parser's
    defaults/abi), as on this CI machine. `fallback_includes`: a further
    include directory (-I), for a root without the apparmor package."""
    cmd = [parser, "-Q", "-K", "--base", base_dir]
    if fallback_includes:
        cmd += ["-I", fallback_includes]
    cmd.append(profile_file)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    return r.returncode == 0, " ".join(cmd), r.stdout.strip()


# --- main ---------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checker", help="netboot-check-config (built)")
    ap.add_argument("--root", default="/", help="system root whose /etc/apparmor.d to read (default /)")
    ap.add_argument("--require-parser", action="store_true", help="fail if apparmor_parser is not installed")
    ap.add_argument("--self-test", action="store_true", help="check the glob and rule interpreter")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.checker:
        ap.error("--checker is required")

    defaults = json.loads(subprocess.run([a.checker, "--print-defaults"], check=True, stdout=subprocess.PIPE,
                                         universal_newlines=True).stdout)
    base_dir = os.path.join(a.root, "etc/apparmor.d")
    parser = shutil.which("apparmor_parser")
    failures = []
    for service, binary_name in SERVICES.items():
        profile_file = os.path.join(base_dir, "usr.sbin." + binary_name)
        print("== %s: %s" % (service, profile_file))
        if not os.path.isfile(profile_file):
            failures.append("%s: %s is absent. This test checks the profile Debian's %s-server package ships; "
                            "the hook is built for Debian's Kea: install kea-%s-server from Debian (or run the "
                            "test on a Debian root with --root)" % (service, profile_file, binary_name, service))
            print("FAIL   " + failures[-1])
            continue
        try:
            profile = Profile.load(profile_file, "/usr/sbin/" + binary_name, base_dir)
        except (OSError, ValueError) as e:
            failures.append("%s: cannot read the profile: %s" % (service, e))
            print("FAIL   " + failures[-1])
            continue
        print("read   " + ", ".join(os.path.relpath(f, base_dir) for f in profile.files_read))
        for note in profile.notes:
            print("note   " + note)
        for entry in defaults[service]["files"]:
            ok, why = profile.allows(entry["path"], entry["access"])
            print("%-6s %-2s %s %s" % ("ok" if ok else "DENIED", entry["access"], entry["path"], why))
            if not ok:
                failures.append("%s: the hook's %s (%s) is not allowed %s by %s: %s"
                                % (service, entry["path"], entry["why"], entry["access"], profile_file, why))
        for entry in defaults[service].get("best-effort", []):
            ok, why = profile.allows(entry["path"], entry["access"])
            print("%-6s %-2s %s %s (best effort: %s)" % ("ok" if ok else "denied", entry["access"], entry["path"],
                                                        why, entry["why"]))
        if parser:
            fallback = None
            if not os.path.isdir(os.path.join(base_dir, "abi")) and os.path.realpath(a.root) != "/":
                # A root examined from outside, without the apparmor package
                # (abi/, abstractions/, tunables/): compile against this
                # machine's copies of those. Inside the root, with the
                # package installed, its own are used.
                fallback = "/etc/apparmor.d"
                print("note   %s has no abi/ (package apparmor not installed there): "
                      "includes it lacks are taken from %s" % (base_dir, fallback))
            ok, cmd, out = parser_check(parser, profile_file, base_dir, fallback)
            print("%-6s %s%s" % ("ok" if ok else "FAIL", cmd, ("\n" + out) if out else ""))
            if not ok:
                failures.append("%s: %s does not compile: %s" % (service, profile_file, out))
        elif a.require_parser:
            failures.append("apparmor_parser is not installed (package apparmor)")
        else:
            print("skip   apparmor_parser not installed (package apparmor): profile not compiled")
    if failures:
        print("\n%d problem(s):" % len(failures))
        for f in failures:
            print("  " + f)
        return 1
    print("\nevery file the hook writes by default is allowed by Kea's AppArmor profiles")
    return 0


def self_test():
    cases = [
        ("/var/lib/kea/kea-leases4.csv*", "/var/lib/kea/kea-leases4.csv", True),
        ("/var/lib/kea/kea-leases4.csv*", "/var/lib/kea/kea-leases4.csv.netboot-assignments.json.tmp", True),
        ("/var/lib/kea/kea-leases4.csv*", "/var/lib/kea/kea-leases4.csv.d/x", False),
        ("/var/lib/kea/kea-leases4.csv*", "/var/lib/kea/kea-netboot-assignments4.json", False),
        ("/var/lib/kea/*", "/var/lib/kea/", False),
        ("/var/lib/kea/*", "/var/lib/kea/x", True),
        ("/var/lib/kea/**", "/var/lib/kea/a/b", True),
        ("/var/lib/kea/**", "/var/lib/kea/", False),
        ("/var/lib/kea/", "/var/lib/kea/", True),
        ("/var/lib/kea/", "/var/lib/kea", False),
        ("/{tmp,run/kea}/kea4-ctrl-socket", "/run/kea/kea4-ctrl-socket", True),
        ("/{tmp,run/kea}/kea4-ctrl-socket", "/tmp/kea4-ctrl-socket", True),
        ("/{tmp,run/kea}/kea4-ctrl-socket", "/run/kea4-ctrl-socket", False),
        ("/a/{b,c{d,e}}/f", "/a/ce/f", True),
        ("/var/log/kea/kea-dhcp4.log.[0-9]*", "/var/log/kea/kea-dhcp4.log.3", True),
        ("/var/log/kea/kea-dhcp4.log.[0-9]*", "/var/log/kea/kea-dhcp4.log.x", False),
        ("/x/[^a]", "/x/b", True),
        ("/x/[^a]", "/x/a", False),
        ("/x/?", "/x/a", True),
        ("/x/?", "/x//", False),
        ("/x/a.b", "/x/aXb", False),
        ("/x/\\*", "/x/*", True),
        ("/x/\\*", "/x/a", False),
        ("/x//y", "/x/y", True),
    ]
    bad = 0
    for glob, path, want in cases:
        got = glob_matches(glob, path)
        if got != want:
            bad += 1
            print("FAIL glob %r path %r: got %s, want %s (%s)" % (glob, path, got, want, glob_to_regex(glob)))
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "abstractions"))
        os.makedirs(os.path.join(d, "local"))
        with open(os.path.join(d, "tunables"), "w") as f:
            f.write("@{run}=/run /var/run\n@{kea}=@{run}/kea\n")
        with open(os.path.join(d, "abstractions", "base"), "w") as f:
            f.write("  /etc/ld.so.cache r,\n  /tmp/** rw,\n")
        with open(os.path.join(d, "local", "usr.sbin.x"), "w") as f:
            f.write("# site rules\n  owner /var/lib/kea/extra.json rw,\n")
        with open(os.path.join(d, "usr.sbin.x"), "w") as f:
            f.write("abi <abi/3.0>,\ninclude <tunables>\n"
                    "profile x /usr/sbin/x flags=(attach_disconnected) {\n"
                    "  include <abstractions/base>\n"
                    "  owner /var/lib/kea/kea-leases4.csv* rw,  # comment\n"
                    "  deny /var/lib/kea/kea-leases4.csv.secret w,\n"
                    "  r /var/lib/kea/ro,\n"
                    "  owner file /var/lib/kea/f w,\n"
                    "  @{kea}/sock rw,\n"
                    "  ^hat {\n    /var/lib/kea/hat rw,\n  }\n"
                    "  #include <local/usr.sbin.x>\n"
                    "  include if exists <local/missing>\n"
                    "}\n"
                    "profile y /usr/sbin/y {\n  /var/lib/kea/y rw,\n}\n")
        p = Profile.load(os.path.join(d, "usr.sbin.x"), "/usr/sbin/x", d)
        rule_cases = [
            ("/var/lib/kea/kea-leases4.csv.j", "rw", True),
            ("/var/lib/kea/kea-leases4.csv.secret", "w", False),
            ("/var/lib/kea/kea-leases4.csv.secret", "r", True),
            ("/var/lib/kea/ro", "r", True),
            ("/var/lib/kea/ro", "w", False),
            ("/var/lib/kea/f", "w", True),
            ("/var/run/kea/sock", "rw", True),
            ("/run/kea/sock", "w", True),
            ("/var/lib/kea/hat", "w", False),
            ("/var/lib/kea/y", "w", False),
            ("/var/lib/kea/extra.json", "rw", True),
            ("/tmp/a/b", "w", True),
            ("/var/lib/kea/", "r", False),
        ]
        for path, access, want in rule_cases:
            got, why = p.allows(path, access)
            if got != want:
                bad += 1
                print("FAIL rule %s %s: got %s, want %s (%s)" % (access, path, got, want, why))
        if p.notes:
            bad += 1
            print("FAIL unexpected notes: %s" % p.notes)
        # apparmor_parser -Q -K must refuse a broken profile, or its "ok" on
        # Kea's profiles would prove nothing.
        parser = shutil.which("apparmor_parser")
        if parser:
            with open(os.path.join(d, "usr.sbin.broken"), "w") as f:
                f.write("profile broken /usr/sbin/broken {\n  /var/lib/kea/x rwz,\n}\n")
            ok, cmd, out = parser_check(parser, os.path.join(d, "usr.sbin.broken"), d)
            if ok:
                bad += 1
                print("FAIL %s accepted a profile with permission 'z'" % cmd)
        else:
            print("skip   apparmor_parser not installed: its refusal of a broken profile not checked")
    print("%d of %d interpreter cases wrong" % (bad, len(cases) + len(rule_cases)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
