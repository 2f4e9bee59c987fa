#!/usr/bin/env python3
"""Checks that no product is named outside providers/ and the product table.

A product is data (engine/product/product_rules.h): each provider states its rules, and
cmd/certform/product_table.cc pairs them with its factory. Everywhere else (engine/, state/,
cmd/) reads the rules, so a product's name there is a hole in the seam: a new product would
have to edit it. This check fails on, outside comments:
  - a string literal holding a product's name or title as a word ("oss", "DCDN", "cdn:"),
  - an identifier naming one (kProductOss, OssProvider, DcdnProvider),
  - an include of a product's provider header.
The names are read from the providers' Rules() (name = "...", title = "..."), so a new
product is checked as soon as it is added. Exit 1, naming each file and line.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CHECKED = ["engine", "state", "cmd"]
ALLOWED = {os.path.join("cmd", "certform", "product_table.cc"),
           os.path.join("cmd", "certform", "product_table.h")}


def product_words():
    names = set()
    for dirpath, _, files in os.walk(os.path.join(ROOT, "providers")):
        if "emulator" in dirpath:
            continue
        for f in files:
            if not f.endswith(".cc"):
                continue
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            # r.name = "oss"; or, in a listener product's row, .name = "alb" and
            # .title = "ALB" (designated initializers of ListenerProduct and ListenerApi).
            for m in re.finditer(r'(?:\br|\{|^\s*)\.(name|title) = "([A-Za-z0-9_-]+)"', text,
                                 re.MULTILINE):
                names.add(m.group(2))
    return names


def strip_comments(line, in_block):
    out, i = "", 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return out, True
            i, in_block = end + 2, False
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_block = True
            i += 2
            continue
        if line[i] == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out += line[i:j + 1]
            i = j + 1
            continue
        out += line[i]
        i += 1
    return out, in_block


def main():
    words = product_words()
    if not words:
        print("check-product-names: found no product rules in providers/")
        return 1
    word_re = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, words))) +
                         r")(?![A-Za-z0-9_])")
    ident_re = re.compile(r"\b(kProduct[A-Z]\w*|(" + "|".join(
        sorted(w.capitalize() for w in words if w.isalpha())) + r")[A-Z]\w*)\b")
    include_re = re.compile(r'#include "providers/.*/(' + "|".join(
        sorted(w.lower() for w in words)) + r')_[a-z_]*\.h"')
    bad = 0
    for top in CHECKED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if not (f.endswith(".cc") or f.endswith(".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, ROOT)
                if rel in ALLOWED or rel.startswith(os.path.join("cmd", "certform-emulator")):
                    continue
                in_block = False
                for n, line in enumerate(open(path, encoding="utf-8"), 1):
                    if include_re.search(line):
                        print(f"{rel}:{n}: includes a product's provider: {line.strip()}")
                        bad = 1
                        continue
                    code, in_block = strip_comments(line.rstrip("\n"), in_block)
                    for lit in re.findall(r'"(?:[^"\\]|\\.)*"', code):
                        m = word_re.search(lit)
                        if m:
                            print(f"{rel}:{n}: names product {m.group(1)!r} in {lit}")
                            bad = 1
                    m = ident_re.search(re.sub(r'"(?:[^"\\]|\\.)*"', '""', code))
                    if m:
                        print(f"{rel}:{n}: names a product in {m.group(1)}")
                        bad = 1
    if bad:
        print("check-product-names: products are data; read their rules (product_catalog.h)")
        return 1
    print(f"check-product-names: no product ({', '.join(sorted(words))}) is named outside "
          "providers/ and the product table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
