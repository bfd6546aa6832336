"""Every POST route of the app as a URL, for the tests that must reach them all (CSRF, body limit)."""

# Those tests are refused before the view runs, so ids need not exist.
URL_VALUES = {"slug": "big-room", "token": "x", "event_id": 1, "series_id": 1, "venue_id": 1, "invitation_id": 1,
              "message_id": 1, "version": 1, "formation_id": 1, "question_id": 1, "part": "table-cards",
              "challenge_id": 1, "idea_id": 1, "comment_id": 1, "poll_id": 1, "participant_id": 1, "material_id": 1,
              "job_id": 1, "suggestion_id": 1}


def post_urls(app, person_id: int) -> list[str]:
    values = {**URL_VALUES, "person_id": person_id}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule
        for name in rule.arguments:  # a KeyError here: add the new argument to URL_VALUES
            url = url.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
        urls.append(url)
    return urls
