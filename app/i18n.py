"""English and Japanese: the interface's words, and data texts in the chosen
language with a marked fallback to the other.

The language comes from ``?lang=``, else the ``lang`` cookie set by the
switch (``/lang/<code>``), else ``Accept-Language``; English by default.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, request
from flask.globals import _cv_app
from markupsafe import Markup, escape

from .context import get_kb

LANGS = ("en", "ja")
LANG_NAMES = {"en": "English", "ja": "日本語"}

# The plural category of a count, per language (CLDR's rules for cardinals): English says
# "1 claim" and "2 claims"; Japanese has one form, with a counter ("1 件", "2 件").
PLURAL = {"en": lambda n: "one" if n == 1 else "other", "ja": lambda n: "other"}

# every interface string, in both languages (a test checks each template's keys are here). A text
# that counts is, in a language with plural forms, a dict of them ({"one": …, "other": …}),
# chosen by its ``n``.
MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "app.name": {"en": "ClaimKB", "ja": "ClaimKB"},
    "app.tagline": {"en": "who claims what, and who disputes it", "ja": "誰が何を主張し、誰が反論しているか"},
    "nav.claims": {"en": "Claims", "ja": "主張"},
    "nav.new_claim": {"en": "Record a claim", "ja": "主張を記録"},
    "nav.query": {"en": "SPARQL", "ja": "SPARQL"},
    "nav.export": {"en": "Export", "ja": "エクスポート"},
    "nav.api": {"en": "API", "ja": "API"},
    "nav.sign_in": {"en": "Sign in", "ja": "サインイン"},
    "nav.sign_out": {"en": "Sign out", "ja": "サインアウト"},
    "nav.signed_in_as": {"en": "Signed in as {name} ({role})", "ja": "{name}({role})としてサインイン中"},
    "nav.language": {"en": "Language", "ja": "言語"},
    "lang.fallback": {"en": "not available in English; shown in {lang}",
                      "ja": "日本語がないため{lang}で表示"},
    "list.title": {"en": "Claims", "ja": "主張一覧"},
    "list.search": {"en": "Search claims (English or Japanese)", "ja": "主張を検索(日本語・英語)"},
    "list.search_button": {"en": "Search", "ja": "検索"},
    "list.total": {"en": {"one": "{n} claim", "other": "{n} claims"}, "ja": "{n} 件の主張"},
    "list.showing": {"en": "showing {first}–{last} of {total}", "ja": "{total} 件中 {first}–{last} 件を表示"},
    "list.none": {"en": "No claims match.", "ja": "該当する主張はありません。"},
    "list.clear": {"en": "Clear all filters", "ja": "すべての絞り込みを解除"},
    "list.filtered_by": {"en": "Filtered by", "ja": "絞り込み"},
    "list.remove_filter": {"en": "remove this filter", "ja": "この絞り込みを解除"},
    "list.prev": {"en": "← Newer", "ja": "← 新しい"},
    "list.next": {"en": "Older →", "ja": "古い →"},
    "count.claims": {"en": {"one": "{n} claim", "other": "{n} claims"}, "ja": "主張 {n} 件"},
    "count.disputes": {"en": {"one": "{n} dispute", "other": "{n} disputes"}, "ja": "反論等 {n} 件"},
    "count.nodes": {"en": {"one": "{n} node", "other": "{n} nodes"}, "ja": "ノード {n}"},
    "match.phrase": {"en": "Matched in", "ja": "一致した箇所"},
    "match.words": {"en": "All the words, not together, in", "ja": "すべての語が離れて一致"},
    "match.text": {"en": "the claim", "ja": "主張の本文"},
    "match.quote": {"en": "a quote", "ja": "引用"},
    "match.dispute": {"en": "a dispute", "ja": "反論等"},
    "match.claimant": {"en": "the claimant", "ja": "主張者"},
    "match.party": {"en": "a disputing party", "ja": "反論した当事者"},
    "match.about": {"en": "what it is about", "ja": "対象"},
    "facet.status": {"en": "Status", "ja": "状態"},
    "facet.party": {"en": "Disputing party", "ja": "反論した当事者"},
    "facet.claimant": {"en": "Claimant", "ja": "主張者"},
    "facet.about": {"en": "About", "ja": "対象"},
    "facet.source": {"en": "Source", "ja": "出典"},
    "facet.date": {"en": "Date", "ja": "日付"},
    "facet.language": {"en": "Language of text", "ja": "テキストの言語"},
    "facet.q": {"en": "Search", "ja": "検索"},
    "facet.verdict": {"en": "Our verdict", "ja": "当方の判定"},
    "verdict.short": {"en": "Verdict", "ja": "判定"},
    "verdict.title": {"en": "What our analysts conclude (not what the parties say)",
                      "ja": "アナリストの結論(当事者の主張ではない)"},
    "verdict.unmapped": {"en": "the fact-checker's own rating, not on our scale",
                         "ja": "ファクトチェック機関独自の評価(当方の尺度外)"},
    "verdict.heading": {"en": "What we conclude: the verdict", "ja": "当方の結論:判定"},
    "verdict.status_heading": {"en": "What the parties say: the status", "ja": "当事者の主張:状態"},
    "verdict.status_note": {"en": "Derived from the parties' stances below; it is not our verdict.",
                            "ja": "下記の当事者の立場から導かれたもので、当方の判定ではありません。"},
    "verdict.note": {"en": "What our analysts conclude from the evidence. The status says what the parties say; "
                            "neither changes the other.",
                     "ja": "証拠に基づくアナリストの結論です。状態は当事者の主張を示すもので、互いに影響しません。"},
    "verdict.none": {"en": "No verdict yet: our analysts have not concluded on this claim.",
                     "ja": "判定はまだありません。アナリストはこの主張について結論を出していません。"},
    "verdict.reasoning": {"en": "Reasoning", "ja": "根拠"},
    "verdict.evidence": {"en": "Evidence", "ja": "証拠"},
    "verdict.by": {"en": "Concluded by {who} on {date}", "ja": "{who}が{date}に判定"},
    "verdict.scale": {"en": "{value} on a scale of {worst} to {best}", "ja": "{worst}〜{best}の尺度で{value}"},
    "verdict.earlier": {"en": "Earlier verdicts", "ja": "以前の判定"},
    "verdict.timeline": {"en": "Our verdicts over time (not part of the status)", "ja": "当方の判定の推移(状態とは別)"},
    "verdict.form": {"en": "Record a verdict", "ja": "判定を記録"},
    "verdict.rating": {"en": "Rating", "ja": "評価"},
    "verdict.text_en": {"en": "Reasoning (English)", "ja": "根拠(英語)"},
    "verdict.text_ja": {"en": "Reasoning (Japanese)", "ja": "根拠(日本語)"},
    "verdict.sources": {"en": "Evidence (sources)", "ja": "証拠(出典)"},
    "verdict.quote": {"en": "Quote from the first evidence source", "ja": "最初の証拠の出典からの引用"},
    "verdict.save": {"en": "Record the verdict", "ja": "判定を記録する"},
    "relation.heading": {"en": "Related claims", "ja": "関連する主張"},
    "relation.none": {"en": "No related claims recorded.", "ja": "関連する主張は記録されていません。"},
    "relation.out": {"en": "This claim {relation}", "ja": "この主張は次の主張と「{relation}」"},
    "relation.in": {"en": "{relation} this claim", "ja": "次の主張はこの主張と「{relation}」"},
    "relation.also_reported": {"en": {"one": "also reported as {n} other", "other": "also reported as {n} others"},
                               "ja": "他に {n} 件の同一の報道"},
    "relation.form": {"en": "Relate this claim to another", "ja": "この主張を他の主張に関連づける"},
    "relation.kind": {"en": "Relation", "ja": "関係"},
    "relation.other": {"en": "Other claim (id)", "ja": "相手の主張(ID)"},
    "relation.note": {"en": "Note (optional)", "ja": "メモ(任意)"},
    "relation.save": {"en": "Record the relation", "ja": "関係を記録する"},
    "relation.undo": {"en": "undo", "ja": "取り消す"},
    "dispute.counter_claim": {"en": "Counter-claim", "ja": "反対主張"},
    "dispute.counter_claim_en": {"en": "Counter-claim the party makes (English)", "ja": "当事者の反対主張(英語)"},
    "dispute.counter_claim_ja": {"en": "Counter-claim the party makes (Japanese)", "ja": "当事者の反対主張(日本語)"},
    "facet.date_from": {"en": "From", "ja": "開始"},
    "facet.date_to": {"en": "To", "ja": "終了"},
    "view.download_turtle": {"en": "Download as Turtle", "ja": "Turtle でダウンロード"},
    "view.show_sparql": {"en": "Show the SPARQL for this view", "ja": "この表示の SPARQL を見る"},
    "view.run_sparql": {"en": "Open in the query page", "ja": "クエリページで開く"},
    "view.json": {"en": "As JSON", "ja": "JSON で見る"},
    "claim.claimant": {"en": "Claimant", "ja": "主張者"},
    "claim.sourcing": {"en": "Sourcing", "ja": "情報の出どころ"},
    "claim.about": {"en": "About", "ja": "対象"},
    "claim.sources": {"en": "Sources", "ja": "出典"},
    "claim.date": {"en": "Made on", "ja": "主張の日付"},
    "claim.date_unknown": {"en": "date not given", "ja": "日付不明"},
    "claim.quote": {"en": "Quote", "ja": "引用"},
    "claim.note": {"en": "Analyst's note", "ja": "アナリストのメモ"},
    "quote.translated": {"en": "In translation: these are not the words the speaker used.",
                         "ja": "翻訳:発言者が使った言葉そのものではありません。"},
    "date.by_source": {"en": "the source's date: the article gives none of its own",
                       "ja": "出典の日付。記事に出来事自体の日付はない"},
    "date.by_recorded": {"en": "the date it was recorded: no other is known",
                         "ja": "記録した日付。ほかの日付は不明"},
    "claim.status": {"en": "Status", "ja": "状態"},
    "claim.story": {"en": "The story", "ja": "経緯"},
    "claim.made": {"en": "{who} makes the claim", "ja": "{who}が主張"},
    "claim.reported": {"en": "Reported in", "ja": "報道:"},
    "claim.dispute_by": {"en": "{party} {stance} it", "ja": "{party}が{stance}"},
    "claim.withdrawn": {"en": "withdrawn", "ja": "取り下げ済み"},
    "claim.status_timeline": {"en": "Status over time", "ja": "状態の推移"},
    "claim.status_from": {"en": "from {date}", "ja": "{date}から"},
    "claim.status_by_source": {"en": "by {date} (the source's date)", "ja": "{date}(出典の日付)までに"},
    "claim.status_by_recorded": {"en": "by {date} (when it was recorded)", "ja": "{date}(記録日)までに"},
    "claim.status_start": {"en": "at first", "ja": "当初"},
    "claim.provenance": {"en": "Provenance", "ja": "来歴"},
    "claim.recorded": {"en": "Recorded by {who} at {when}", "ja": "{who}が{when}に記録"},
    "claim.history": {"en": "History", "ja": "変更履歴"},
    "claim.version": {"en": "Version", "ja": "版"},
    "claim.action": {"en": "Change", "ja": "変更"},
    "claim.by": {"en": "By", "ja": "実施者"},
    "claim.when": {"en": "When", "ja": "日時"},
    "claim.changes": {"en": "Triples added / removed", "ja": "追加/削除されたトリプル"},
    "claim.add_dispute": {"en": "Record a dispute of this claim", "ja": "この主張への反論等を記録"},
    "claim.no_disputes": {"en": "No one has disputed this claim yet.", "ja": "この主張への反論等はまだありません。"},
    # review before publication (app/review.py)
    "nav.review": {"en": "Review", "ja": "審査"},
    "nav.review_counts": {"en": "{awaiting} awaiting · {sent} sent", "ja": "待ち {awaiting} · 送信 {sent}"},
    "nav.review_counts_title": {"en": "drafts awaiting your review · your drafts not yet published",
                                "ja": "あなたの審査を待つ下書き · 未公開のあなたの下書き"},
    "review.queue": {"en": "Review queue", "ja": "審査キュー"},
    "review.off": {"en": "Review is not required on this site (REVIEW_REQUIRED is off): writes publish at once.",
                   "ja": "このサイトでは審査は不要です(REVIEW_REQUIRED がオフ):書き込みはすぐに公開されます。"},
    "review.awaiting": {"en": "Awaiting your review", "ja": "あなたの審査待ち"},
    "review.none_awaiting": {"en": "Nothing awaits your review.", "ja": "審査待ちの下書きはありません。"},
    "review.sent": {"en": "Your drafts", "ja": "あなたの下書き"},
    "review.none_sent": {"en": "You have no open drafts.", "ja": "未公開の下書きはありません。"},
    "review.draft_no": {"en": "Draft", "ja": "下書き"},
    "review.what": {"en": "What", "ja": "内容"},
    "review.state": {"en": "State", "ja": "状態"},
    "review.author": {"en": "Author", "ja": "作成者"},
    "review.assignee": {"en": "Assigned to", "ja": "担当者"},
    "review.age": {"en": "Last change", "ja": "最終更新"},
    "review.age_min": {"en": "{n} min ago", "ja": "{n}分前"},
    "review.age_h": {"en": "{n} h ago", "ja": "{n}時間前"},
    "review.age_d": {"en": {"one": "{n} day ago", "other": "{n} days ago"}, "ja": "{n}日前"},
    "review.draft_mark": {"en": "draft", "ja": "下書き"},
    "review.kind.claim": {"en": "claim", "ja": "主張"},
    "review.kind.dispute": {"en": "dispute", "ja": "反論"},
    "review.kind.agent": {"en": "agent", "ja": "主体"},
    "review.kind.source": {"en": "source", "ja": "情報源"},
    "review.kind.topic": {"en": "topic", "ja": "トピック"},
    "review.kind.verdict": {"en": "verdict", "ja": "判定"},
    "review.kind.relation": {"en": "relation", "ja": "関係"},
    "review.new": {"en": "(new)", "ja": "(新規)"},
    "review.edit_of": {"en": "(edit of version {v})", "ja": "(第{v}版の編集)"},
    "review.changes": {"en": "(changes to the published version)", "ja": "(公開版からの変更)"},
    "review.state.draft": {"en": "draft", "ja": "下書き"},
    "review.state.in-review": {"en": "in review", "ja": "審査中"},
    "review.state.returned": {"en": "returned", "ja": "差し戻し"},
    "review.state.published": {"en": "published", "ja": "公開済み"},
    "review.draft_title": {"en": "Draft {n}", "ja": "下書き {n}"},
    "review.banner": {"en": "Not published: only analysts and admins see this until another analyst approves it.",
                      "ja": "未公開:別のアナリストが承認するまで、アナリストと管理者だけに表示されます。"},
    "review.banner_published": {"en": "This draft was approved and published.",
                                "ja": "この下書きは承認され、公開されました。"},
    "review.created": {"en": "Created", "ja": "作成日時"},
    "review.published_as": {"en": "Published as", "ja": "公開先"},
    "review.returned_with": {"en": "Returned with this comment:", "ja": "次のコメント付きで差し戻されました:"},
    # a record's fields by their YAML names (a draft's field table)
    "field.text": {"en": "Text", "ja": "テキスト"},
    "field.claimant": {"en": "Claimant", "ja": "主張者"},
    "field.about": {"en": "About", "ja": "対象"},
    "field.sources": {"en": "Sources", "ja": "出典"},
    "field.date": {"en": "Date", "ja": "日付"},
    "field.quote": {"en": "Quote", "ja": "引用"},
    "field.sourcing": {"en": "Sourcing", "ja": "伝聞の表現"},
    "field.note": {"en": "Note", "ja": "注記"},
    "field.claim": {"en": "Claim", "ja": "主張"},
    "field.party": {"en": "Party", "ja": "当事者"},
    "field.stance": {"en": "Stance", "ja": "立場"},
    "field.counter_claim": {"en": "Counter-claim", "ja": "反対主張"},
    "field.rating": {"en": "Rating", "ja": "評価"},
    "field.author": {"en": "Author", "ja": "作成者"},
    "field.relation": {"en": "Relation", "ja": "関係"},
    "field.headline": {"en": "Headline", "ja": "見出し"},
    "field.publisher": {"en": "Publisher", "ja": "発行元"},
    "field.published": {"en": "Published", "ja": "発行日"},
    "field.language": {"en": "Language", "ja": "言語"},
    "field.url": {"en": "Address", "ja": "URL"},
    "field.name": {"en": "Name", "ja": "名前"},
    "field.type": {"en": "Kind", "ja": "種別"},
    "field.label": {"en": "Label", "ja": "ラベル"},
    "field.withdrawn": {"en": "Withdrawn", "ja": "取り下げ"},
    "field.translation_of": {"en": "Translation of", "ja": "翻訳元"},
    "field.digest": {"en": "Digest (SHA-256)", "ja": "ダイジェスト(SHA-256)"},
    "field.same_as": {"en": "Same as", "ja": "同一"},
    "field.job_title": {"en": "Job title", "ja": "役職"},
    "field.works_for": {"en": "Works for", "ja": "所属"},
    "review.field": {"en": "Field", "ja": "項目"},
    "review.published": {"en": "Published", "ja": "公開版"},
    "review.in_draft": {"en": "In this draft", "ja": "この下書き"},
    "review.edit": {"en": "Change the claim's text", "ja": "主張の本文を変更"},
    "review.text_in": {"en": "Text ({lang})", "ja": "本文({lang})"},
    "review.save": {"en": "Save the draft", "ja": "下書きを保存"},
    "review.submit": {"en": "Send for review", "ja": "審査に送る"},
    "review.approve": {"en": "Approve and publish", "ja": "承認して公開"},
    "review.return_comment": {"en": "What should change (sent to the author)", "ja": "変更してほしい点(作成者に送られます)"},
    "review.return": {"en": "Return to the author", "ja": "作成者に差し戻す"},
    "review.assign_to": {"en": "Assign to", "ja": "担当者"},
    "review.assign": {"en": "Assign", "ja": "割り当てる"},
    "review.steps": {"en": "Steps", "ja": "経過"},
    "review.no_steps": {"en": "Not yet sent for review.", "ja": "まだ審査に送られていません。"},
    "review.step.submit": {"en": "{who} sent it for review", "ja": "{who} が審査に送りました"},
    "review.step.return": {"en": "{who} returned it", "ja": "{who} が差し戻しました"},
    "review.step.assign": {"en": "{who} assigned it to {to}", "ja": "{who} が {to} に割り当てました"},
    "review.step.approve": {"en": "{who} approved and published it", "ja": "{who} が承認し、公開しました"},
    "review.strip": {"en": "Drafts", "ja": "下書き"},
    "review.drafts_box": {"en": "Drafts awaiting publication", "ja": "公開待ちの下書き"},
    # comments, following, changes (app/follow.py)
    "nav.changes": {"en": "Changes", "ja": "変更"},
    "follow.follow": {"en": "Follow", "ja": "フォロー"},
    "follow.unfollow": {"en": "Unfollow", "ja": "フォロー解除"},
    "follow.feed": {"en": "Atom feed of changes", "ja": "変更のAtomフィード"},
    "comments.title": {"en": "Comments", "ja": "コメント"},
    "comments.none": {"en": "No comments yet.", "ja": "コメントはまだありません。"},
    "comments.private": {"en": "Seen by analysts only.", "ja": "アナリストだけに表示されます。"},
    "comments.add": {"en": "Add a comment", "ja": "コメントを追加"},
    "comments.post": {"en": "Post", "ja": "投稿"},
    "comments.edit": {"en": "Save the change", "ja": "変更を保存"},
    "comments.edit_open": {"en": "Edit", "ja": "編集"},
    "comments.withdraw": {"en": "Withdraw", "ja": "取り下げ"},
    "comments.edited": {"en": "edited", "ja": "編集済み"},
    "comments.withdrawn": {"en": "withdrawn", "ja": "取り下げ済み"},
    "comments.editable_until": {"en": "you can change it until {time}", "ja": "{time}まで変更できます"},
    "changes.title": {"en": "Changes in what you follow", "ja": "フォロー中の変更"},
    "changes.since": {"en": "Since your last visit ({time}), newest first.", "ja": "前回の訪問({time})以降、新しい順。"},
    "changes.all": {"en": "Everything since you followed, newest first.", "ja": "フォローしてからのすべての変更、新しい順。"},
    "changes.earlier": {"en": "Show everything since you followed", "ja": "フォローしてからの変更をすべて表示"},
    "changes.none": {"en": "Nothing has changed since then.", "ja": "それ以降の変更はありません。"},
    "changes.following": {"en": "You follow", "ja": "フォロー中"},
    "changes.follows_none": {"en": "You follow nothing yet: follow a claim, an agent, a topic or a source on its page.",
                             "ja": "まだ何もフォローしていません。主張・人物や組織・トピック・出典のページでフォローできます。"},
    "changes.by": {"en": "recorded by {who}", "ja": "記録:{who}"},
    "changes.feed_title": {"en": "ClaimKB: changes in {name}", "ja": "ClaimKB:{name}の変更"},
    "change.took": {"en": "{party} took a stance: {new}", "ja": "{party}が「{new}」の立場をとりました"},
    "change.moved": {"en": "{party} moved from {old} to {new}", "ja": "{party}の立場が「{old}」から「{new}」に変わりました"},
    "change.withdrew": {"en": "{party} withdrew its stance ({old})", "ja": "{party}が立場(「{old}」)を取り下げました"},
    "change.status": {"en": "Status changed from {old} to {new}", "ja": "状態が「{old}」から「{new}」に変わりました"},
    "change.verdict": {"en": "Verdict changed from {old} to {new}", "ja": "判定が「{old}」から「{new}」に変わりました"},
    "change.new_claim": {"en": "New claim", "ja": "新しい主張"},
    "change.text_captured": {"en": "The source's text was captured", "ja": "出典の本文が取り込まれました"},
    "change.text_changed": {"en": "The source's text changed", "ja": "出典の本文が変わりました"},
    "action.created": {"en": "created", "ja": "作成"},
    "action.updated": {"en": "updated", "ja": "更新"},
    "action.withdrawn": {"en": "withdrawn", "ja": "取り下げ"},
    "action.restored": {"en": "restored", "ja": "復元"},
    "agent.claims": {"en": "Claims made", "ja": "行った主張"},
    "agent.disputes": {"en": "Claims disputed, confirmed or qualified", "ja": "反論・確認・限定した主張"},
    "agent.about": {"en": "Claims about this party", "ja": "この当事者についての主張"},
    "agent.job_title": {"en": "Role", "ja": "役職"},
    "agent.works_for": {"en": "Works for", "ja": "所属"},
    "agent.same_as": {"en": "Same as", "ja": "同一の実体"},
    "agent.none": {"en": "None recorded.", "ja": "記録はありません。"},
    "story.more": {"en": "The newest {shown} of {n} are shown: see them all in the claim list →",
                   "ja": "{n} 件のうち新しい {shown} 件を表示しています。主張一覧ですべて見る →"},
    "source.publisher": {"en": "Publisher", "ja": "発行元"},
    "source.author": {"en": "Author", "ja": "著者"},
    "source.published": {"en": "Published", "ja": "発行日"},
    "source.language": {"en": "Language", "ja": "言語"},
    "source.claims": {"en": "Claims that appear in it", "ja": "掲載されている主張"},
    "source.translation_of": {"en": "Translation of", "ja": "翻訳元"},
    "source.note": {"en": "Analyst's note", "ja": "アナリストのメモ"},
    # the reader page and capturing a source's text (issue 13)
    "reader.text": {"en": "The text", "ja": "本文"},
    "reader.captured": {"en": "Captured {when}", "ja": "{when} に取得"},
    "reader.digest": {"en": "SHA-256", "ja": "SHA-256"},
    "reader.no_text": {"en": "This source keeps no text: quotes of it are not verified.",
                       "ja": "この出典には本文が保存されていないため、引用は検証されていません。"},
    "reader.capture_text": {"en": "Capture its text", "ja": "本文を取得する"},
    "reader.hint": {"en": "Select words in the text (with the mouse or the keyboard) to quote them.",
                    "ja": "本文の語句を(マウスまたはキーボードで)選択すると引用できます。"},
    "reader.record_claim": {"en": "Record a claim with this quote", "ja": "この引用で主張を記録"},
    "reader.add_dispute": {"en": "Add a dispute with this quote", "ja": "この引用で反論等を追加"},
    "reader.dispute_claim": {"en": "the claim disputed", "ja": "反論等の対象となる主張"},
    "reader.quotes": {"en": {"one": "{n} quote of this source", "other": "{n} quotes of this source"},
                      "ja": "この出典からの引用 {n} 件"},
    "reader.no_quotes": {"en": "Nothing quotes this source yet.", "ja": "この出典からの引用はまだありません。"},
    "reader.dispute_by": {"en": "dispute by {party}", "ja": "{party} による反論等"},
    "reader.unverified": {"en": "unverified: the source keeps no text", "ja": "未検証:出典に本文がありません"},
    "reader.verified": {"en": "found in the text", "ja": "本文で確認済み"},
    "reader.stale": {"en": "Quotes no longer in the text", "ja": "本文に見当たらなくなった引用"},
    "reader.stale_note": {"en": "The text was captured again and these words are no longer in it.",
                          "ja": "本文が再取得され、これらの語句は本文に見当たりません。"},
    "reader.changed": {"en": {"one": "changed since it was first captured: {n} character",
                              "other": "changed since it was first captured: {n} characters"},
                       "ja": "最初の取得以降に変更あり:{n} 文字"},
    "reader.difference": {"en": "The difference", "ja": "差分"},
    "capture.title": {"en": "Capture a source", "ja": "出典を取得"},
    "capture.text": {"en": "The article's text (paste it)", "ja": "記事の本文(貼り付け)"},
    "capture.file": {"en": "or a file: plain text or a saved web page (.txt, .html)",
                     "ja": "またはファイル:テキストまたは保存したウェブページ(.txt、.html)"},
    "capture.fetch": {"en": "or fetch it from its address", "ja": "またはURLから取得"},
    "capture.id": {"en": "Id (optional)", "ja": "ID(省略可)"},
    "capture.save": {"en": "Capture", "ja": "取得"},
    "capture.preview": {"en": "Fetch or read it, and fill the form in", "ja": "取得してフォームに入力"},
    "capture.found": {"en": "The page names its author {author} and its publisher {publisher}: choose them above.",
                      "ja": "ページには著者 {author}、発行元 {publisher} とあります。上で選んでください。"},
    "recapture.title": {"en": "Capture again", "ja": "再取得"},
    "recapture.help": {"en": "The text as captured now: a new version of the source when it differs; "
                             "the earlier text stays in its history.",
                       "ja": "取得し直した本文。異なる場合は出典の新しい版になり、以前の本文は履歴に残ります。"},
    "recapture.fetch": {"en": "fetch it again from {url}", "ja": "{url} から取得し直す"},
    "capture.new": {"en": "Capture a source", "ja": "出典を取得"},
    "form.quote_from": {"en": "From {source}, characters {start}–{end}", "ja": "{source} の {start}–{end} 文字目"},
    "topic.claims": {"en": "Claims about this topic", "ja": "この話題についての主張"},
    "form.claim_title": {"en": "Record a claim", "ja": "主張を記録する"},
    "form.dispute_title": {"en": "Record a dispute", "ja": "反論等を記録する"},
    "form.text": {"en": "Text", "ja": "テキスト"},
    "form.agents_group": {"en": "People and organisations", "ja": "人物・組織"},
    "form.topics_group": {"en": "Topics", "ja": "話題"},
    "form.text_en": {"en": "Text in English", "ja": "英語のテキスト"},
    "form.text_ja": {"en": "Text in Japanese", "ja": "日本語のテキスト"},
    "form.text_help": {"en": "At least one language.", "ja": "少なくとも一つの言語で。"},
    "form.claimant": {"en": "Claimant", "ja": "主張者"},
    "form.party": {"en": "Disputing party", "ja": "反論等をした当事者"},
    "form.stance": {"en": "Stance", "ja": "立場"},
    "form.sourcing": {"en": "Sourcing (e.g. reportedly, suggested, apparently)",
                      "ja": "情報の出どころ(例: reportedly=報道によると、suggested=示唆、apparently=推測)"},
    "form.about": {"en": "About", "ja": "対象"},
    "form.sources": {"en": "Sources (the first one chosen is the one quoted)", "ja": "出典(引用は最初に選んだ出典から)"},
    "form.date": {"en": "Date (YYYY-MM-DD, YYYY-MM or YYYY)", "ja": "日付(YYYY-MM-DD、YYYY-MM、YYYY)"},
    "form.quote": {"en": "Verbatim quote from the first source", "ja": "最初の出典からの逐語引用"},
    "form.choose": {"en": "— choose —", "ja": "— 選択 —"},
    "form.or_new_agent": {"en": "…or add a new person or organisation", "ja": "…または人物・組織を新規追加"},
    "form.or_new_source": {"en": "…or add a new source", "ja": "…または出典を新規追加"},
    "form.new_name_en": {"en": "Name in English", "ja": "英語の名前"},
    "form.new_name_ja": {"en": "Name in Japanese", "ja": "日本語の名前"},
    "form.new_type": {"en": "Kind", "ja": "種別"},
    "form.person": {"en": "Person", "ja": "人物"},
    "form.organization": {"en": "Organisation", "ja": "組織"},
    "form.headline": {"en": "Headline", "ja": "見出し"},
    "form.publisher": {"en": "Publisher", "ja": "発行元"},
    "form.published": {"en": "Published (YYYY-MM-DD, YYYY-MM or YYYY)", "ja": "発行日(YYYY-MM-DD、YYYY-MM、YYYY)"},
    "form.source_language": {"en": "Language of the source (en, ja…)", "ja": "出典の言語(en、ja など)"},
    "form.url": {"en": "Address (http or https)", "ja": "URL(http または https)"},
    "form.save": {"en": "Save", "ja": "保存"},
    "form.problems": {"en": {"one": "Nothing was saved: {n} problem, shown beside its field.",
                             "other": "Nothing was saved: {n} problems, shown beside their fields."},
                      "ja": "保存されていません。{n} 件の問題があります(各欄に表示)。"},
    "form.saved": {"en": "Saved.", "ja": "保存しました。"},
    "form.for_claim": {"en": "Of the claim", "ja": "対象の主張"},
    "nav.admin": {"en": "Accounts", "ja": "アカウント"},
    "nav.import": {"en": "Import", "ja": "インポート"},
    "import.title": {"en": "Import claims", "ja": "主張のインポート"},
    "import.intro": {"en": "A YAML file in ClaimKB's import format, ClaimKB's JSON-LD, or fact-checkers' ClaimReview "
                             "JSON-LD (one review, a list, or a DataFeed). The file is checked whole: either all of it "
                             "is recorded, or nothing is.",
                     "ja": "ClaimKBのインポート形式のYAML、ClaimKBのJSON-LD、またはファクトチェック機関のClaimReview JSON-LD"
                           "(1件、リスト、DataFeed)。ファイル全体を検証し、すべてを記録するか、何も記録しません。"},
    "import.file": {"en": "File", "ja": "ファイル"},
    "import.submit": {"en": "Import", "ja": "インポート"},
    "import.done": {"en": "Imported {name}.", "ja": "{name} をインポートしました。"},
    "import.created": {"en": "Created", "ja": "作成"},
    "import.updated": {"en": "Updated", "ja": "更新"},
    "import.unchanged": {"en": "Unchanged", "ja": "変更なし"},
    "import.nothing": {"en": "Nothing was recorded.", "ja": "何も記録されていません。"},
    "admin.title": {"en": "Accounts", "ja": "アカウント"},
    "admin.intro": {"en": "Who may sign in, and as what. API tokens are made with kb user token NAME.",
                    "ja": "サインインできる人とその役割。APIトークンは kb user token NAME で作成します。"},
    "admin.name": {"en": "User name", "ja": "ユーザー名"},
    "admin.role": {"en": "Role", "ja": "役割"},
    "admin.password": {"en": "Password (8 characters or more)", "ja": "パスワード(8文字以上)"},
    "admin.add": {"en": "Add the account", "ja": "アカウントを追加"},
    "admin.delete": {"en": "Delete", "ja": "削除"},
    "admin.you": {"en": "you", "ja": "あなた"},
    "login.title": {"en": "Sign in", "ja": "サインイン"},
    "login.name": {"en": "User name", "ja": "ユーザー名"},
    "login.password": {"en": "Password", "ja": "パスワード"},
    "login.button": {"en": "Sign in", "ja": "サインイン"},
    "login.failed": {"en": "The user name or password is wrong.", "ja": "ユーザー名またはパスワードが違います。"},
    "login.needed": {"en": "Sign in as an analyst to record claims and disputes.",
                     "ja": "主張や反論等を記録するには、アナリストとしてサインインしてください。"},
    "query.title": {"en": "SPARQL query", "ja": "SPARQL クエリ"},
    "query.examples": {"en": "Example queries", "ja": "クエリの例"},
    "query.run": {"en": "Run", "ja": "実行"},
    "query.results": {"en": "Results", "ja": "結果"},
    "query.rows": {"en": {"one": "{n} row", "other": "{n} rows"}, "ja": "{n} 行"},
    "query.partial": {"en": "Partial result: only the first {n} are shown; the query has more. "
                            "Narrow it down (e.g. with LIMIT or more patterns) to see the rest.",
                      "ja": "部分的な結果です:最初の {n} 件のみ表示しています(続きがあります)。"
                            "残りを見るにはクエリを絞り込んでください(LIMIT やパターンの追加など)。"},
    "query.download": {"en": "Download", "ja": "ダウンロード"},
    "query.boolean": {"en": "Answer: {v}", "ja": "答え: {v}"},
    "query.endpoint": {"en": "Endpoint for your own tools: {url} (SPARQL 1.1 Protocol, read-only)",
                       "ja": "ツールから使うエンドポイント: {url}(SPARQL 1.1 プロトコル、読み取り専用)"},
    "query.graph": {"en": {"one": "{n} triple", "other": "{n} triples"}, "ja": "{n} トリプル"},
    "nav.timeline": {"en": "Timeline", "ja": "時系列"},
    "nav.network": {"en": "Who disputes whom", "ja": "反論の関係図"},
    "pic.claim_timeline": {"en": "Timeline", "ja": "時系列"},
    "pic.claim_timeline_of": {"en": "Timeline of: {claim}", "ja": "時系列: {claim}"},
    "pic.story_title": {"en": "Story timeline", "ja": "ストーリーの時系列"},
    "pic.network_title": {"en": "Who disputes whom", "ja": "誰が誰に反論しているか"},
    "pic.network_counts": {"en": "{nodes}, {disputes}", "ja": "{nodes}、{disputes}"},
    "pic.showing": {"en": {"one": "{shown} of {n} claim", "other": "{shown} of {n} claims"},
                    "ja": "{n} 件中 {shown} 件の主張"},
    "pic.truncated": {"en": "Showing the most recent {shown} of {total} claims: narrow by date or search to see "
                            "the others, or show up to {max}.",
                      "ja": "{total} 件中、最新の {shown} 件を表示しています。他の主張は期間や検索で絞り込むか、"
                            "最大 {max} 件まで表示できます。"},
    "pic.limit": {"en": "claims shown", "ja": "表示件数"},
    "pic.as_list": {"en": "the same claims as a list", "ja": "同じ主張を一覧で見る"},
    "pic.no_dates": {"en": "No dated events to draw.", "ja": "描ける日付付きの出来事がありません。"},
    "pic.no_disputes": {"en": "No disputes match.", "ja": "該当する反論等はありません。"},
    "pic.edge_claims": {"en": "makes the claim", "ja": "主張した"},
    "pic.edge_party": {"en": {"one": "{n} dispute of this claimant's claims",
                              "other": "{n} disputes of this claimant's claims"},
                       "ja": "この主張者の主張への反論等 {n} 件"},
    "pic.appeared": {"en": "appeared in a source / made", "ja": "出典に掲載・主張"},
    "pic.band": {"en": "status band", "ja": "状態の帯"},
    "pic.spans": {"en": "a bar spans the month or year a source gives; a dot is a day",
                  "ja": "棒は出典が示す月・年の幅、点は日付"},
    "pic.party": {"en": "party (size: disputes made)", "ja": "当事者(大きさ: 反論等の数)"},
    "pic.claim": {"en": "claim (colour: status)", "ja": "主張(色: 状態)"},
    "pic.download_json": {"en": "Data (JSON)", "ja": "データ(JSON)"},
    "pic.download_svg": {"en": "Image (SVG)", "ja": "画像(SVG)"},
    "pic.aggregated": {"en": "Too many to draw one by one: parties are joined to the claimants they dispute, "
                             "line width by count.",
                       "ja": "個別に描くには多すぎるため、当事者と反論先の主張者を結び、線の太さで件数を示しています。"},
    "pic.folded": {"en": {"one": "The {n} party or claimant in fewest disputes is drawn as one node.",
                          "other": "The {n} parties and claimants in fewest disputes are drawn as one node."},
                   "ja": "反論等の少ない当事者・主張者 {n} 件は一つのノードにまとめています。"},
    "pic.busiest": {"en": "Busiest stories", "ja": "動きの多いストーリー"},
    "pic.busiest_counts": {"en": "{claims}, {disputes}", "ja": "{claims}、{disputes}"},
    "error.title": {"en": "Error {status}", "ja": "エラー {status}"},
    "error.400": {"en": "The request could not be understood", "ja": "リクエストを理解できません"},
    "error.401": {"en": "Sign in first", "ja": "サインインが必要です"},
    "error.403": {"en": "Not allowed", "ja": "許可されていません"},
    "error.404": {"en": "Not found", "ja": "見つかりません"},
    "error.409": {"en": "Edit conflict", "ja": "編集の競合"},
    "error.413": {"en": "Too large", "ja": "大きすぎます"},
    "error.422": {"en": "The data is not valid", "ja": "データが不正です"},
    "error.500": {"en": "Something went wrong on our side", "ja": "サーバー側で問題が発生しました"},
    "error.back": {"en": "Back to the claims", "ja": "主張一覧に戻る"},
}

EXAMPLE_TITLES = {
    "disputed-by-party": {"en": "Disputed claims, by disputing party", "ja": "反論された主張(当事者別)"},
    "about-entity": {"en": "Claims about Microsoft, with their status", "ja": "マイクロソフトについての主張と状態"},
    "who-denies-most": {"en": "Who denies or disputes most", "ja": "最も多く否定・反論している当事者"},
    "never-confirmed": {"en": "Reported but never confirmed", "ja": "報道されたが確認されていない主張"},
    "story-timeline": {"en": "The timeline of one story (the data-centre deals)",
                       "ja": "一つの話の時系列(データセンター契約)"},
    "false-not-disputed": {"en": "Rated false, but disputed by nobody", "ja": "誤りと判定されたが誰も反論していない主張"},
    "self-contradictions": {"en": "Contradicting claims by the same party", "ja": "同じ当事者による矛盾する主張"},
}

bp = Blueprint("i18n", __name__)


def lang() -> str:
    """The reader's language (chosen before each request). Asked ~90 times a claim page: read from
    the app context directly, not through Flask's ``g`` proxy (a third of the cost)."""
    ctx = _cv_app.get(None)
    return (ctx.g if ctx is not None else g).get("lang", "en")


