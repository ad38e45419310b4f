"""What changed in followed records (kb.changes), read back from the history's versions."""

import pytest

from kb import KBError

CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"


def ident(change):
    """A change without its place in a replay (which later writes in the same second may shift)."""
    return (change["kind"], change["at"], change.get("dispute"), change.get("from"), change.get("to"),
            (change.get("claim") or change.get("source"))["id"])


def stance(kb, party, name, date, by="taro"):
    kb.add_dispute(CLAIM, {"party": party, "stance": name, "text": {"en": f"{party} {name}."},
                           "sources": [SOURCE], "date": date}, by=by)


def test_a_party_moving_from_one_stance_to_another_is_named(seeded):
    start = seeded.changes.of([("topic", "data-centre-deals")])
    since = max(c["at"] for c in start)
    stance(seeded, "microsoft", "confirms", "2025-03-01")
    stance(seeded, "microsoft", "denies", "2025-03-05")
    new = [c for c in seeded.changes.of([("topic", "data-centre-deals")], since=since)
           if ident(c) not in {ident(s) for s in start}]
    stances = [(c["party"]["id"], c["from"], c["to"]) for c in new if c["kind"] == "stance"]
    assert stances == [("microsoft", "confirms", "denies"), ("microsoft", None, "confirms")]  # newest first
    assert all(c["claim"]["id"] == CLAIM and c["by"] == "taro" for c in new)
    assert all(c["via"] == {"kind": "topic", "id": "data-centre-deals"} for c in new)
    # the same through the claim and through the party; once each even when followed twice
    both = seeded.changes.of([("claim", CLAIM), ("agent", "microsoft")], since=since)
    assert [(c["from"], c["to"]) for c in both if c["kind"] == "stance" and c["party"]["id"] == "microsoft"
            and c["claim"]["id"] == CLAIM] \
        == [("confirms", "denies"), (None, "confirms")]


def test_a_withdrawal_and_the_derived_status(seeded):
    claim = "altman-openai-no-longer-compute-constrained"
    seeded.add_dispute(claim, {"party": "microsoft", "stance": "confirms", "text": {"en": "It is."},
                               "sources": [SOURCE]}, by="taro")
    got = seeded.changes.of_one("claim", claim)
    assert got[0]["kind"] in ("stance", "status")
    status = [c for c in got if c["kind"] == "status"]
    assert (status[0]["from"], status[0]["to"]) == ("reported", "confirmed")
    dispute = next(c["dispute"] for c in got if c["kind"] == "stance" and c["to"] == "confirms")
    seeded.withdraw("dispute", dispute, by="hanako")
    got = seeded.changes.of_one("claim", claim)
    withdrawn = next(c for c in got if c["kind"] == "stance" and c["to"] is None)
    assert withdrawn["party"]["id"] == "microsoft" and withdrawn["from"] == "confirms" and withdrawn["by"] == "hanako"
    assert [(c["from"], c["to"]) for c in got if c["kind"] == "status"][0] == ("confirmed", "reported")


def test_new_claims_and_source_texts(seeded):
    follows = [("topic", "openai-compute"), ("agent", "sam-altman")]
    before = seeded.changes.of(follows)
    made = seeded.add_claim({"text": {"en": "OpenAI will build its own data centres."}, "claimant": "sam-altman",
                             "about": ["openai-compute"], "sources": [SOURCE]}, by="taro")
    new = [c for c in seeded.changes.of(follows) if ident(c) not in {ident(b) for b in before}]
    assert [(c["kind"], c["claim"]["id"]) for c in new] == [("new-claim", made["id"])]
    src = seeded.sources.add({"id": "note", "headline": {"en": "A note"}, "published": "2025-03-01", "publisher": "windows-central",
                              "language": "en", "text": "Microsoft is said to have walked away from two deals."},
                             by="taro")
    seeded.sources.recapture(src["id"], {"text": "Microsoft walked away from two deals, a note says."},
                             by="hanako", version=1)
    seeded.sources.recapture(src["id"], {"text": "Microsoft walked away from two deals, a note says."},
                             by="hanako", version=2)  # the same text: no change
    texts = [c for c in seeded.changes.of_one("source", src["id"]) if c["kind"] == "source-text"]
    assert [(c["first"], c["by"]) for c in texts] == [(False, "hanako"), (True, "taro")]


def test_following_what_is_not_there(seeded):
    with pytest.raises(KBError) as e:
        seeded.changes.of_one("topic", "no-such-topic")
    assert e.value.status == 404
    with pytest.raises(KBError) as e:
        seeded.changes.of_one("dispute", "x")
    assert e.value.status == 400
