"""A whole meeting through the JSON API, with `requests` and API tokens only (docs/api.md).

The secretariat (a staff member's token, FORUM_TOKEN) creates the meeting, accredits its
participants, loads and opens the draft, validates and circulates the amendments, keeps the
attendance register and exports the result. Each delegate acts with their own token — listed in
FORUM_TOKENS, a file of `email<TAB>token` lines as printed by

    flask --app wsgi forum create-token amina.diallo@example.org lucas.moreau@example.org ...

(the accounts must exist: from an earlier meeting, or created by this script's import and then
given tokens). The Chair presides: opens the sitting, puts an amendment to a weighted record vote,
closes it and declares the decisions. Nothing is decided by the software: every decision below is
the Chair's, recorded as such.

    FORUM_URL=http://127.0.0.1:5000 FORUM_TOKEN=tf_... FORUM_TOKENS=tokens.tsv python docs/api_example.py

The test suite runs this script against a live server (tests/api/test_api_docs_example.py).
"""

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

BASE = os.environ.get("FORUM_URL", "http://127.0.0.1:5000") + "/api/v1"
EXPORT_DIR = Path(os.environ.get("FORUM_EXPORT_DIR", "exports"))
SUFFIX = os.environ.get("FORUM_EXAMPLE_SUFFIX", datetime.now(UTC).strftime("%Y%m%d%H%M%S"))

PARTICIPANTS = """email,name,group,capacity,member_state,regional_groups,membership,roles
amina.diallo@example.org,Amina Diallo,government,delegate,SN,AFRICA,,chair
lucas.moreau@example.org,Lucas Moreau,government,delegate,FR,EUROPE;IMEC;EU,,
wanjiru.kamau@example.org,Wanjiru Kamau,government,delegate,KE,AFRICA,,
jin.park@example.org,Jin Park,employer,delegate,,,,spokesperson
sofia.rossi@example.org,Sofia Rossi,employer,delegate,,,,
rosa.quispe@example.org,Rosa Quispe,worker,delegate,,,,spokesperson
omar.haddad@example.org,Omar Haddad,worker,delegate,,,,
"""


def session(token):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token
    return s


def check(response):
    """The JSON answer (or the raw bytes of a file), or stop with the API's error object."""
    if response.status_code >= 400:
        error = response.json()["error"]
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {error['code']}: "
                         f"{error['message']} {error.get('fields', '')}")
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return response.content
    return response.json() if response.content else None


secretariat = session(os.environ["FORUM_TOKEN"])
tokens = dict(line.split("\t") for line in Path(os.environ["FORUM_TOKENS"]).read_text().split("\n") if "\t" in line)
people = {email.split(".")[0]: session(token.strip()) for email, token in tokens.items()}
chair, france, kenya = people["amina"], people["lucas"], people["wanjiru"]
employers, workers = people["jin"], people["rosa"]

# 1. The meeting: a committee whose votes need a quorum of half the voting members.
meeting = check(secretariat.post(f"{BASE}/meetings", json={
    "title": "Tripartite Meeting on Decent Work in Port Logistics", "symbol_prefix": f"TMDWPL/{SUFFIX}",
    "languages": ["en", "fr"], "time_zone": "Europe/Zurich", "weighting": "equal_strength", "quorum": 0.5,
}, headers={"Idempotency-Key": f"meeting-{SUFFIX}"}))
m = meeting["id"]
print("meeting", m, meeting["symbol_prefix"], "quorum", meeting["quorum"])

# 2. Accreditation (atomic: one bad row and nothing is imported).
report = check(secretariat.post(f"{BASE}/meetings/{m}/participants/import", data=PARTICIPANTS.encode(),
                                headers={"Content-Type": "text/csv"}))
print("accredited", report["created"] + report["updated"])
roster = check(secretariat.get(f"{BASE}/meetings/{m}/participants", params={"per_page": 100}))["items"]
pid = {p["user"]["email"].split(".")[0]: p["id"] for p in roster}

# 3. The draft: parts, paragraphs, sub-paragraphs; opened for amendments (labels are stable from now on).
draft = check(secretariat.post(f"{BASE}/meetings/{m}/drafts", json={
    "title": "Draft conclusions", "symbol": f"TMDWPL/{SUFFIX}/D.1", "language": "en",
    "preamble": "The Tripartite Meeting on Decent Work in Port Logistics adopts the following conclusions:",
    "parts": [
        {"title": "Guiding principles", "paragraphs": [
            {"text": "Port logistics depends on the safety and skills of its workforce."},
            {"text": "Governments should ratify the relevant international labour standards."}]},
        {"title": "Priorities for action", "paragraphs": [
            {"text": "The social partners should engage in social dialogue on automation.",
             "subparagraphs": [{"text": "training for new equipment;"}, {"text": "occupational safety."}]}]},
    ]}))
d = draft["id"]
check(secretariat.post(f"{BASE}/drafts/{d}/open"))
paragraph = {p["label"]: p for p in draft["paragraphs"]}
check(secretariat.put(f"{BASE}/drafts/{d}/texts/fr", json={"paragraphs": [
    {"id": paragraph["1"]["id"], "text": "La logistique portuaire dépend de la sécurité et des compétences de "
                                         "ses travailleurs."}]}))
print("draft", draft["symbol"], "paragraphs", ", ".join(p["label"] for p in draft["paragraphs"]))

