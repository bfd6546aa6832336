from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ErasureForm(FlaskForm):
    understood = BooleanField(
        "I understand that this erases their personal data from cop and cannot be undone",
        validators=[DataRequired("Confirm that you understand the erasure cannot be undone")],
    )
