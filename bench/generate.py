"""Synthetic knowledge bases shaped like the seed article, at any size.

Claims with Japanese and English text (about 30% disputed, some twice),
sources from a few publishers, agents and topics, dates at day, month and
year precision. Deterministic for a given size and seed.

    python bench/generate.py --claims 10000 -o /tmp/kb-10k.yaml
"""

from __future__ import annotations

import argparse
import random

import yaml

SUBJECTS_EN = ["Microsoft", "OpenAI", "Google", "Anthropic", "Nvidia", "Meta", "Amazon", "SoftBank", "Oracle",
               "Salesforce"]
SUBJECTS_JA = ["マイクロソフト", "OpenAI", "グーグル", "アンソロピック", "エヌビディア", "メタ", "アマゾン", "ソフトバンク",
               "オラクル", "セールスフォース"]
VERBS = [("plans to build its own AI chips", "独自のAIチップを構築する計画だ"),
         ("walked away from a data-centre deal", "データセンター契約を破棄した"),
         ("is renegotiating its partnership", "パートナーシップを再交渉している"),
         ("will invest heavily in compute", "計算資源に多額の投資を行う"),
         ("blocked a for-profit restructuring", "営利企業への移行を阻止した"),
         ("is testing third-party models", "サードパーティのモデルをテストしている"),
         ("lost its exclusive cloud deal", "独占的なクラウド契約を失った"),
         ("hired a frontier-model team", "フロンティアモデルのチームを雇った")]
STANCES = ["denies", "disputes", "qualifies", "confirms", "retracts"]
STANCE_WEIGHTS = [40, 30, 15, 12, 3]


def generate(n: int, seed: int = 1, claims_only: str | None = None) -> dict:
    """A document of ``n`` claims; with ``claims_only`` (an id prefix), only
    claims, which name the agents and sources a full document of the same size has."""
    rnd = random.Random(seed)
    n_agents = max(20, n // 50)
    n_topics = max(10, n // 200)
    n_sources = max(5, n // 20)
    # the first ten organisations carry the plain names (Microsoft, OpenAI…), as in the seed
    agents = [{"id": f"org-{i}", "type": "Organization",
               "name": {"en": SUBJECTS_EN[i], "ja": SUBJECTS_JA[i]} if i < 10 else
               {"en": f"{SUBJECTS_EN[i % 10]} unit {i}", "ja": f"{SUBJECTS_JA[i % 10]} 部門{i}"}}
              for i in range(n_agents // 2)]
    agents += [{"id": f"person-{i}", "type": "Person",
                "name": {"en": f"Analyst Person {i}", "ja": f"人物{i}"}, "works_for": f"org-{i % (n_agents // 2)}"}
               for i in range(n_agents - n_agents // 2)]
    publishers = [a["id"] for a in agents[:8]]
    topics = [{"id": f"topic-{i}", "label": {"en": f"{SUBJECTS_EN[i % 10]} story {i}", "ja": f"{SUBJECTS_JA[i % 10]}の話題{i}"}}
              for i in range(n_topics)]
    topics[0]["label"] = {"en": "Microsoft's data-centre deals", "ja": "マイクロソフトのデータセンター契約"}
    sources = []
    for i in range(n_sources):
        y, m = 2023 + i % 3, 1 + i % 12
        sources.append({"id": f"source-{i}", "type": "NewsArticle",
                        "headline": {"ja": f"{SUBJECTS_JA[i % 10]}に関する記事 {i}", "en": f"Article {i} on {SUBJECTS_EN[i % 10]}"},
                        "publisher": publishers[i % len(publishers)], "published": f"{y}-{m:02d}",
                        "language": "ja" if i % 3 else "en", "url": f"https://news.example/{i}"})
    claims = []
    for i in range(n):
        s = i % 10
        v_en, v_ja = VERBS[rnd.randrange(len(VERBS))]
        src = sources[rnd.randrange(n_sources)]
        precision = rnd.random()
        date = src["published"] + (f"-{1 + i % 28:02d}" if precision < 0.5 else "") if precision < 0.9 else src["published"][:4]
        claim = {"id": f"{claims_only or 'claim'}-{i}",
                 "text": {"en": f"{SUBJECTS_EN[s]} {v_en} (report {i}).", "ja": f"{SUBJECTS_JA[s]}は{v_ja}(報道{i})。"},
                 "claimant": agents[rnd.randrange(len(agents))]["id"],
                 "about": sorted({agents[s % (n_agents // 2)]["id"], topics[rnd.randrange(n_topics)]["id"]}),
                 "sources": [src["id"]], "date": date,
                 "quote": {"source": src["id"], "exact": f"{SUBJECTS_JA[s]}は{v_ja}"}}
        if rnd.random() < 0.1:
            claim["sourcing"] = "reportedly"
        if rnd.random() < 0.3:
            disputes = []
            for _ in range(1 if rnd.random() < 0.8 else 2):
                party = agents[rnd.randrange(len(agents))]["id"]
                stance = rnd.choices(STANCES, STANCE_WEIGHTS)[0]
                if stance == "retracts":
                    party = claim["claimant"]
                d = {"party": party, "stance": stance, "text": {"en": f"{stance} the report {i}", "ja": f"報道{i}に対する{stance}"},
                     "sources": [sources[rnd.randrange(n_sources)]["id"]]}
                if rnd.random() < 0.5:
                    d["date"] = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
                if all((x["party"], x["stance"]) != (party, stance) for x in disputes):
                    disputes.append(d)
            claim["disputes"] = disputes
        claims.append(claim)
    if claims_only:
        return {"claims": claims}
    return {"agents": agents, "topics": topics, "sources": sources, "claims": claims}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    with open(args.output, "w") as f:
        yaml.safe_dump(generate(args.claims, args.seed), f, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    main()
