"""Forms and the services behind them."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field-keyed messages at their fields
    (keys the form has no field for at the top), plain messages at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@contextmanager
def service_errors_on(form):
    """Around a form's service call: a ValidationError the service raises is shown on the
    form (add_service_errors) instead of propagating, and the block's remaining lines (the
    success redirect) are skipped, so the view goes on to render the form with its errors."""
    try:
        yield
    except ValidationError as error:
        add_service_errors(form, error)
