#!/usr/bin/env python3
"""Parse the corpus written by `vigie bench ingest --corpus DIR` with the `feedparser`
package (parse only: no normalisation, dedupe, matching or storage), and print items/s.
This is the reference `vigie bench ingest` is compared with in docs/BENCHMARKS.md."""
import json
import pathlib
import resource
import sys
import time

import feedparser


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: feedparser_parse.py CORPUS_DIR", file=sys.stderr)
        return 2
    files = sorted(pathlib.Path(sys.argv[1]).glob("feed-*.xml"))
    if not files:
        print(f"no feed-*.xml in {sys.argv[1]}", file=sys.stderr)
        return 1
    bodies = [f.read_bytes() for f in files]
    start = time.perf_counter()
    items = 0
    for body in bodies:
        items += len(feedparser.parse(body).entries)
    secs = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"feeds": len(files), "items": items, "seconds": secs,
                      "items_per_sec": items / secs, "peak_rss_mib": peak_mib,
                      "feedparser": feedparser.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
