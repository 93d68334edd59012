"""Field builders the project forms share."""

from django import forms


def text_area(
    label, *, max_length: int, rows: int, required: bool = True, **options
) -> forms.CharField:
    """A free-text answer of several lines, no longer than the model stores."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **options,
    )
