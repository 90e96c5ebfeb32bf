#!/usr/bin/env python3
"""Parses Prometheus text exposition from stdin with prometheus_client's own parser (an
independent check of Feedwatch's /metrics) and prints every sample as JSON:
[{"name": ..., "labels": {...}, "value": ...}, ...] plus the families' types.

Exits 3 when prometheus_client is not installed (the test then says it is skipped), 1 when the
text does not parse."""
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    print("prometheus_client is not installed: %s" % e, file=sys.stderr)
    sys.exit(3)

text = sys.stdin.read()
samples, types = [], {}
try:
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            samples.append({"name": s.name, "labels": dict(s.labels), "value": s.value})
except Exception as e:  # the parser raises ValueError and others on malformed text
    print("does not parse: %r" % e, file=sys.stderr)
    sys.exit(1)
print(json.dumps({"samples": samples, "types": types}))
