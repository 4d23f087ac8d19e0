from django.forms import CheckboxInput, FileInput


def form_data(response):
    """Return what the admin page in response would post if saved as is.

    Covers the main form and every inline formset, management forms
    included, so a test changes only what it is about.
    """
    context = response.context
    data = {}
    _add_form(data, context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def _add_form(data, form):
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, FileInput):
            continue
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            value = ""
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = str(value)


def add_inline_row(data, prefix, **fields):
    """Append a new row to the inline formset prefix in posted data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return index


def row_index(data, prefix, pk):
    """Return the index of the row of object pk in inline formset prefix."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk):
            return int(key.split("-")[-2])
    raise KeyError(pk)
