// Parse an iCalendar text from stdin with Mozilla's ical.js (the parser Thunderbird uses)
// and print, as JSON, what a client would show for each VEVENT: times in UTC.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().toISOString();

const person = (property) => property ? {
  address: property.getFirstValue(),
  cn: property.getParameter("cn") || null,
  partstat: property.getParameter("partstat") || null,
  rsvp: property.getParameter("rsvp") || null,
} : null;

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const attendee = vevent.getFirstProperty("attendee");
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    start: utc(event.startDate),
    end: utc(event.endDate),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    partstat: attendee ? attendee.getParameter("partstat") : null,
    conference: vevent.getFirstPropertyValue("conference"),
    url: vevent.getFirstPropertyValue("url"),
    description: vevent.getFirstPropertyValue("description"),
    organizer: person(vevent.getFirstProperty("organizer")),
    attendees: vevent.getAllProperties("attendee").map(person),
  };
});

process.stdout.write(JSON.stringify({
  method: calendar.getFirstPropertyValue("method"),
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  events,
}));
