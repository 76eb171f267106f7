"""The use-case library in the web shell: pages, forms and the ``usecase`` CLI commands."""
