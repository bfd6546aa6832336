from flask_wtf import FlaskForm

from cop.forms_common import MultiCheckboxField


class IntroducePairsForm(FlaskForm):
    """The pairs shown on the preview, as "first-second" person ids; each is checked again on saving."""

    pairs = MultiCheckboxField("Pairs to introduce", choices=[], validate_choice=False)
