"""Comments on a claim (kb.comments): a thread kept in the history, editable by its author for
ten minutes, withdrawn never deleted, and never in a public read (queries, exports, the claim's graph)."""

import datetime as dt
import io

import pytest

from kb import InvalidData, KBError, QueryError

CLAIM = "ms-cancelled-datacentre-deals"


def test_a_thread_is_kept_with_its_history(seeded):
    first = seeded.comments.add(CLAIM, "Is the TD Cowen note public?", by="hanako")
    second = seeded.comments.add(CLAIM, "<script>alert(1)</script> yes, in Bloomberg", by="taro")
    thread = seeded.comments.of(CLAIM)
    assert [(c["author"], c["text"]) for c in thread] == [
        ("hanako", "Is the TD Cowen note public?"), ("taro", "<script>alert(1)</script> yes, in Bloomberg")]
    assert thread[0]["id"] == first["id"] and thread[1]["id"] == second["id"]
    edited = seeded.comments.edit(first["id"], "Is the TD Cowen note public? (asked them)", by="hanako")
    assert edited["text"].endswith("(asked them)") and edited["edited"]
    withdrawn = seeded.comments.withdraw(second["id"], by="taro")
    assert withdrawn["withdrawn"] and withdrawn["text"].startswith("<script>")  # withdrawn, not deleted
    assert [h["action"] for h in seeded.comments.history(first["id"])] == ["created", "updated"]
    assert [h["action"] for h in seeded.comments.history(second["id"])] == ["created", "withdrawn"]
    assert [h["by"] for h in seeded.comments.history(second["id"])] == ["taro", "taro"]


def test_only_the_author_edits_and_only_for_ten_minutes(seeded):
    c = seeded.comments.add(CLAIM, "first thought", by="hanako")
    with pytest.raises(KBError) as e:
        seeded.comments.edit(c["id"], "taro's words", by="taro")
    assert e.value.status == 403
    with pytest.raises(KBError) as e:
        seeded.comments.withdraw(c["id"], by="taro")
    assert e.value.status == 403
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    with pytest.raises(KBError) as e:
        seeded.comments.edit(c["id"], "too late", by="hanako", now=later)
    assert e.value.status == 409 and "10 minutes" in e.value.message
    with pytest.raises(InvalidData):
        seeded.comments.add(CLAIM, "   ", by="hanako")
    with pytest.raises(KBError) as e:
        seeded.comments.add("no-such-claim", "hello", by="hanako")
    assert e.value.status == 404
    assert [x["text"] for x in seeded.comments.of(CLAIM)] == ["first thought"]  # nothing else changed
    assert len(seeded.comments.history(c["id"])) == 1


def test_comments_are_in_no_public_read(seeded):
    before = io.BytesIO()
    seeded.export(before, "nq")
    seeded.comments.add(CLAIM, "a private remark", by="hanako")
    assert seeded.comments.of(CLAIM)[0]["text"] == "a private remark"
    for fmt in ("turtle", "trig", "nq", "jsonld", "nt"):
        out = io.BytesIO()
        seeded.export(out, fmt)
        assert b"private remark" not in out.getvalue() and b"/comments/" not in out.getvalue(), fmt
    after = io.BytesIO()
    seeded.export(after, "nq")
    assert after.getvalue().count(b"\n") == before.getvalue().count(b"\n")  # not one quad more
    assert "private remark" not in seeded.claim_graph(CLAIM).serialize(format="turtle")
    res = seeded.query("SELECT ?c WHERE { ?c a schema:Comment }")
    assert res.rows == []
    for q in ("SELECT ?t WHERE { GRAPH ?g { ?c schema:text ?t } }",
              f"SELECT ?t WHERE {{ GRAPH <{seeded.comments.graph}> {{ ?c schema:text ?t }} }}"):
        with pytest.raises(QueryError):
            seeded.query(q)
    history = seeded.history_graph
    res = seeded.query(f"SELECT ?g FROM NAMED <{history}> WHERE {{ GRAPH ?g {{ ?v a schema:Comment }} }}")
    assert res.rows == []
