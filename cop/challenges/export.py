"""The challenge's ideas as CSV: stage, supports and who supports them (formula cells neutralised)."""
from cop.challenges import challenges as challenge_logic
from cop.challenges import voices
from cop.challenges.models import Challenge
from cop.csv_safety import write_csv
from cop.events.times import to_london

HEADER = ["id", "title", "stage", "author", "anonymous", "submitted", "supporters", "organisations", "comments",
          "spread", "hidden", "by_organisation", "by_sector", "by_profession", "description"]


def _counts(pairs) -> str:
    return "; ".join(f"{name}: {n}" for name, n in pairs)


def ideas_csv(challenge: Challenge) -> str:
    """One row per idea (merged duplicates left out: theirs moved into the idea they joined).
    `organisations` is the number of distinct organisations among the supporters."""
    labels = challenge_logic.stage_labels(challenge.community_id)
    rows = []
    for item in voices.challenge_voices(challenge).ideas:
        idea = item.row.idea
        rows.append([
            idea.id, idea.title, labels[idea.stage], idea.author.name, "yes" if idea.anonymous else "no",
            to_london(idea.created_at).strftime("%Y-%m-%d %H:%M"), item.row.supporters, item.organisations,
            item.row.comments, item.spread, idea.hidden_reason or "", _counts(item.breakdown.organisations),
            _counts(item.breakdown.sectors), _counts(item.breakdown.professions), idea.description,
        ])
    return write_csv(HEADER, rows)
