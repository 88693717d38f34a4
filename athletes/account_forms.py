from django import forms

from .two_factor import MAX_CODE_LENGTH


class CodeForm(forms.Form):
    """A second-factor code: 6 digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=MAX_CODE_LENGTH,
        error_messages={
            "required": "Type the code.",
            "max_length": "That is too long for a code: type the 6 digits the app shows, or "
            "a backup code.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )

    def __init__(self, *args, label=None, numeric=False, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
