"""``python -m workbook_tool`` runs the ``chart`` command."""

from .cli import main

main()
