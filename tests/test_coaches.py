"""Coach networks (Miller Heiman): contact-role import (Salesforce / HubSpot / CSV, bad files, atomic),
the three coach criteria rated from quotes, coverage per buying influence, each warning firing and not
firing, next moves, unknown account, an account with no calls, and the CLI."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from salescoach.cli import app
from salescoach.coaches import network, render_md
from salescoach.crm.contacts import import_file, map_roles
from salescoach.errors import SalescoachError
from salescoach.memory.ingest import ingest_paths
from salescoach.store import models as m
from salescoach.store import open_store

REP = "Ana Lopez"

# Acme: Maria (champion) wants it, has access, guides; Raj (technical) defers to her.
ACME_CALL = """[00:00:05] Ana Lopez: Thanks for joining. What would you like to get out of today?
[00:00:20] Maria Chen: Honestly I'd love to get this in before Q3. Here's how approval works here: anything above fifty thousand goes to our CFO.
[00:00:45] Ana Lopez: That's helpful. Who else should I talk to?
[00:01:00] Maria Chen: You should talk to Raj in IT security. And I'll talk to our CFO about the budget next week.
[00:01:20] Raj Patel: From a security side we need SSO and an audit log. On the timeline, check with Maria.
[00:01:40] Ana Lopez: Great, let's set a follow-up for Tuesday.
"""

ACME_CONTACTS = """name,account,title,email,role,status,left_on,last_contact
Maria Chen,Acme Corp,Operations Manager,maria@acme.example,Champion,,,
Tom Baker,Acme Corp,Chief Financial Officer,tom@acme.example,,,,
Raj Patel,Acme Corp,Security Architect,,,,,
"""

# Globex: a public sponsor who never guides, a procurement "champion", a coach who left, a quiet coach,
# a negated and a questioned advocacy phrase, a budget owner known only from speech.
GLOBEX_CALL = """[00:00:05] Ana Lopez: Thanks all for making time today.
[00:00:15] Sam Reed: I'm a big fan. This would fix our reporting mess. What are the next steps?
[00:00:40] Priya Nair: We will need at least a twenty percent discount to move.
[00:01:00] Olga Berg: I don't think this would fix anything for my team. Would this fix the exports?
[00:01:20] Victor Hale: It's my budget, so I want the numbers first.
[00:01:40] Ana Lopez: Understood, I will send them.
"""

GLOBEX_CONTACTS = """name,account,title,email,role,status,left_on,last_contact
Sam Reed,Globex,VP Sales,,Executive Sponsor,,,
Priya Nair,Globex,Procurement Manager,,Champion,,,
Lee Wong,Globex,Director of Ops,,Coach,left,2024-02-01,
Dana Fox,Globex,Analyst,,Coach,,,2023-12-01
"""

SALESFORCE = """Contact: Full Name,Account Name,Title,Email,Role
Hank Hill,Initech,CFO,hank@initech.example,Economic Decision Maker
Peggy Lee,Initech,Help Desk Lead,,Business User
Bill Dauterive,Initech,,,Technical Buyer
"""

SALESFORCE_FIRSTLAST = """First Name,Last Name,Account Name,Title,Role,Last Activity
Boomhauer,Rhodes,Initech,Engineer,Evaluator,3/15/2024
"""

HUBSPOT = """First Name,Last Name,Company Name,Job Title,Email,Buying Role
Dale,Gribble,Hooli,Head of Finance,dale@hooli.example,Champion;Decision Maker
Kahn,Souphanousinphone,Hooli,Controller,,Budget Holder
Nancy,Gribble,Hooli,Counsel,,Legal and Compliance
Luanne,Platter,Hooli,Stylist,,Foo Role
Joseph,Gribble,Hooli,Intern,,
"""


def _store(tmp_path: Path):
    return open_store(f"sqlite:///{tmp_path / 'coaches.db'}")


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _ingest(repo, tmp_path, name, text, account, day="2024-03-01", deal=None):
    res = ingest_paths(repo, [_write(tmp_path, name, text)], reps=[REP], account=account, deal=deal,
                       date=datetime.fromisoformat(day), do_consolidate=False)
    assert [r.status for r in res.results] == ["stored"], [(r.status, r.error) for r in res.results]
    return res.results[0].call_id


def _person(net, name):
    return next(p for p in net["people"] if p["name"] == name)


def _warn(net, kind, person=None):
    return [w for w in net["warnings"] if w["kind"] == kind and (person is None or w["person"] == person)]


@pytest.fixture
def acme(tmp_path):
    repo = _store(tmp_path)
    _ingest(repo, tmp_path, "acme1.txt", ACME_CALL, "Acme Corp")
    import_file(repo, _write(tmp_path, "acme.csv", ACME_CONTACTS))
    yield repo
    repo.close()


@pytest.fixture
def globex(tmp_path):
    repo = _store(tmp_path)
    _ingest(repo, tmp_path, "globex1.txt", GLOBEX_CALL, "Globex")
    import_file(repo, _write(tmp_path, "globex.csv", GLOBEX_CONTACTS))
    yield repo
    repo.close()


# -- role mapping and import -------------------------------------------------------------------------
def test_role_labels_map_to_buying_influences():
    assert map_roles("Decision Maker") == ("economic", None, [])
    assert map_roles("Budget Holder")[0] == "economic"
    assert map_roles("End User")[0] == "user"
    assert map_roles("Technical Buyer")[0] == "technical"
    assert map_roles("Legal and Compliance")[0] == "technical"
    assert map_roles("Champion") == ("coach", True, [])
    assert map_roles("Executive Sponsor") == (None, True, [])
    assert map_roles("Influencer")[0] == "other"
    assert map_roles("Procurement")[0] == "procurement"
    assert map_roles("Champion;Decision Maker") == ("coach", True, [])
    assert map_roles("Something Odd") == (None, None, ["Something Odd"])
    assert map_roles(None) == (None, None, [])


def test_import_salesforce_and_hubspot_contacts(tmp_path):
    repo = _store(tmp_path)
    r1 = import_file(repo, _write(tmp_path, "sf.csv", SALESFORCE))
    r2 = import_file(repo, _write(tmp_path, "sf2.csv", SALESFORCE_FIRSTLAST))
    r3 = import_file(repo, _write(tmp_path, "hs.csv", HUBSPOT))
    assert (r1.format, r1.inserted, r1.roles) == ("salesforce", 3, 3)
    assert r2.format == "salesforce" and r2.inserted == 1
    assert r3.format == "hubspot" and r3.inserted == 5 and r3.unknown_roles == {"Foo Role": 1}
    with repo.session() as s:
        rows = {c.name: (c.title, cr.role if cr else None, cr.is_sponsor if cr else None,
                         cr.last_contact if cr else None, cr.role_raw if cr else None)
                for c, cr in s.execute(select(m.Contact, m.ContactRole).outerjoin(
                    m.ContactRole, m.ContactRole.contact_id == m.Contact.id))}
        accounts = set(s.scalars(select(m.Account.name)))
    assert accounts == {"Initech", "Hooli"}
    assert rows["Hank Hill"][:2] == ("CFO", "economic")
    assert rows["Peggy Lee"][1] == "user"
    assert rows["Bill Dauterive"][1] == "technical"
    assert rows["Boomhauer Rhodes"][1] == "technical" and rows["Boomhauer Rhodes"][3] == date(2024, 3, 15)
    assert rows["Dale Gribble"][1:3] == ("coach", True) and rows["Dale Gribble"][4] == "Champion;Decision Maker"
    assert rows["Kahn Souphanousinphone"][1] == "economic"
    assert rows["Nancy Gribble"][1] == "technical"
    assert rows["Luanne Platter"][1] is None and rows["Luanne Platter"][4] == "Foo Role"
    assert rows["Joseph Gribble"][1] is None
    # upsert: importing again changes nothing, no duplicates
    again = import_file(repo, _write(tmp_path, "hs.csv", HUBSPOT))
    assert again.inserted == 0 and again.updated == 5
    with repo.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Contact)) == 9
        assert s.scalar(select(func.count()).select_from(m.ContactRole)) == 9
    repo.close()


def test_import_merges_with_call_speakers_ignoring_case_and_spacing(tmp_path):
    repo = _store(tmp_path)
    _ingest(repo, tmp_path, "acme1.txt", ACME_CALL.replace("Maria Chen:", "maria  chen:"), "Acme Corp")
    import_file(repo, _write(tmp_path, "acme.csv", ACME_CONTACTS))
    with repo.session() as s:
        names = sorted(s.scalars(select(m.Contact.name)))
    assert names == ["Maria Chen", "Raj Patel", "Tom Baker"]
    net = network(repo, "Acme Corp", date(2024, 3, 10))
    assert _person(net, "Maria Chen")["true_coach"]
    repo.close()


@pytest.mark.parametrize("text, where, words", [
    ("", "empty.csv", "empty file"),
    ("name,account\n", "empty.csv", "no contact rows"),
    ("who,where\nA,B\n", "cols.csv", "cols.csv:1: no contact name column"),
    ("name,title\nA,B\n", "cols.csv", "cols.csv:1: no account column"),
    ("name,account,last_contact\nA,Acme,2024-01-01\nB,Acme,31/31/2024\n", "date.csv", "date.csv:3: last_contact"),
    ("name,account,status\nA,Acme,active\nB,Acme,on holiday\n", "status.csv", "status.csv:3: status"),
    ("name,account\nA,Acme\n,Acme\n", "noname.csv", "noname.csv:3: no contact name"),
    ("name,account\nA,Acme\nB,\n", "noacc.csv", "noacc.csv:3: B has no account"),
])
def test_bad_contact_files_fail_whole_file(tmp_path, text, where, words):
    repo = _store(tmp_path)
    with pytest.raises(SalescoachError) as ei:
        import_file(repo, _write(tmp_path, where, text))
    assert words in str(ei.value)
    with repo.session() as s:  # atomic: the good first row was not written either
        assert s.scalar(select(func.count()).select_from(m.Contact)) == 0
        assert s.scalar(select(func.count()).select_from(m.Account)) == 0
    repo.close()


# -- criteria, coverage and warnings ---------------------------------------------------------------------
def test_true_coach_criteria_with_quotes(acme):
    net = network(acme, "acme corp", date(2024, 3, 10))
    maria = _person(net, "Maria Chen")
    assert maria["true_coach"] and net["true_coaches"] == ["Maria Chen"]
    crit = maria["criteria"]
    assert {c: crit[c]["status"] for c in crit} == {"wants": "met", "credible": "met", "guide": "met"}
    wants = crit["wants"]["evidence"][0]
    assert "I'd love to get this in" in wants["quote"] and wants["start"] == 20.0 and wants["call"] == "acme1"
    quotes = [e.get("quote", "") for e in crit["credible"]["evidence"]]
    assert any("I'll talk to our CFO" in q for q in quotes)
    referral = [e for e in maria["criteria"]["credible"]["evidence"] if e.get("by") == "Raj Patel"]
    assert referral and "check with Maria" in referral[0]["quote"] and referral[0]["speaker"] == "Raj Patel"
    guide = [e["quote"] for e in crit["guide"]["evidence"]]
    assert any("Here's how approval works" in q for q in guide)
    assert any("You should talk to Raj" in q for q in guide)
    # one piece of evidence per sentence even when two patterns match it
    assert len(guide) == len(set(guide))
    # roles: CRM champion keeps the influence from the title; Tom from his title; Raj from his
    assert maria["role"] == "user" and maria["role_basis"] == "title" and maria["crm"]["is_sponsor"] is True
    assert _person(net, "Tom Baker")["role"] == "economic"
    raj = _person(net, "Raj Patel")
    assert raj["role"] == "technical" and not raj["candidate"] and raj["criteria"] is None


def test_coverage_and_single_coach(acme):
    net = network(acme, "Acme Corp", date(2024, 3, 10))
    cov = net["coverage"]
    assert {r: cov[r]["status"] for r in cov} == {"economic": "covered", "user": "covered", "technical": "covered"}
    econ = cov["economic"]["access"]
    assert econ[0]["coach"] == "Maria Chen" and "CFO" in econ[0]["via"]["evidence"]["quote"]
    assert {a["via"]["how"] for a in cov["technical"]["access"]} == {"named Raj Patel", "Raj Patel defers to them"}
    assert [c["name"] for c in cov["economic"]["contacts"]] == ["Tom Baker"]
    kinds = {w["kind"] for w in net["warnings"]}
    assert kinds == {"single_coach"}
    single = _warn(net, "single_coach")[0]
    assert single["person"] == "Maria Chen" and all("quote" in e for e in single["evidence"])
    assert net["next_moves"] == []


def test_second_coach_removes_single_coach_warning(acme, tmp_path):
    second = """[00:00:05] Ana Lopez: Thanks for the time, Tom.
