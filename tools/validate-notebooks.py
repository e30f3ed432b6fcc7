#!/usr/bin/python3
"""Strict nbformat validation of executed notebooks: every warning is an error (nbformat only warns
about a 4.5 cell without an id and repairs it in memory), and with --no-errors a cell that produced an
error output fails too. Usage: validate-notebooks.py [--no-errors] NOTEBOOK.ipynb..."""
import sys
import warnings

import nbformat

warnings.simplefilter("error")
paths = [a for a in sys.argv[1:] if a != "--no-errors"]
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
sys.exit(1 if failed else 0)
