"""``python -m bioconnect`` runs the command line, as the ``bioconnect`` script does."""

from bioconnect.cli.main import run

run()