[00:00:20] Tom Baker: We need this. I want this in before the audit. Between us, the board meets on the 20th and I'll talk to the CEO before then.
[00:00:50] Ana Lopez: Great.
"""
    _ingest(acme, tmp_path, "acme2.txt", second, "Acme Corp", day="2024-03-05")
    net = network(acme, "Acme Corp", date(2024, 3, 10))
    assert sorted(net["true_coaches"]) == ["Maria Chen", "Tom Baker"]
    assert not _warn(net, "single_coach") and not _warn(net, "no_coach")
    tom = _person(net, "Tom Baker")
    assert tom["criteria"]["credible"]["evidence"][0]["field"] == "contacts.title"
    # as_of before the second call: it is not heard, back to a single coach
    early = network(acme, "Acme Corp", date(2024, 3, 2))
    assert early["true_coaches"] == ["Maria Chen"] and _warn(early, "single_coach")


def test_globex_warnings(globex):
    net = network(globex, "Globex", date(2024, 3, 10))
    assert net["true_coaches"] == []
    nc = _warn(net, "no_coach")
    assert nc and "nobody on the account meets all three" in nc[0]["message"]
    assert not _warn(net, "single_coach")
    # sponsor mistaken for a coach: Sam advocates in public, never guides
    sam = _person(net, "Sam Reed")
    assert sam["criteria"]["wants"]["status"] == "met" and sam["criteria"]["guide"]["status"] == "not_shown"
    assert any("next steps" in e["quote"] for e in sam["criteria"]["wants"]["evidence"])
    sp = _warn(net, "sponsor_not_coach")
    # Sam (executive sponsor) and Priya (champion: a CRM sponsor) both fail "willing to guide"; Dana and Lee,
    # never heard, cannot be judged (guide unknown), so they are not flagged
    assert [w["person"] for w in sp] == ["Sam Reed", "Priya Nair"]
    assert sp[0]["evidence"][0]["value"] == "Executive Sponsor" and "big fan" in sp[0]["evidence"][1]["quote"]
    assert sam["role"] == "economic" and sam["role_basis"] == "title"
    # procurement contact recorded as a champion
    pc = _warn(net, "procurement_coach")
    assert [w["person"] for w in pc] == ["Priya Nair"]
    assert pc[0]["evidence"][1] == {"field": "contacts.title", "value": "Procurement Manager", "word": "Procurement"}
    # coach who left; coach gone quiet (never on a call, CRM last contact 2023-12-01)
    left = _warn(net, "coach_left")
    assert [w["person"] for w in left] == ["Lee Wong"] and left[0]["evidence"][0]["left_on"] == "2024-02-01"
    quiet = _warn(net, "coach_quiet")
    assert [w["person"] for w in quiet] == ["Dana Fox"]
    assert quiet[0]["evidence"][0]["last_contact"] == "2023-12-01"
    assert not _warn(net, "coach_quiet", "Lee Wong")  # left, not quiet
    # negated and questioned advocacy does not count
    olga = _person(net, "Olga Berg")
    assert not olga["candidate"]
    # speech shows the budget owner
    victor = _person(net, "Victor Hale")
    assert victor["role"] == "economic" and victor["role_basis"] == "speech"
    assert "It's my budget" in victor["role_evidence"]["quote"]
    # next moves: Sam wants it and is credible (VP) but does not guide -> ask for guidance
    moves = {mv["role"]: mv for mv in net["next_moves"] if mv["role"]}
    assert set(moves) == {"economic", "user", "technical"}
    assert moves["economic"]["kind"] == "ask_guidance" and moves["economic"]["person"] == "Sam Reed"
    assert "Victor Hale" in moves["economic"]["text"]
    assert {mv["kind"] for mv in net["next_moves"] if not mv["role"]} == {"replace_left", "reconnect"}


def test_quiet_warning_respects_the_window(globex):
    # on 2024-01-05 Dana's last contact (2023-12-01) is within 45 days; the call (2024-03-01) is not heard yet
    net = network(globex, "Globex", date(2024, 1, 5))
    assert not _warn(net, "coach_quiet", "Dana Fox")
    assert net["calls"] == [] and net["heard"] is False
    assert _person(net, "Sam Reed")["criteria"]["wants"]["status"] == "unknown"


def test_develop_wants_move_for_a_user_who_wants_it(tmp_path):
    repo = _store(tmp_path)
    call = """[00:00:05] Ana Lopez: How does your team handle the month-end today?
