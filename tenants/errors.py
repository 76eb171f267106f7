"""Errors domain functions raise for the caller to show to a person."""


class FieldErrors(ValueError):
    """Input that fails a business rule, keyed by the form field it belongs to.

    Views map these onto the form so the person sees the message next to the field they typed.
    """

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Message(str):
    """A translatable message with named parameters (``%(n)d``), formatted after translation by the shell."""

    params: dict

    def __new__(cls, text: str, **params):
        obj = super().__new__(cls, text)
        obj.params = params
        return obj


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "mark for translation"
    """Mark a message for translation without translating it here; the web shell translates on display."""
    return message
