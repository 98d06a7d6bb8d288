#!/usr/bin/env python3
# webdom.py - the DOM of ils-web's page, as Chromium built it, in JSON
#
# usage: webdom.py DOM.html   (the output of chromium --dump-dom)
# Prints {"tags": {tag: count}, "rows": [...], "error", "none", "count",
# "chart", "caption"}: each row is a tr.user with its data-cn, the text
# and title of each cell by class, and the href of each link by class, so
# that t-web.sh can check what a person sees with jq.
import json
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.rows = []
        self.stack = []         # open elements: (tag, attrs)
        self.text = {}          # id or class -> text collected
        self.cell = None        # the class of the td being read
        self.chart = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "tr" and "user" in a.get("class", "").split():
            self.rows.append({"cn": a.get("data-cn"), "cells": {},
                              "titles": {}, "links": {}})
        elif tag == "td" and self.rows and self.in_tag("tr"):
            self.cell = a.get("class", "").split()[0] if a.get("class") else ""
            self.rows[-1]["cells"][self.cell] = ""
            if "title" in a:
                self.rows[-1]["titles"][self.cell] = a["title"]
        elif tag == "a" and self.cell == "links":
            self.rows[-1]["links"][a.get("class", "")] = a.get("href")
        elif tag == "path" and self.in_tag("svg"):
            self.chart += a.get("d", "")
        if tag not in ("meta", "input", "br", "link", "rect", "path"):
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        if not self.in_tag(tag):
            return
        while self.stack:
            t, _ = self.stack.pop()
            if t == "td":
                self.cell = None
            if t == tag:
                break

    def in_tag(self, tag):
        return any(t == tag for t, _ in self.stack)

    def handle_data(self, data):
        if self.cell is not None and self.rows:
            self.rows[-1]["cells"][self.cell] += data
        for t, a in self.stack:
            for key in (a.get("id"), t if t == "figcaption" else None):
                if key:
                    self.text[key] = self.text.get(key, "") + data


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        d = Dom()
        d.feed(f.read())
    print(json.dumps({
        "tags": d.tags, "rows": d.rows, "error": d.text.get("error"),
        "none": d.text.get("none"), "count": d.text.get("count"),
        "chart": d.chart, "caption": d.text.get("figcaption"),
    }, ensure_ascii=False))


main()
