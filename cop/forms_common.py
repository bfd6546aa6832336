"""Shared form and request primitives: single-line text, column-sized lengths, bounded numbers and dates.

Every form and import uses these, so what a form accepts is what the database stores (issue 15):
no control characters (a CR/LF in a title once became mail headers), no bidirectional overrides in
names, no text longer than its column (PostgreSQL refuses it), no number or date past what the
database, the calendar writer and Python's dates can hold.
"""
from dataclasses import dataclass
from datetime import date
from typing import overload

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, TimeField, widgets
from wtforms.validators import ValidationError

from cop.text import single_line_problem

# PostgreSQL's `integer`: ids in URLs and numbers in query strings beyond it are refused or clamped.
DATABASE_INT_MAX = 2**31 - 1
# Dates any form or import accepts: past them, times overflow (a feedback form closing 14 days after
# 31/12/9999) and calendars cannot be written (01/01/0001 in London time is in year 0).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
DAY_RANGE_MESSAGE = f"Enter a date from {EARLIEST_DAY:%-d/%-m/%Y} to {LATEST_DAY:%-d/%-m/%Y}"


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


# The last page number a list answers (past the end it shows an empty page, never an error).
MAX_PAGE = 100_000
PER_PAGE = 100  # rows on a page of a long list (guests, the door): issue 19, no page over 1 MB


@dataclass(frozen=True)
class Paging:
    """Where a page of a long list starts and ends: `page` of `pages`, rows [start, end) of `total`."""

    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def end(self) -> int:
        return min(self.start + self.per_page, self.total)

    def page_of(self, index: int) -> int:
        """The page the row at `index` (0-based) is on."""
        return index // self.per_page + 1


def paging(total: int, page: int, per_page: int = PER_PAGE) -> Paging:
    """The page asked for, kept within the list (page 7 of a list of 3 pages is page 3)."""
    pages = max(1, -(-total // per_page))
    return Paging(page=min(max(page, 1), pages), total=total, per_page=per_page)


@overload
def int_arg(name: str, default: int, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int: ...
@overload
def int_arg(name: str, default: None, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int | None: ...
def int_arg(name: str, default: int | None, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int | None:
    """A whole number from the query string, clamped into [minimum, maximum] (?page=99999999999999999999)."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    return min(max(value, minimum), maximum)


class SingleLine:
    """A WTForms validator: one line, no control or text-direction characters (titles, names, places)."""

    def __init__(self, label: str | None = None) -> None:
        self.label = label

    def __call__(self, form, field) -> None:
        problem = single_line_problem(field.data or "") if isinstance(field.data, str) else None
        if problem:
            raise ValidationError(f"{self.label or field.label.text} {problem}")


def refuse(form: FlaskForm, field, message: str) -> None:
    """Show `message` as the field's error after validation has run (a check that needed the database).

    WTForms caches `form.errors` when it is first read, so the cache is dropped for the error summary to show it.
    """
    field.errors = [*field.errors, message]
    form._errors = None


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change something."""


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]


class _PlainInvalid:
    """A field whose parse error is `self.invalid`, a message people understand."""

    invalid = ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid) from error


class DayField(_PlainInvalid, DateField):
    """A date with an error message people understand."""

    def __init__(self, label=None, validators=None, invalid="Enter a real date, like 8/12/2026", **kwargs):
        super().__init__(label, validators, format=DATE_FORMATS, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not day_in_range(self.data):
            self.data = None
            raise ValueError(DAY_RANGE_MESSAGE)


class ClockField(_PlainInvalid, TimeField):
    def __init__(self, label=None, validators=None, invalid="Enter a time, like 18:00", **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)
        self.invalid = invalid


class WholeNumberField(IntegerField):
    """A number whose range validator speaks for it: "abc" gets the same clear message as -3."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes (macros.field draws them as NHS.UK checkboxes)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
