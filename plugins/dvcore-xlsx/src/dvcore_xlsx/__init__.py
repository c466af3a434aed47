"""dvcore-xlsx: Excel workbooks for dvcore — the ``xlsx`` input channel and its template.

dvcore loads the plugin through the ``dvcore`` entry point (``dvcore_xlsx.plugin``);
nothing here needs importing by hand.
"""

from __future__ import annotations

from dvcore_xlsx.channel import XlsxChannel
from dvcore_xlsx.template import write_workbook

__version__ = "0.1.0"

__all__ = ["XlsxChannel", "__version__", "write_workbook"]
