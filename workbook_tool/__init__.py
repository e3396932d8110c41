"""chart: keep an informational-interview contact chart in Excel or LibreOffice.

The library behind the ``chart`` command. It never prints and never imports
click: functions return values and raise ``workbook_tool.errors.ChartError``.
"""

__version__ = "0.1.0"
