"""The form that attaches a material (a file or a link) to an event."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField
from wtforms.validators import Length, Optional

from cop.forms_common import SingleLine
from cop.materials.models import VISIBILITIES


class MaterialForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=200), SingleLine()])
    upload = FileField("A file")
    url = StringField("Or a link (a recording, a web page)", validators=[Optional(), Length(max=500), SingleLine()])
    visibility = RadioField("Who may see it", choices=list(VISIBILITIES.items()), default="attendees")
