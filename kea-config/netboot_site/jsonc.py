"""JSON with comments (#, // and /* */, as Kea's own configuration files),
parsed with the line of every value, so a refusal can say where to look."""

import json
import re


class JsonError(Exception):
    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


class Located:
    """A parsed value and the line it starts on. Objects are dicts of
    name -> Located, arrays lists of Located; everything else plain."""
    __slots__ = ("value", "line")

    def __init__(self, value, line):
        self.value = value
        self.line = line

    def plain(self):
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def line(self, pos=None):
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, message, pos=None):
        raise JsonError(self.line(pos), message)

    def skip(self):
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c in " \t\r\n":
                self.pos += 1
            elif c == "#" or t.startswith("//", self.pos):
                end = t.find("\n", self.pos)
                self.pos = len(t) if end < 0 else end
            elif t.startswith("/*", self.pos):
                end = t.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("comment opened with /* is never closed")
                self.pos = end + 2
            else:
                return

    def value(self):
        self.skip()
        if self.pos >= len(self.text):
            self.fail("unexpected end of input: a value is missing")
        start = self.pos
        c = self.text[start]
        if c == "{":
            return Located(self.obj(), self.line(start))
        if c == "[":
            return Located(self.arr(), self.line(start))
        if c == '"':
            return Located(self.string(), self.line(start))
        for word, val in _LITERALS.items():
            if self.text.startswith(word, start):
                self.pos += len(word)
                return Located(val, self.line(start))
        m = _NUMBER.match(self.text, start)
        if m:
            self.pos = m.end()
            return Located(json.loads(m.group(0)), self.line(start))
        self.fail("unexpected %r: expected a value" % c)

    def string(self):
        try:
            s, end = json.decoder.scanstring(self.text, self.pos + 1)
        except ValueError as e:
            self.fail("bad string: %s" % e.msg)
        self.pos = end
        return s

    def expect(self, char, what):
        self.skip()
        if self.text[self.pos:self.pos + 1] != char:
            found = self.text[self.pos:self.pos + 1] or "end of input"
            self.fail("expected %s, found %r" % (what, found))
        self.pos += 1

    def obj(self):
        self.pos += 1
        items = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return items
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                self.fail("expected a quoted field name")
            key_pos = self.pos
            key = self.string()
            if key in items:
                self.fail("field '%s' is given twice" % key, key_pos)
            self.expect(":", "':' after the field name")
            items[key] = self.value()
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("}", "',' or '}'")
            return items

    def arr(self):
        self.pos += 1
        items = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("]", "',' or ']'")
            return items


def parse(text):
    """The Located tree of a JSON-with-comments text; JsonError with the line."""
    p = _Parser(text)
    root = p.value()
    p.skip()
    if p.pos != len(text):
        p.fail("unexpected text after the end of the document")
    return root