def translate(key: str, **kw) -> str:
    """The interface text ``key`` in the reader's language, filled with ``kw``; a text with
    plural forms takes the one its ``n`` asks for in that language."""
    entry = MESSAGES.get(key)
    if entry is None:
        if current_app.testing:
            raise KeyError(f"no interface text {key!r}")
        return key
    code = lang()
    text = entry[code]
    if isinstance(text, dict):
        n = kw.get("n")
        if not isinstance(n, int) and current_app.testing:
            raise KeyError(f"interface text {key!r} counts: give it n")
        text = text.get(PLURAL[code](n)) or text["other"]
    return text.format(**kw) if kw else text


# where a phrase may end: after a space or punctuation, or (Japanese writes no spaces) after
# kana that end a phrase (a particle or an inflection) when something else follows
_PUNCT = set(" \t\n、。,.;:!?)]」』】・")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")


def shorten(value: str, width: int) -> str:
    """``value`` in at most ``width`` characters: cut where a word or phrase ends (never inside
    a word when one ends in the second half), marked with an ellipsis."""
    value = str(value or "")
    if len(value) <= width:
        return value
    room = max(1, width - 1)
    best = 0
    for i in range(1, room + 1):
        before, after = value[i - 1], value[i]
        if before in _PUNCT or after.isspace() or (_HIRAGANA.match(before) and not _HIRAGANA.match(after)):
            best = i
    cut = value[:best] if best >= room / 2 else value[:room]
    return cut.rstrip(" 、,;:・") + "…"


