// Parse an iCalendar text from stdin with Mozilla's ical.js (the parser Thunderbird uses)
// and print, as JSON, what a client would show for each VEVENT: times in UTC.
//
// With --lines it stays running for the whole test session (one node start, not one per calendar): each line
// in is a calendar as a JSON string, each line out the JSON for it, or {"error": ...}. Every calendar is read
// as by a fresh process: the time zones registered by the one before are forgotten first.
import readline from "node:readline";

import ICAL from "ical.js";

const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().toISOString();

const person = (property) => property ? {
  address: property.getFirstValue(),
  cn: property.getParameter("cn") || null,
  partstat: property.getParameter("partstat") || null,
  rsvp: property.getParameter("rsvp") || null,
} : null;

function parse(text) {
  ICAL.TimezoneService._hard_reset();  // as a fresh process has it: no zone registered yet
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }

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

  return {
    method: calendar.getFirstPropertyValue("method"),
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    events,
  };
}

if (process.argv.includes("--lines")) {
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    let answer;
    try {
      answer = parse(JSON.parse(line));
    } catch (error) {
      answer = { error: error.stack || String(error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
} else {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  process.stdout.write(JSON.stringify(parse(Buffer.concat(chunks).toString("utf8"))));
}