[00:00:20] Jo Park: It takes us days. This would save my team a week every month.
[00:00:40] Ana Lopez: What happens if it slips?
[00:00:55] Jo Park: We miss the filing. Anyway, let's see.
"""
    _ingest(repo, tmp_path, "initrode.txt", call, "Initrode")
    import_file(repo, _write(tmp_path, "c.csv", "name,account,title\nJo Park,Initrode,AP Specialist\n"))
    net = network(repo, "Initrode", date(2024, 3, 10))
    jo = _person(net, "Jo Park")
    assert jo["role"] == "user" and jo["candidate"] and not jo["true_coach"]
    assert {c: jo["criteria"][c]["status"] for c in jo["criteria"]} == {"wants": "met", "credible": "not_shown",
                                                                        "guide": "not_shown"}
    moves = {mv["role"]: mv for mv in net["next_moves"]}
    assert moves["user"]["kind"] == "develop_wants_in_role" and "This would save my team" in moves["user"]["text"]
    assert moves["economic"]["kind"] == "develop_wants" and "Jo Park already wants" in moves["economic"]["text"]
    assert _warn(net, "no_coach") and not _warn(net, "sponsor_not_coach")  # no CRM sponsor
    md = render_md(net)
    assert "## Suggested next moves" in md and "Jo Park" in md
    repo.close()


def test_account_without_calls_uses_crm_only(tmp_path):
    repo = _store(tmp_path)
    import_file(repo, _write(tmp_path, "hs.csv", HUBSPOT))
    net = network(repo, "Hooli", date(2024, 3, 10))
    assert net["calls"] == [] and not net["heard"]
    dale = _person(net, "Dale Gribble")
    assert dale["candidate"] and dale["role"] == "economic" and dale["role_basis"] == "crm"
    assert {dale["criteria"][c]["status"] for c in dale["criteria"]} == {"unknown"}
    assert all(cov["status"] == "unknown" for cov in net["coverage"].values())
    assert "no buyer on this account has been heard" in _warn(net, "no_coach")[0]["message"]
    assert [w["person"] for w in _warn(net, "coach_quiet")] == ["Dale Gribble"]
    assert _person(net, "Nancy Gribble")["role"] == "technical"
    assert _person(net, "Luanne Platter")["role"] is None
    md = render_md(net)
    assert "never been heard on this account's calls" in md and "— unknown." in md
    repo.close()


def test_calls_linked_through_deals_count(tmp_path):
    repo = _store(tmp_path)
    cid = _ingest(repo, tmp_path, "acme1.txt", ACME_CALL, "Acme Corp", deal="D-1")
    with repo.session() as s:  # the call knows only its deal
        s.execute(update(m.Call.__table__).where(m.Call.__table__.c.id == cid).values(account_id=None))
    net = network(repo, "Acme Corp", date(2024, 3, 10))
    assert [c["key"] for c in net["calls"]] == ["acme1"] and _person(net, "Maria Chen")["true_coach"]
    repo.close()


def test_unknown_account_hints_close_names(acme):
    with pytest.raises(SalescoachError) as ei:
        network(acme, "Acme Crop")
    assert "no account named 'Acme Crop'" in str(ei.value) and "did you mean 'Acme Corp'" in str(ei.value)


# -- CLI -------------------------------------------------------------------------------------------------
def test_cli_contacts_import_and_coaches(tmp_path):
    db = str(tmp_path / "cli.db")
    repo = open_store(f"sqlite:///{db}")
    _ingest(repo, tmp_path, "acme1.txt", ACME_CALL, "Acme Corp")
    repo.close()
    runner = CliRunner()
    good = _write(tmp_path, "acme.csv", ACME_CONTACTS)
    res = runner.invoke(app, ["contacts", "import", good, "--db", db])
    assert res.exit_code == 0, res.output
    bad = _write(tmp_path, "bad.csv", "name,account,left_on\nX,Acme Corp,yesterday\n")
    res = runner.invoke(app, ["contacts", "import", bad, "--db", db])
    assert res.exit_code == 2 and "bad.csv:2: left_on" in res.output
    res = runner.invoke(app, ["coaches", "--account", "Acme Corp", "--as-of", "2024-03-10", "--format", "json",
                              "--db", db])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["true_coaches"] == ["Maria Chen"] and out["as_of"] == "2024-03-10"
    res = runner.invoke(app, ["coaches", "--account", "Acme Corp", "--as-of", "2024-03-10", "--db", db])
    assert res.exit_code == 0 and "# Coach network: Acme Corp" in res.stdout and "single coach" in res.stdout
    res = runner.invoke(app, ["coaches", "--account", "Nope Inc", "--db", db])
    assert res.exit_code == 2 and "no account named 'Nope Inc'" in res.output
    res = runner.invoke(app, ["coaches", "--account", "Acme Corp", "--as-of", "10/03/2024", "--db", db])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


def test_lexicon_reads_decision_process_and_ignores_untargeted_phrases():
    from salescoach.coaches.lexicon import lexicon
    lx = lexicon()
    hits = lambda c, s: [p.id for p, _ in lx.matches(c, s)]  # noqa: E731
    assert hits("guide", "That goes to our CFO, Marianne, and then to the owner group.") == ["that_goes_to"]
    assert hits("guide", "He signs off on anything over twenty thousand.") == ["who_signs"]
    assert hits("wants", "What are the next steps?") == ["next_steps"]
    assert hits("wants", "Would this fix the exports?") == []
    assert hits("wants", "I don't think this would fix anything.") == []
    assert lx.title_role("talk to them about it") is None  # "it" is not IT
    assert lx.title_role("our IT team") == ("technical", "IT")
    assert lx.title_role("VP of Procurement")[0] == "procurement"


def test_uncovered_role_gets_an_introduction_move(tmp_path):
    repo = _store(tmp_path)
    call = ACME_CALL.replace("You should talk to Raj in IT security. ", "")
    call = call.replace(" On the timeline, check with Maria.", "")
    call = call.replace("Here's how approval works here", "Between us, approval is slow")
    _ingest(repo, tmp_path, "acme1.txt", call, "Acme Corp")
    import_file(repo, _write(tmp_path, "acme.csv", ACME_CONTACTS))
    net = network(repo, "Acme Corp", date(2024, 3, 10))
    assert net["true_coaches"] == ["Maria Chen"]
    assert net["coverage"]["technical"]["status"] == "uncovered"
    assert net["coverage"]["economic"]["status"] == "covered"
    moves = [mv for mv in net["next_moves"] if mv["role"] == "technical"]
    assert moves[0]["kind"] == "ask_coach" and moves[0]["person"] == "Maria Chen"
    assert "introduce you to Raj Patel (technical buyer)" in moves[0]["text"]
    repo.close()