# 4. Amendments: Kenya's (a single State: it needs a seconder) and the Employers' (a group's: seconded).
kenya_amendment = check(kenya.post(f"{BASE}/paragraphs/{paragraph['2']['id']}/amendments", json={
    "kind": "modify", "language": "en", "explanation": "Name the standards that matter most to ports.",
    "text": "Governments should ratify the Occupational Safety and Health (Dock Work) Convention, 1979 (No. 152).",
}, headers={"Idempotency-Key": str(uuid.uuid4())}))
employers_amendment = check(employers.post(f"{BASE}/paragraphs/{paragraph['3(b)']['id']}/amendments", json={
    "kind": "delete", "language": "en", "explanation": "Covered by paragraph 1."}))
for a in (kenya_amendment, employers_amendment):
    check(secretariat.post(f"{BASE}/amendments/{a['id']}/validate"))
compilation = check(secretariat.post(f"{BASE}/drafts/{d}/circulate"))
print("compilation", compilation["number"], ":", ", ".join(a["label"] for a in compilation["amendments"]))
check(france.post(f"{BASE}/amendments/{kenya_amendment['id']}/second"))

# 5. Positions of the groups and Government statements (each attributed to its State, never summed).
on_kenya = f"{BASE}/items/amendment/{kenya_amendment['id']}"
check(workers.put(f"{on_kenya}/positions/worker", json={"stance": "support", "statement": "Dock work is dangerous."}))
check(employers.put(f"{on_kenya}/positions/employer", json={"stance": "oppose"}))
check(kenya.post(f"{on_kenya}/statements", json={"stance": "support", "text": "Convention No. 152 is the reference."}))
check(france.post(f"{on_kenya}/statements", json={"stance": "support"}))

# 6. The sitting: live on the draft, opened by the Chair, with its attendance register.
sitting = check(secretariat.post(f"{BASE}/meetings/{m}/sittings", json={
    "title": "First sitting", "starts_at": datetime.now(UTC).isoformat(), "draft_id": d}))
s = sitting["id"]
check(chair.post(f"{BASE}/sittings/{s}/commands", json={"command": "open"}))
check(secretariat.put(f"{BASE}/sittings/{s}/attendance", json={
    "member_states": ["SN", "FR", "KE"], "participant_ids": [pid[n] for n in ("jin", "sofia", "rosa", "omar")]}))
check(chair.post(f"{BASE}/sittings/{s}/commands", json={
    "command": "set_item", "item": {"kind": "amendment", "id": kenya_amendment["id"]}}))

# 7. A weighted record vote on Kenya's amendment (rule 31: each group's votes weigh the same in all).
vote = check(chair.post(f"{on_kenya}/votes", json={"type": "record", "sitting_id": s}))
ballots = {"amina": "for", "lucas": "for", "wanjiru": "for", "jin": "against", "sofia": "against",
           "rosa": "for", "omar": "for"}
for name, choice in ballots.items():
    check(people[name].put(f"{BASE}/votes/{vote['id']}/ballot", json={"choice": choice},
                           headers={"Idempotency-Key": f"ballot-{vote['id']}-{name}"}))
print("ballots cast", check(secretariat.get(f"{BASE}/votes/{vote['id']}"))["ballots_cast"])
result = check(chair.post(f"{BASE}/votes/{vote['id']}/close"))
weights, totals = result["weights"], result["totals"]
print("weights:", ", ".join(f"{g} {weights[g]}" for g in ("government", "employer", "worker")),
      "| weighted for", totals["for"]["weighted"], "against", totals["against"]["weighted"],
      "| quorum", "reached" if result["quorum"]["reached"] else "not reached", "| result", result["outcome"])

# 8. The Chair declares the decisions (the vote records; the Chair decides, rule 29).
check(chair.post(f"{on_kenya}/decision", json={"outcome": "adopted", "method": "vote", "vote_id": vote["id"]}))
check(chair.post(f"{BASE}/items/amendment/{employers_amendment['id']}/decision",
                 json={"outcome": "rejected", "method": "consensus"}))
for label, outcome in (("preamble", "adopted"), ("1", "adopted"), ("2", "adopted_as_amended"), ("3", "adopted"),
                       ("3(a)", "adopted"), ("3(b)", "adopted")):
    check(chair.post(f"{BASE}/items/paragraph/{paragraph[label]['id']}/decision",
                     json={"outcome": outcome, "method": "consensus"}))
check(chair.post(f"{BASE}/sittings/{s}/commands", json={"command": "close"}))

# 9. The tally: the status board as data.
for row in check(secretariat.get(f"{BASE}/drafts/{d}/tally"))["items"]:
    decision = row["decision"] or {}
    groups = {g: (row[g] or {}).get("stance", "-") for g in ("employer", "worker")}
    print(f"{row['item']['label']:>9} {row['state']:<20} {decision.get('method') or '-':<12}",
          f"employers {groups['employer']:<8} workers {groups['worker']:<8}",
          "statements", ", ".join(f"{x['member_state']} {x['stance']}" for x in row["statements"]) or "-")

# 10. The conclusions in Word (changes marked as tracked changes) and PDF.
EXPORT_DIR.mkdir(parents=True, exist_ok=True)
for fmt, marked in (("docx", 1), ("pdf", 0)):
    data = check(secretariat.get(f"{BASE}/drafts/{d}/export", params={"format": fmt, "marked": marked}))
    path = EXPORT_DIR / f"conclusions-{SUFFIX}.{fmt}"
    path.write_bytes(data)
    print("exported", path.name, len(data), "bytes")
