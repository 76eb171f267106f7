"""Fault injection for worker processes started by tests/web/test_faults.py.

Python imports ``sitecustomize`` at start-up from the path; the fault test puts this folder on PYTHONPATH
of one rq worker and sets FAULT_WEASYPRINT, so that worker's WeasyPrint fails the way a broken install or
an exhausted machine would. Without the variable this module does nothing.
"""

import os

if os.environ.get("FAULT_WEASYPRINT"):
    import weasyprint

    def _broken_render(self, *args, **kwargs):
        raise OSError("injected fault: WeasyPrint could not lay out the document")

    weasyprint.HTML.render = _broken_render
