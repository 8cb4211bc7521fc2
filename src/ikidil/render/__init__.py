"""Stage 4, render: each renderer takes an Edition document and writes one file."""
