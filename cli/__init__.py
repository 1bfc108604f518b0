"""The `wijkgram` command line: one module per command group."""
