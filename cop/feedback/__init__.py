"""Feedback after an event: the form and its edits (surveys.py), asking and reminding (asking.py),
answering from a personal link (answering.py), and the results (results.py).

Anonymity. For an anonymous form nothing stored, sent or logged links a response to its person,
and nothing per person says whether they answered (only counts do). Who can look: organisers (the
results, the exports, the outbox), and anyone who can read the database, at two moments too.

* The response row holds the survey and the answers only: no person, no token or its hash,
  no request id, and no time (a time could be matched with the access log's time of the
  POST to the person's link).
* Nothing on the person's side changes when they answer: their request row and their links
  stay as they were. One answer per person is held by an `AnsweredMark`, a row with the survey
  and HMAC(SECRET_KEY, "feedback-answered", survey id, person id) only (`answered_mark`). The
  server recomputes it from the link it is given; the database holds neither the key nor the
  links' tokens (only their hashes), so a reader of the database, at one moment or at two, sees
  that *someone* answered and not who. A mark of the link's own token would not do: the outbox
  keeps each mail's body, so its tokens, and a mark that anyone can compute from those names the
  person. The link stops working for answering once used: it opens "thank you, already answered"
  (to its holder, who knows). The reminder's link shares the request's mark, so a person answers
  once whichever link they use.
* Reminders go to *everyone* asked (not erased), answered or not, saying "if you have answered,
  thank you": a reminder to non-responders only would name, by omission in the outbox, those who
  answered. (Named forms remind only those who have not answered: their answers carry names.)
* The personal data export lists no anonymous request: a count of anonymous forms sent, no more.
* Order is a link too: the access log lists links (so people) in the order they answered.
  So response ids are random, and every anonymous answer rewrites all of the survey's
  responses in a fresh random order with fresh ids (`_reshuffle`, with the survey row locked),
  so neither ids, row order (SQLite's rowid, PostgreSQL's ctid) nor PostgreSQL's transaction
  stamp (xmin: every response then carries the latest one) tells which response is new. The
  marks' order follows the answers', but a mark names nobody.
* Nothing in this package logs answers, and no mail is sent on answering.
* The promise cannot change under people: a form's anonymity is fixed (`anonymity_locked`) in the
  transaction that sends its first request, as the mails already say anonymous or named; the
  editor shows the choice as fixed and `update_settings` refuses a change. The answer page carries
  the promise it showed (a hidden field), and `record_response` compares it with the survey's,
  under the survey row's lock: if they differ nothing is stored (`PromiseChanged`) and the page
  is shown again under the current promise.
What is left: whoever holds SECRET_KEY as well as the database (the site's operators) can
recompute every person's mark, so can tell who answered (not what); changing SECRET_KEY while a
form is open lets those who answered answer once more. Someone watching the database between two
answers sees which answer is new (the multiset of answers grows by one) and, with the access log's
POSTs to personal links, whose it is; reading PostgreSQL's dead row versions and write-ahead log
as a superuser is such watching; a statement log (PostgreSQL's log_statement = 'mod' or 'all', or
SQLALCHEMY_ECHO) would record both of an answer's statements together, so keep those off in
production; whoever holds a person's link (their mailbox, or the outbox's copy of the mail, so a
reader of the database who also opens links as that person) can see whether it still opens the form,
as with any one-time link; and the answers themselves (a free-text remark, the people chosen to follow
up) may identify someone. The form editor tells organisers so.
"""

