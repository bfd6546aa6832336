"""The workforce exchange pairs page: suggest pairs across organisations who share an interest, introduce them."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from cop.communities.access import MANAGERS, community_for
from cop.communities.members_views import filter_from_args
from cop.exchange import pairing as exchange
from cop.exchange.forms import IntroducePairsForm
from cop.extensions import db

bp = Blueprint("exchange", __name__, url_prefix="/communities/<slug>")


PAIRS_SHOWN = 200  # suggestions and introduced pairs listed at once: the page stays small at any size


@bp.route("/exchange-pairs", methods=["GET", "POST"])
@login_required
def pairs(slug: str):
    """Preview pairs across organisations who share an interest; introduce the chosen ones by e-mail."""
    community, role = community_for(slug, MANAGERS)
    filter_form, wanted = filter_from_args(community, request.args)
    # The page opens without pairing anyone (issue 19): "Find pairs" asks for suggestions, a batch at a time.
    suggesting = request.method == "GET" and "suggest" in request.args
    suggestions = exchange.suggest_pairs(exchange.candidates(community, wanted)) if suggesting else []
    shown = suggestions[:PAIRS_SHOWN]
    form = IntroducePairsForm(data=None if request.method == "POST" else {"pairs": [s.key for s in shown]})
    form.pairs.choices = [(s.key, f"{s.first.name} and {s.second.name}") for s in shown]
    refusal = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            chosen = [(int(first), int(second)) for first, second in
                      (key.split("-", 1) for key in form.pairs.data or [])]
            made = exchange.introduce(community, chosen, current_user.person)
            db.session.commit()
        except (ValueError, IntegrityError) as error:  # PairRefused is a ValueError; IntegrityError: a double submit
            db.session.rollback()
            refusal = str(error) if isinstance(error, exchange.PairRefused) else (
                "These people have just been introduced (the form was sent twice).")
            if not isinstance(error, (exchange.PairRefused, IntegrityError)):
                refusal = "Choose pairs from the list."
        else:
            flash(f"{len(made)} {'pair' if len(made) == 1 else 'pairs'} introduced: each person has an email "
                  "naming the other.")
            return redirect(url_for("exchange.pairs", slug=community.slug))
    elif request.method == "POST":
        abort(400)
    return render_template("exchange/pairs.html", community=community, role=role, filter_form=filter_form,
                           suggesting=suggesting, suggestions=shown, suggested=len(suggestions), form=form,
                           refusal=refusal, pairs=exchange.pairs_of(community, limit=PAIRS_SHOWN),
                           pairs_made=exchange.count_pairs(community)), 400 if refusal else 200
