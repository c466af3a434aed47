"""The plugin's tests read messages in English, as dvcore's own tests do (the command
line's default is Vietnamese): set at import, so processes the tests start inherit it."""

from __future__ import annotations

import os

os.environ["DVCORE_LANG"] = "en"
