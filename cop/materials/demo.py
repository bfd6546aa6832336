"""The demo's materials on the past Big Room: the speakers' slides (a PDF made with WeasyPrint), the recording
for those who could not come, and a public reading list. Idempotent: an event with materials is left alone.
The "materials are up" mail is not sent: the organiser can press it in the demo."""
from cop.events.models import Event
from cop.materials import sharing
from cop.seating.printing import pdf_from_html

SLIDES = """<h1>Frailty and the front door</h1><p>Dr Amina Rahman, consultant geriatrician, and Steve Cole, Age Well
Essex.</p><h2>What happened the week before</h2><ul><li>Three in five frail people seen at the front door had a fall
or a change in the fortnight before.</li><li>Who saw them, and who could have?</li></ul>"""


def add_demo_materials(event: Event | None) -> None:
    if event is None or sharing.materials_of(event):
        return
    sharing.add_file(event, "Slides: frailty and the front door", "frailty-front-door-slides.pdf",
                     pdf_from_html(SLIDES), "attendees", None)
    sharing.add_link(event, "Recording of the evening", "https://video.example.org/mse-big-room/frailty",
                     "community", None)
    sharing.add_link(event, "Reading list: frailty in the community", "https://www.example.org/frailty-reading",
                     "public", None)
