"""Sloth and Pyrra SLO specs converted to OpenSLO v1 files that ``data.slo.catalog.load_catalog`` reads.

``sloth`` and ``pyrra`` read one tool's documents each; ``service.import_slos`` is what ``cli.py slo-import`` runs:
read the files, convert, refuse by name what cannot be carried over, write one OpenSLO file per input file.
"""
