#!/usr/bin/python3
"""Strict nbformat validation of executed notebooks: every warning is an error (nbformat only warns
about a 4.5 cell without an id and repairs it in memory), and with --no-errors a cell that produced an
error output fails too; with --offline an HTML output that loads anything from the network (a script,
style sheet, image or font from http(s):// or a CDN) fails. Usage:
validate-notebooks.py [--no-errors] [--offline] NOTEBOOK.ipynb..."""
import re
import sys
import warnings

import nbformat

warnings.simplefilter("error")
paths = [a for a in sys.argv[1:] if not a.startswith("--")]
# What would make a browser fetch something: an element attribute or CSS url() pointing off the page, or the
# name of a CDN anywhere (as a require.js path, say: classic Jupyter's usual way of loading plotly). URLs
# inside a script's string literals (licence notes, links in help texts, the .NET kernel's own probe of its
# local port) fetch nothing from the network and are not matched.
network = re.compile(r"""<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
                     r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//|cdn\.plot\.ly|cdn\.jsdelivr|unpkg\.com""",
                     re.IGNORECASE)
failed = False
for path in paths:
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as e:  # ValidationError, a warning turned error, unreadable JSON
        print(f"{path}: invalid: {type(e).__name__}: {str(e).splitlines()[0]}", file=sys.stderr)
        failed = True
        continue
    if "--no-errors" in sys.argv:
        for number, cell in enumerate(notebook.cells, 1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    first = next((l for l in cell.source.splitlines() if l.strip()), "")
                    print(f"{path}: cell {number} ({first.strip()}) failed: {output.get('ename')}: {output.get('evalue')}", file=sys.stderr)
                    failed = True
    if "--offline" in sys.argv:
        for number, cell in enumerate(notebook.cells, 1):
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html", "")
                html = "".join(html) if isinstance(html, list) else html
                if (match := network.search(html)):
                    print(f"{path}: cell {number}: an HTML output loads from the network: {match.group(0)[:120]}", file=sys.stderr)
                    failed = True
sys.exit(1 if failed else 0)