def pick(texts: dict | None) -> tuple[str, str | None, bool]:
    """(text, its language, whether it is a fallback) for a language map."""
    if not texts:
        return "", None, False
    want = lang()
    if want in texts:
        return texts[want], want, False
    for code in LANGS + tuple(sorted(texts)):
        if code in texts:
            return texts[code], code or None, True
    return "", None, False


def text(texts: dict | None) -> Markup:
    """A data text in the chosen language, with a visible marker when it falls back."""
    value, code, fallback = pick(texts)
    attr = f' lang="{escape(code)}"' if code else ""
    out = f"<span{attr}>{escape(value)}</span>"
    if fallback:
        title = translate("lang.fallback", lang=LANG_NAMES.get(code, code))
        out += f' <abbr class="fallback" title="{escape(title)}">{escape(code or "?")}</abbr>'
    return Markup(out)


def plain(texts: dict | None) -> str:
    return pick(texts)[0]


def label(scheme: str, name: str | None) -> str:
    if not name:
        return ""
    if scheme in ("rating", "relation"):  # the analysts' schemes: verdict ratings, relations between claims
        k = get_kb()
        labels = (k.verdicts.scheme() if scheme == "rating" else k.relations.names()).get(name, {}).get("label", {})
    else:
        labels = get_kb().scheme_labels()[scheme].get(name, {})
    return labels.get(lang()) or labels.get("en") or name


def _choose():
    code = request.args.get("lang")
    if code not in LANGS:
        code = request.cookies.get("lang")
    if code not in LANGS:
        code = request.accept_languages.best_match(LANGS) or "en"
    g.lang = code


@bp.get("/lang/<code>")
def switch(code):
    """Remember the language in a cookie, and go back where the user was."""
    nxt = request.args.get("next") or "/"
    parts = urlsplit(nxt)
    if parts.scheme or parts.netloc or not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"  # never redirect off the site
    resp = redirect(nxt)
    if code in LANGS:
        resp.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return resp


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(_choose)

    # functions are globals, so macros imported into templates have them too
    app.jinja_env.globals.update({"_": translate, "text": text, "plain": plain, "label": label,
                                  "LANGS": LANGS, "LANG_NAMES": LANG_NAMES, "messages": MESSAGES})
    app.jinja_env.filters["shorten"] = shorten

    @app.context_processor
    def helpers():
        return {"lang": lang()}
