"""Importers: OpenStreetMap, partner lists (CSV/XLSX), the repair-café list, Amsterdam open data, HSDS.

Each importer turns its input into `records.PlaceRecord`s; `merge.Merger`
writes them through `directory.services.entries.EntryService` with field
provenance, and `run.run_import` wraps a run in one transaction with a
progress bar and a summary. See docs/importers.md.
"""
