"""Generate a whole sales floor for the coaching-deliverables benchmark (written for this project).

    python bench/gen_team.py OUT_DIR [--reps 50] [--calls 5000] [--deals 2000] [--seed 5]

Writes, deterministically for a seed:
- `calls/<rep>/<deal>-<n>.txt`: plain-text transcripts ("[hh:mm:ss] Name: text") of discovery, demo and
  negotiation calls, ~600-900 words each. Every rep has habits (a probability per behaviour: upfront
  contract, implication questions, dated next steps, long monologues, handling objections fully), so
  some behaviours recur for a rep (observations) and others are one-off slips. Buyers mention their tools,
  push back (budget, timing, competition, authority), and some of them guide the rep (coach behaviour).
- `calls/index.csv`: file, rep, account, deal, date (what `ingest --rep --account --deal --date` needs).
- `crm/opportunities.csv` (Salesforce export columns), `crm/contacts.csv` (name, account, title, email,
  role), `crm/quotas.csv` (rep, period, amount).
"""
from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea", "Max", "Nia", "Omar",
         "Pia", "Quinn", "Rosa", "Sol", "Tess", "Uma", "Vic", "Wes", "Xena", "Yara", "Zed"]
LAST = ["Park", "Reyes", "Stone", "Novak", "Ito", "Haddad", "Moss", "Lund", "Brandt", "Okafor", "Silva", "Kerr"]
BUYER_FIRST = ["Maya", "Tom", "Iris", "Raj", "Lucia", "Noah", "Greta", "Sami", "Ola", "Bruno", "Keiko", "Femi"]
BUYER_LAST = ["Jensen", "Cruz", "Abara", "Holt", "Varga", "Lindqvist", "Mendes", "Quist", "Dube", "Farrow"]
TITLES = [("CFO", "economic"), ("VP Operations", "economic"), ("Operations Manager", "user"),
          ("IT Director", "technical"), ("Procurement Lead", "procurement"), ("Team Lead", "coach"),
          ("Senior Analyst", "user")]
TOOLS = ["Salesforce", "HubSpot", "Excel", "Snowflake", "Tableau", "Slack", "Jira", "NetSuite", "Marketo", "Zendesk"]
THINGS = ["scheduling", "invoicing", "reporting", "forecasting", "dispatch", "onboarding", "approvals"]
TEAMS = ["finance", "ops", "support", "field", "sales"]
STAGES = [("Prospecting", 10), ("Qualification", 20), ("Needs Analysis", 30), ("Proposal/Price Quote", 60),
          ("Negotiation/Review", 80), ("Closed Won", 100), ("Closed Lost", 0)]
OBJECTIONS = {
    "budget": "Honestly we don't have budget set aside for this until next year.",
    "timing": "I'm not sure now is the right time, we have a lot going on this quarter.",
    "competition": "We're also talking to another vendor that came in quite a bit cheaper.",
    "authority": "I'd need to run this by our CFO before we commit to anything.",
}


def _ts(x: float) -> str:
    x = int(x)
    return f"[{x // 3600:02d}:{x // 60 % 60:02d}:{x % 60:02d}]"


def rep_names(n: int) -> list[str]:
    return [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}" for i in range(n)]


def habits(rnd: random.Random) -> dict[str, float]:
    return {k: rnd.choice([0.1, 0.5, 0.9]) for k in ("contract", "implication", "next_step", "monologue", "aecr",
                                                     "listen")}


def make_call(rnd: random.Random, rep: str, buyers: list[str], kind: str, h: dict[str, float], tools: list[str],
              coach: str | None) -> str:
    b = buyers[0]
    thing, team = rnd.choice(THINGS), rnd.choice(TEAMS)
    lines: list[tuple[str, str]] = [(rep, f"Hi {b.split()[0]}, thanks for making the time."), (b, "Of course.")]
    if rnd.random() < h["contract"]:
        lines += [(rep, "Here is what I suggest for our thirty minutes: I ask about how things run today, then you "
                        "ask me anything, and at the end we decide together whether a next step makes sense. "
                        "Does that work?"), (b, "That works.")]
    qs = [f"How does your team handle {thing} today?", f"What tools do you use for {thing} right now?",
          "Where does that process break down for you?", "Who else is involved when that goes wrong?"]
    if rnd.random() < h["implication"]:
        qs += [f"When {thing} slips, what does that cost the {team} team each month?",
               "If nothing changes for another six months, what does that mean for your targets?",
               "How does that affect you personally when the numbers are late?"]
    for q in qs:
        lines.append((rep, q))
        who = rnd.choice(buyers)
        if rnd.random() < h["listen"]:
            tool = rnd.choice(tools)
            lines.append((who, f"Right now we run {thing} out of {tool} and a lot of spreadsheets. Every Monday "
                               f"someone exports the data and two people spend the day reconciling it, and the "
                               f"{team} team gets numbers that are a week old. As we grow it only gets worse."))
        else:
            lines.append((who, "It's fine mostly."))
            lines.append((rep, f"Right, and that is exactly why teams come to us: we take the manual steps out of "
                               f"{thing} and give the {team} team one place to look."))
    if coach and coach in buyers:
        lines.append((coach, "Between us, the CFO cares most about month-end close. Here's how approval works: she "
                             "signs anything over fifty thousand after IT signs off. You should talk to her before "
                             "the proposal, I'd love to get this in."))
        lines.append((rep, "That's really helpful, thank you."))
    if kind != "discovery" or rnd.random() < 0.4:
        pitch = (f"Our platform pulls every {thing} record into one place automatically, checks the data every hour, "
                 f"flags anything that looks wrong and sends the {team} team a short summary each morning.")
        if rnd.random() < h["monologue"]:
            pitch = " ".join([pitch] * 5)
        lines.append((rep, pitch))
    for cat in rnd.sample(list(OBJECTIONS), k=rnd.randint(0, 2)):
        lines.append((rnd.choice(buyers), OBJECTIONS[cat]))
        if rnd.random() < h["aecr"]:
            lines.append((rep, "That's a fair point, and I understand, a lot of teams feel the same way at this stage. "
                               "Can you tell me more about what is driving that? Many customers found the cost of "
                               "waiting was higher than the cost of starting small."))
        else:
            lines.append((rep, "Okay, no problem."))
    if rnd.random() < h["next_step"]:
        lines += [(rep, "Let's book the next session now: does Tuesday the fourteenth at ten work for you and your "
                        "CFO?"), (b, "Tuesday the fourteenth at ten works, I'll bring our CFO."),
                  (rep, "Great, I'll send the invite today.")]
    else:
        lines += [(rep, "Have a think about it and let's stay in touch."), (b, "Sure, thanks.")]
    out, t = [], 0.0
    for who, text in lines:
        out.append(f"{_ts(t)} {who}: {text}")
        t += max(2.0, len(text.split()) / 2.6) + 0.6
    return "\n".join(out) + "\n"


def generate(out: Path, n_reps: int = 50, n_calls: int = 5000, n_deals: int = 2000, seed: int = 5,
             today: date = date(2026, 11, 20)) -> dict:
    rnd = random.Random(seed)
    reps = rep_names(n_reps)
    rep_h = {r: habits(rnd) for r in reps}
    n_acc = max(1, n_deals * 2 // 3)
    accounts = [f"Account {i:04d}" for i in range(n_acc)]
    people: dict[str, list[tuple[str, str, str]]] = {}
    for a in accounts:
        ps = rnd.sample(TITLES, k=rnd.randint(2, 4))
        people[a] = [(f"{rnd.choice(BUYER_FIRST)} {rnd.choice(BUYER_LAST)}", t, role) for t, role in ps]
    (out / "crm").mkdir(parents=True, exist_ok=True)
    deals = []
    start0 = today - timedelta(days=300)
    with open(out / "crm" / "opportunities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Stage", "Close Date",
                    "Probability (%)", "Opportunity Owner", "Created Date", "Next Step", "Next Step Date"])
        for i in range(n_deals):
            acc, rep = accounts[i % n_acc], reps[rnd.randrange(n_reps)]
            created = start0 + timedelta(days=rnd.randrange(280))
            stage, prob = STAGES[rnd.randrange(len(STAGES))]
            close = created + timedelta(days=rnd.randint(20, 150))
            amount = rnd.choice([12000, 25000, 48000, 90000, 150000])
            nxt = ("Pricing call", (today + timedelta(days=rnd.randint(1, 20))).isoformat()) if rnd.random() < 0.5 \
                else ("", "")
            ext = f"D{i:05d}"
            w.writerow([ext, f"{acc} {rnd.choice(THINGS)}", acc, amount, stage, close.isoformat(), prob, rep,
                        created.isoformat(), nxt[0], nxt[1]])
            deals.append((ext, acc, rep, created))
    with open(out / "crm" / "contacts.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "account", "title", "email", "role"])
        for a, ps in people.items():
            for name, title, role in ps:
                w.writerow([name, a, title, name.lower().replace(" ", ".") + "@example.com", role])
    with open(out / "crm" / "quotas.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rep", "period", "amount"])
        for r in reps:
            w.writerow([r, f"{today.year}", rnd.choice([600000, 800000, 1000000])])
    calls_dir = out / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    with open(calls_dir / "index.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "rep", "account", "deal", "date"])
        for i in range(n_calls):
            ext, acc, rep, created = deals[i % n_deals]
            k = i // n_deals
            kind = ("discovery", "demo", "negotiation")[min(k, 2)]
            when = min(today, created + timedelta(days=7 + 14 * k + rnd.randrange(7)))
            ps = people[acc]
            buyers = [p[0] for p in ps if p[2] != "procurement"][:2] or [ps[0][0]]
            coach = next((p[0] for p in ps if p[2] == "coach"), None)
            tools = rnd.sample(TOOLS, k=3)
            text = make_call(rnd, rep, buyers, kind, rep_h[rep], tools, coach)
            folder = calls_dir / rep.replace(" ", "_")
            folder.mkdir(exist_ok=True)
            name = f"{ext}-{k + 1}-{kind}.txt"
            (folder / name).write_text(text)
            w.writerow([f"{folder.name}/{name}", rep, acc, ext, when.isoformat()])
    return {"reps": reps, "deals": [d[0] for d in deals], "accounts": accounts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--deals", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    generate(Path(a.out), a.reps, a.calls, a.deals, a.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
