"""Structure analyzer: call type, upfront contract, first pitch, pitch-before-discovery, next step, time split.

Fixtures are small dialogues written for these tests (not from any data set).
"""
import re

import pytest

from salescoach.analysis.pipeline import Pipeline
from salescoach.transcript import parse_call

DISCOVERY = """[00:00:02] Dana Park: Morning Raj, morning Kim! Thanks for hopping on.
[00:00:06] Raj Mehta: Morning. Kim is here too, she runs our AP team.
[00:00:11] Dana Park: Great to meet you Kim. Did the snow hit you guys yesterday?
[00:00:16] Kim Osei: Oh it did. Half the office worked from home.
[00:00:22] Dana Park: Same here, my kids were thrilled.
[00:00:40] Dana Park: So we have half an hour blocked today. My plan is to spend most of it learning how invoices move through your team today, and then if it's useful I can show you a couple of things. At the end, we can both figure out if it makes sense to keep talking, and if not, that's completely fine. Does that sound okay?
[00:01:05] Raj Mehta: Sounds good to me.
[00:01:08] Dana Park: Anything you'd want to make sure we cover?
[00:01:12] Raj Mehta: Mostly the approval piece.
[00:01:15] Dana Park: Perfect. So to start, walk me through what happens when an invoice shows up.
[00:01:22] Kim Osei: So vendors email PDFs to a shared inbox, and my team keys them into NetSuite by hand. Then approvers get an email.
[00:01:40] Dana Park: How many invoices a month are we talking?
[00:01:44] Kim Osei: About six thousand. It has doubled since we acquired two clinics last year.
[00:02:00] Dana Park: What's the toughest part of that for your team?
[00:02:05] Kim Osei: Honestly, approvals get stuck for weeks. People ignore the emails, and we end up paying late fees because nobody signed off in time.
[00:02:30] Dana Park: Why do they get stuck, do you think?
[00:02:34] Kim Osei: The approval routing lives in a spreadsheet that I update myself, so when someone changes roles, invoices go to the wrong person and just sit there.
[00:03:10] Dana Park: What has that been costing you?
[00:03:14] Raj Mehta: Last quarter we paid around forty thousand dollars in late fees, and we missed early-payment discounts worth maybe twice that.
[00:03:40] Raj Mehta: And my team spends something like sixty hours a week on data entry.
[00:04:10] Dana Park: Who else feels this besides finance?
[00:04:15] Raj Mehta: Our COO, Priyanka, gets the vendor complaints. The clinic managers get calls when a supplier puts us on hold.
[00:05:00] Dana Park: Why is this on your plate now rather than last year?
[00:05:04] Raj Mehta: We're adding four more clinics by June, and the auditors flagged our controls in the last review. I need it fixed before the year-end audit.
[00:06:00] Dana Park: And if you just keep the current process through the summer?
[00:06:05] Raj Mehta: Then we'd need to hire two more clerks, and the audit finding probably turns into a material weakness. That lands on me.
[00:07:30] Dana Park: How would you decide on a tool for this, what has to be true?
[00:07:35] Raj Mehta: It has to sync with NetSuite both ways, and Kim's team has to be able to change approvers without calling IT.
[00:08:20] Dana Park: And how does a purchase like this get approved at your company?
[00:08:25] Raj Mehta: I can approve up to twenty-five K. Above that our CFO, Lauren, signs, and legal reviews the contract. Security sends a vendor questionnaire too.
[00:09:00] Dana Park: Are you looking at anyone else?
[00:09:03] Raj Mehta: We had a call with Tipalti last week, and our NetSuite partner keeps pushing their own add-on.
[00:16:00] Dana Park: Okay. Based on what you've told me, let me show you how this would work for you.
[00:16:10] Dana Park: Ledgerly reads every invoice that lands in the inbox, pulls out the vendor, amounts and PO, and posts it to NetSuite for you. Approval rules live in the app, so Kim can change an approver in two clicks.
[00:17:30] Dana Park: And approvers get a reminder in Slack every day until they act, so nothing sits for weeks.
[00:18:00] Kim Osei: Can it handle the clinic codes?
[00:18:05] Dana Park: Yes, those map to departments.
[00:22:00] Raj Mehta: This looks like what we need. I'd like Lauren to see it, and I'm happy to set that up with her.
[00:26:00] Dana Park: So what if we get forty-five minutes with you, Kim and Lauren next Wednesday at 2 pm Eastern to go through pricing and a rollout plan?
[00:26:20] Raj Mehta: Wednesday at two works. I'll forward the invite to Lauren.
[00:26:30] Dana Park: Great, I'll send the invite this afternoon, and Kim, could you share a sample of last month's invoices before then?
[00:26:45] Kim Osei: Sure, I'll pull twenty of them.
[00:27:10] Dana Park: Thanks both, talk Wednesday.
"""

COLD_PITCH = """[00:00:01] Tom Reyes: Hi Alice, Tom from Ledgerly here. How are you?
[00:00:05] Alice Wong: Good, thanks. I only have a few minutes.
[00:00:09] Tom Reyes: No problem. So are you using a tool for invoices today?
[00:00:14] Alice Wong: Just our ERP.
[00:00:18] Tom Reyes: Got it. So Ledgerly is an AP automation platform. We capture invoices with AI, we route approvals automatically, and we sync everything to your ERP. Our customers cut processing costs by eighty percent and we integrate with over forty systems.
[00:01:10] Tom Reyes: We also offer virtual cards, so you earn cashback on every payment, and the dashboard shows you spend by vendor in real time.
[00:02:00] Alice Wong: Okay. How much is it?
[00:02:04] Tom Reyes: It starts at five hundred a month.
[00:02:20] Alice Wong: Hm. I'm not sure we need it right now, to be honest.
[00:03:00] Tom Reyes: Understood. I'll send over some info and we can touch base sometime next quarter.
[00:03:10] Alice Wong: Sure, send it over.
[00:03:15] Tom Reyes: Great, thanks Alice.
"""

DEMO_ASR = """[00:00:03] Maria Lopez: hey is this Ben
[00:00:05] Ben Carter: yeah hi Maria
[00:00:08] Maria Lopez: hi Ben thanks for making time how was the conference
[00:00:12] Ben Carter: busy but fun we met a lot of people
[00:00:20] Ben Carter: before we start does your thing work with Xero
[00:00:24] Maria Lopez: yes it connects to Xero natively so no worries there
[00:00:30] Ben Carter: ok good
[00:00:33] Maria Lopez: alright so we got about thirty minutes today i figured i'd ask a few questions first then show you the product and we can decide at the end whether a trial makes sense does that work
[00:00:50] Ben Carter: yep works
[00:00:55] Maria Lopez: how are you handling expense reports right now
[00:01:00] Ben Carter: people send receipts by email and my bookkeeper types them into a spreadsheet its slow and we lose receipts all the time
[00:01:30] Maria Lopez: what does that cost you
[00:01:34] Ben Carter: probably ten hours a week of her time and we missed a few tax deductions last year
[00:02:10] Maria Lopez: ok let me share my screen
[00:02:15] Maria Lopez: so this is the Spendwise home screen every receipt your team snaps with the phone app shows up here already categorized and the app matches it to the card transaction
[00:03:00] Ben Carter: nice
[00:03:05] Maria Lopez: and here's the approval view your managers approve from their phone with one tap
[00:20:00] Maria Lopez: so i'll send you some info on the trial and lets connect again soon
[00:20:10] Ben Carter: sounds good
[00:20:15] Maria Lopez: thanks Ben
"""

UNTIMED = """Sam Lee: Hi Jo, thanks for taking the time.
Jo Park: Sure, happy to.
Sam Lee: So I have us for 30 minutes. I'd love to understand how your team handles scheduling today, and at the end we can decide together if a second call makes sense. Sound fair?
Jo Park: Sounds fair.
Sam Lee: How does scheduling work today?
Jo Park: We do it all in a shared spreadsheet, and it's a mess. Shifts get double-booked every week.
Sam Lee: Why does that happen?
Jo Park: Because three managers edit the sheet at the same time and nobody sees the others' changes.
Sam Lee: What does that cost you?
Jo Park: We pay about two thousand dollars a month in overtime we didn't need.
Sam Lee: Who else deals with this?
Jo Park: Our director of operations, Lee, and payroll.
Sam Lee: Got it. Let me show you how we handle that.
Sam Lee: Shiftly gives every manager one live schedule, flags double bookings before they happen, and sends shifts to staff phones automatically.
Jo Park: That would help.
Sam Lee: Could we set up a call with Lee next Tuesday at 10 am to walk through pricing?
Jo Park: Tuesday at 10 works. I'll invite Lee.
Sam Lee: Great, I'll send the agenda today.
"""


ASR_LOWER = """[00:00:02] Gina Alvarez: hey Paul thanks for making the time
[00:00:05] Paul Novak: yeah no problem
[00:00:08] Gina Alvarez: how's things in Denver
[00:00:11] Paul Novak: cold um we got like a foot of snow
[00:00:20] Gina Alvarez: oh wow okay so um i've got us for about twenty five minutes and i'd like to mostly listen today understand how your warehouse team tracks inventory and then if it makes sense we can look at a next step and if not no worries at all sound okay
[00:00:40] Paul Novak: yep sounds good
[00:00:45] Gina Alvarez: so how do you track stock right now
[00:00:50] Paul Novak: honestly it's a bunch of clipboards and an excel file and we do a full count every friday
[00:01:30] Gina Alvarez: what goes wrong with that
[00:01:35] Paul Novak: counts are off all the time we ship the wrong stuff and customers call us angry
[00:02:30] Gina Alvarez: why are the counts off
[00:02:35] Paul Novak: pickers grab stuff and don't log it till end of shift and by then they forget half of it
[00:03:30] Gina Alvarez: how much is that costing you
[00:03:35] Paul Novak: we wrote off about sixty grand in shrink last year and returns eat another few points of margin
[00:04:30] Gina Alvarez: who else is feeling this
[00:04:35] Paul Novak: my boss the vp of operations and the sales guys because they promise stuff we don't have
[00:05:30] Gina Alvarez: what's making this a priority now
[00:05:35] Paul Novak: we're opening a second warehouse in april and i can't run two of these messes
[00:06:30] Gina Alvarez: and if april comes and nothing has changed
[00:06:35] Paul Novak: then we double the mess and probably lose our biggest account they already warned us
[00:07:30] Gina Alvarez: who signs off on a purchase like this
[00:07:35] Paul Novak: the vp signs anything over fifteen k and finance runs a vendor review
[00:12:00] Gina Alvarez: okay so based on all that let me show you what we'd do
[00:12:08] Gina Alvarez: every picker scans with their phone so stock updates the second something moves and you get a live count per bin without the friday count
[00:18:00] Paul Novak: that would be huge honestly i'd push for that internally
[00:20:00] Gina Alvarez: can we get thirty minutes with your vp next tuesday at 11 to walk through it
[00:20:10] Paul Novak: let me check his calendar
[00:20:20] Paul Novak: tuesday at 11 works i'll send you the invite
[00:20:30] Gina Alvarez: perfect thanks paul
"""

COLD_OPEN = """[00:00:02] Omar Farouk: Good afternoon Helen. Is this still a good time?
[00:00:06] Helen Brooks: It is, go ahead.
[00:00:10] Omar Farouk: Thanks. I'm going to be quick. We're SecureDocs, and we help law firms share files securely with clients. Our portal encrypts every document, tracks who opened what, and integrates with your document management system.
[00:00:50] Omar Farouk: We also have a client intake module and e-signature built in, and firms like yours usually save about ten hours a week per paralegal.
[00:01:30] Helen Brooks: We already use ShareFile, and it's fine.
[00:01:40] Omar Farouk: Sure, but ours is a lot more secure and cheaper. I'd really recommend a demo.
[00:02:00] Helen Brooks: I'm not sure we have the bandwidth right now.
[00:02:10] Omar Farouk: No problem, I'll send you some materials and circle back in a few weeks.
[00:02:20] Helen Brooks: Okay.
"""


def analyse(text, reps, call_type=None, strip=False):
    if strip:
        text = re.sub(r"[?.]", "", text)
    call = parse_call("fixture.txt", text, reps=reps, call_type=call_type)
    return Pipeline()(call)


@pytest.mark.parametrize("strip", [False, True])
def test_discovery_call_structure(strip):
    r = analyse(DISCOVERY, ["Dana Park"], strip=strip)
    assert r["call"]["type"] == "discovery" and r["call"]["type_source"] == "detected"
    uc = r["upfront_contract"]
    assert uc["present"] is True and uc["start"] == 40.0
    assert uc["elements"]["time"] and uc["elements"]["outcomes"] and uc["elements"]["permission"]
    assert r["first_pitch_s"] == 970.0
    assert "Ledgerly" in r["first_pitch"]["quote"]
    assert r["pitch_before_discovery"]["flag"] is False
    ns = r["next_step"]
    assert ns["committed"] is True and ns["has_date"] is True and ns["has_owner"] is True
    assert ns["start"] == 1560.0 and "Wednesday" in ns["text"]
    ts = r["time_split"]
    assert set(ts["phases"]) == {"opening", "discovery", "pitch", "next_steps"}
    assert abs(sum(p["share"] for p in ts["phases"].values()) - 1) < 1e-3
    assert ts["phases"]["pitch"]["start"] == 970.0
    assert ts["phases"]["discovery"]["ideal_share"] == pytest.approx(18 / 30, abs=1e-3)


@pytest.mark.parametrize("strip", [False, True])
def test_cold_pitch_no_contract_vague_next_step(strip):
    r = analyse(COLD_PITCH, ["Tom Reyes"], strip=strip)
    assert r["upfront_contract"]["present"] is False and r["upfront_contract"]["start"] is None
    assert r["first_pitch_s"] == 18.0
    ns = r["next_step"]
    assert ns["committed"] is False and ns["has_date"] is False
    assert ns["has_owner"] is False  # "I'll send over some info": a vague close, no owned next step


def test_given_call_type_is_kept_and_pitch_before_discovery_flagged():
    r = analyse(COLD_PITCH, ["Tom Reyes"], call_type="discovery")
    assert r["call"]["type"] == "discovery" and r["call"]["type_source"] == "given"
    pbd = r["pitch_before_discovery"]
    assert pbd["flag"] is True and pbd["evidence"]["start"] == 18.0
    assert "problem" in pbd["missing_before_pitch"]
    assert r["time_split"] is not None  # discovery + timed


def test_given_type_overrides_detection():
    r = analyse(DISCOVERY, ["Dana Park"], call_type="negotiation")
    assert r["call"]["type"] == "negotiation" and r["call"]["type_detected"] == "discovery"
    assert r["time_split"] is None  # only for discovery calls
    assert r["pitch_before_discovery"]["flag"] is False


def test_demo_without_punctuation_quick_answer_is_not_the_pitch():
    r = analyse(DEMO_ASR, ["Maria Lopez"])
    assert r["call"]["type"] == "demo"
    assert r["upfront_contract"]["present"] is True
    # "yes it connects to Xero natively" answers the buyer's quick question: not the pitch
    assert r["first_pitch_s"] == 135.0
    assert r["next_step"]["committed"] is False  # "let's connect again soon"


def test_untimed_transcript():
    r = analyse(UNTIMED, ["Sam Lee"])
    assert r["upfront_contract"]["present"] is True and r["upfront_contract"]["start"] is None
    assert r["first_pitch_s"] is None and r["first_pitch"]["quote"].startswith("Shiftly")
    ns = r["next_step"]
    assert ns["committed"] is True and ns["has_date"] is True and ns["start"] is None
    assert r["time_split"] is None


@pytest.mark.parametrize("proposal,reply,committed,dated", [
    ("Could we book a follow-up call on Friday at 3 pm?", "Friday at three works for me.", True, True),
    ("Could we book a follow-up call on Friday at 3 pm?", "Maybe later, let me think about it.", False, True),
    ("Let's touch base sometime next month.", "Sure.", False, False),
    ("How about a working session the 14th at 10 am Pacific?", "Sounds good, I'll grab the room.", True, True),
    # agreed without a date: committed, and the missing date is what the debrief should flag
    ("Let's set up a pilot at your two sites, I'll send you the pilot agreement.", "Yes, let's do that.", True, False),
    # a meeting to reconnect, agreed, without a date: committed (undated); sending material alone is not
    ("So I'll send the deck over, and then we'll find some time to reconnect in a few weeks?", "Yeah, that works.",
     True, False),
    # "what I'd suggest is..." proposes; agreed without a date: committed, undated
    ("So what I'd suggest is a demo for Mike and Janet, focused on change orders, and I'll bring an engineer.",
     "Yeah, that works. I'll get Mike to commit to a slot.", True, False),
    ("Great. Can we do Thursday the twelfth, at ten Pacific, you, Kayla and me?", "Thursday works.", True, True),
    ("Okay. So here's what I'm thinking. Raj, could you send me twenty sample reports from last month?",
     "Yeah, I can do that.", True, False),
    # a buyer's question about the product is not a proposal, whatever its words ("can we get our data out?")
    ("Any other questions on the platform? Can we get your data out if you ever leave? Absolutely, anytime.",
     "Sure. We'll talk it over internally and reach out if we want to go further.", False, False),
    # the same said as a vague close ("some info", "maybe"): agreeing to receive the info commits to nothing
    ("I'll send over some info and a couple of case studies, and then maybe we can find some time to reconnect in "
     "a few weeks.", "Sure, send it over.", False, False),
    ("I'll send you the recording and the deck, and then just let me know how you'd like to proceed.",
     "Sounds good. We'll talk internally.", False, False),
    # the buyer takes on getting the meeting booked: agreed
    ("Let's get thirty minutes with your CFO on Tuesday the twenty-third at eleven.",
     "I can ask. She's hard to pin down, but I'll try for the twenty-third.", True, True),
    # a date to aim at is a proposal; "what if we do twenty-four months" proposes terms, not a next step
    ("Could we target signature for Friday the twenty-eighth?", "If it's just the term language, yes.", True, True),
    ("Then what if we do twenty-four months, with an option to renew at the same rate?", "That could work.",
     False, False),
])
def test_next_step_committed_vs_vague(proposal, reply, committed, dated):
    text = (DISCOVERY.rsplit("[00:26:00]", 1)[0]
            + f"[00:26:00] Dana Park: {proposal}\n[00:26:20] Raj Mehta: {reply}\n[00:27:10] Dana Park: Thanks both.\n")
    ns = analyse(text, ["Dana Park"])["next_step"]
    assert ns["committed"] is committed
    assert ns["has_date"] is dated


@pytest.mark.parametrize("close,committed,dated", [
    # the buyer asks for the meeting and the two settle the day between them
    ([("Raj Mehta", "Can we set something up with Lauren, then, and you bring the rollout plan?"),
      ("Dana Park", "Yeah, definitely. How's Tuesday the fourteenth?"),
      ("Raj Mehta", "Lauren's out Tuesday. Wednesday the fifteenth, at two Eastern?"),
      ("Dana Park", "Wednesday the fifteenth at two works. I'll send the invite.")], True, True),
    # a hedge ("possibly, I'd have to ask him", "you can try") does not accept; the later "sounds good" only
    # agrees to receive a summary
    ([("Dana Park", "Would it make sense to get Lauren on a follow-up call?"),
      ("Raj Mehta", "Possibly. I'd have to ask her. She's pretty booked."),
      ("Dana Park", "Okay. What I'll do is send you a summary and a couple of case studies, and let me know."),
      ("Raj Mehta", "Okay. That sounds good.")], False, False),
    ([("Dana Park", "Well, can we get Lauren on the next call?"),
      ("Raj Mehta", "You can try. She'll want to know why we need it at all."),
      ("Dana Park", "I'll bring the numbers, that'll convince her."),
      ("Raj Mehta", "Oh, sure, the numbers. Everyone has numbers.")], False, False),
    # getting on a committee's agenda by a date, agreed on a condition
    ([("Dana Park", "So if I get you a revised order form by Friday the fourteenth, can we get on the agenda for the "
                    "twentieth?"),
      ("Raj Mehta", "If the order form and the redlines are both in my inbox by Friday the fourteenth, yes, I'll put "
                    "it on the agenda.")], True, True),
    # "a hard time with that" is push-back, not "time with" someone
    ([("Dana Park", "So for forty seats you're at forty-two a seat a month."),
      ("Raj Mehta", "Forty-two. Yeah. I'm going to have a hard time with that. We pay eighteen now."),
      ("Dana Park", "Okay, so look, if you sign this month I can do thirty-five."),
      ("Raj Mehta", "Huh. Okay. That was fast.")], False, False),
    # a day offered as a question ("how's Thursday...") and accepted by naming it ("Thursday's fine")
    ([("Dana Park", "Would it make sense to do a deeper walkthrough with your controller?"),
      ("Raj Mehta", "Probably, yeah, she'd want to see the reporting."),
      ("Dana Park", "How's Thursday the sixteenth at ten Central?"),
      ("Raj Mehta", "Thursday's fine. I'll forward her the invite.")], True, True),
    # "at the end of the day it's your call" is about who decides: no meeting, no date
    ([("Raj Mehta", "My partner runs the money side, so she'll have opinions."),
      ("Dana Park", "Sure, but at the end of the day it's your call, right?"),
      ("Raj Mehta", "Yeah, well, you haven't met her.")], False, False),
    # the buyer names the day ("can you do Tuesday the fourteenth?"); "can I propose this: ..."
    ([("Raj Mehta", "Can you do Tuesday the fourteenth, nine a.m., at our Tampa office?"),
      ("Dana Park", "Tuesday the fourteenth at nine works. I'll bring our solutions engineer.")], True, True),
    ([("Dana Park", "Great, so can I propose this: I send the revised order form by Wednesday, and we meet Monday "
                    "at two to go through it?"),
      ("Raj Mehta", "Monday at two works, I'll bring our attorney.")], True, True),
    # "who's on call today" is not a meeting today
    ([("Dana Park", "And who's on call today if a truck breaks down at night?"),
      ("Raj Mehta", "Yeah, that's Marco this week.")], False, False),
])
def test_next_step_settled_between_both_sides_or_hedged(close, committed, dated):
    lines = "".join(f"[00:26:{10 * k:02d}] {who}: {what}\n" for k, (who, what) in enumerate(close))
    text = DISCOVERY.rsplit("[00:26:00]", 1)[0] + lines + "[00:27:10] Dana Park: Thanks both.\n"
    ns = analyse(text, ["Dana Park"])["next_step"]
    assert ns["committed"] is committed
    assert ns["has_date"] is dated


def test_time_check_alone_is_not_an_upfront_contract():
    text = ("[00:00:02] Ana Ruiz: Hi Lou, do we still have thirty minutes?\n[00:00:06] Lou Kent: Yes.\n"
            "[00:00:10] Ana Ruiz: How do you handle billing today?\n[00:00:15] Lou Kent: By hand, it is slow.\n")
    assert analyse(text, ["Ana Ruiz"])["upfront_contract"]["present"] is False


def test_report_validates_against_schema():
    import json
    from importlib import resources

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(resources.files("salescoach.report").joinpath("call-report.schema.json").read_text())
    for text, reps in [(DISCOVERY, ["Dana Park"]), (UNTIMED, ["Sam Lee"]), (COLD_PITCH, ["Tom Reyes"])]:
        jsonschema.validate(analyse(text, reps), schema)


def test_lowercase_speech_to_text_discovery():
    r = analyse(ASR_LOWER, ["Gina Alvarez"])
    assert r["call"]["type"] == "discovery"
    assert r["upfront_contract"]["present"] is True
    assert r["first_pitch_s"] == 728.0
    ns = r["next_step"]
    assert ns["committed"] and ns["has_date"] and ns["has_owner"]
    found = {k for g in ("discovery_coverage", "meddpicc") for k, v in r[g].items() if v}
    assert {"problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction", "champion"} <= found


def test_cold_open_pitch_and_vague_close():
    r = analyse(COLD_OPEN, ["Omar Farouk"])
    assert r["call"]["type"] == "other"
    assert r["first_pitch_s"] == 10.0
    assert r["next_step"]["committed"] is False and r["next_step"]["has_owner"] is False
    assert r["meddpicc"]["competition"] == [90.0]  # "we already use ShareFile, and it's fine"
    r = analyse(COLD_OPEN, ["Omar Farouk"], call_type="discovery")
    assert r["pitch_before_discovery"]["flag"] is True


def test_no_rep_given_guesses_the_selling_side():
    r = analyse(COLD_OPEN, [])
    assert r["call"]["reps"] == []
    assert r["first_pitch_s"] == 10.0  # Omar, who pitches, is taken as the rep


def test_upfront_contract_in_plain_words_and_a_proposal_walkthrough_pitch():
    text = ("[00:00:05] Nora Lind: Thanks both for making the time. I've got thirty minutes blocked, does that still work?\n"
            "[00:00:12] Luis Ortega: Yep, that's fine.\n"
            "[00:00:15] Nora Lind: Great. So I'd love to hear how food safety works across your stores today. I'll share a "
            "bit about us if it seems relevant, and then we can figure out together if it makes sense to keep talking. "
            "Sound okay?\n"
            "[00:00:40] Luis Ortega: Sounds good.\n"
            "[00:01:00] Nora Lind: How do you log cooler temperatures today?\n"
            "[00:01:10] Luis Ortega: On paper, twice a day, and the sheets get lost.\n"
            "[00:03:00] Nora Lind: Okay, so let me walk through the proposal so we're all looking at the same thing.\n"
            "[00:03:10] Nora Lind: It covers all forty stores. A sensor in every cooler, alerts to the manager's phone.\n"
            "[00:03:40] Luis Ortega: Okay.\n")
    r = analyse(text, ["Nora Lind"])
    assert r["upfront_contract"]["present"] is True
    assert r["first_pitch_s"] is not None and 170 <= r["first_pitch_s"] <= 190


@pytest.mark.parametrize("pitch", [
    "So, just to recap the proposal before we dive in. It's forty sensors across your first eight stores, fully "
    "managed, with our uptime guarantee.",
    "So the proposal covers all of it. Capture from mail and email, approvals on phones, and payments with bank "
    "verification.",
    "So Frostline is two pieces. There's a cellular sensor that goes in the tote, and it reports temperature and "
    "location every five minutes to a dashboard your team already has open.",
    # a negotiation opens on the proposal itself
    "Okay, good. Before the number, a quick recap so we're all looking at the same thing. It's forty sensors "
    "across your first eight stores, fully managed.",
    "Just to level set, the proposal is ninety thousand a year on a three-year term, for all forty stores.",
    "Right, and that's the piece we designed the proposal around. Frostline reads every cooler every five minutes.",
    "And just so your CFO has it in one place, the proposal is the sensors, the dashboard and the monthly reviews.",
    "Sure. So quickly, what's in the proposal. Forty sensors, fully managed, with the uptime guarantee.",
    # naming the product on screen
    "Okay, I'll go right into it. This is Frostline. Every cooler reports every five minutes.",
])
def test_pitch_opens_with_a_recap_of_the_proposal_or_the_product_in_parts(pitch):
    text = ("[00:00:05] Nora Lind: Thanks for the time. How are the holidays treating the team?\n"
            "[00:00:12] Luis Ortega: Busy, but good.\n"
            "[00:01:00] Nora Lind: How do you log cooler temperatures today?\n"
            "[00:01:10] Luis Ortega: On paper, twice a day, and the sheets get lost.\n"
            f"[00:03:00] Nora Lind: {pitch}\n"
            "[00:03:20] Nora Lind: The alerts go straight to the store manager's phone, and every reading is kept for "
            "the inspector, so nobody fills in a paper sheet again.\n"
            "[00:03:40] Luis Ortega: Okay.\n")
    assert analyse(text, ["Nora Lind"])["first_pitch_s"] in (180.0, 200.0)


def test_a_greeting_that_names_the_rep_is_not_the_pitch():
    text = ("[00:00:05] Nora Lind: Hi, this is Nora.\n"
            "[00:00:08] Luis Ortega: Hey Nora, I'm here with the team, go ahead.\n"
            "[00:01:00] Nora Lind: How do you log cooler temperatures today?\n"
            "[00:01:10] Luis Ortega: On paper, twice a day, and the sheets get lost.\n"
            "[00:02:00] Nora Lind: And what happens when a sheet goes missing before an inspection?\n"
            "[00:02:20] Luis Ortega: We get written up, and the district manager calls me.\n")
    assert analyse(text, ["Nora Lind"])["first_pitch_s"] is None


def test_a_playback_of_discovery_after_the_screen_share_is_not_the_pitch():
    text = ("[00:00:05] Nora Lind: Okay, I'll share my screen and we'll dive right in.\n"
            "[00:00:10] Nora Lind: So just to recap where Luis and I got to last time, for the new folks. Three things: "
            "paper temperature logs, sheets that go missing, and an inspector who wants two years of them.\n"
            "[00:00:40] Luis Ortega: That's it.\n"
            "[00:01:00] Nora Lind: Great. So this is Frostline, set up like one of your stores. Every cooler reports "
            "its temperature every five minutes, and the manager gets a text when one drifts.\n"
            "[00:01:30] Luis Ortega: Okay.\n")
    assert analyse(text, ["Nora Lind"])["first_pitch_s"] == 60.0


@pytest.mark.parametrize("opening,first", [
    # present tense: "would it be okay if I show you..."
    ("Would it be okay if I show you one thing, just the alert flow, and you tell me if it fits?", 200.0),
    # "quick recap on what we'd be doing" goes on to present in the same segment
    ("Okay. So, quick recap on what we'd be doing. Frostline reads every cooler every five minutes and texts the "
     "manager when one drifts, and the inspector gets the log.", 180.0),
    # no transition: the platform "actually handles..." and "the app knows..."
    ("Okay, yeah. So our platform actually handles the logging automatically. The app knows the store from the "
     "sensor, pulls the reading every five minutes, and nobody fills in a paper sheet again.", 180.0),
    # "so first, this is the library...", "the first one is what we call verified content"
    ("So first, this is the dashboard as a store manager sees it. Every cooler carries its reading and its alarm.",
     180.0),
    ("So the first one is what we call verified logging. Every cooler has an owner, an alarm threshold and a log "
     "the inspector can open.", 180.0),
    # a playback of what the buyer said is not a pitch, however long
    ("Okay, so quick recap on what you told me: the logs are on paper twice a day, the sheets go missing, and the "
     "inspector wants two years of them.", 200.0),
    # a negotiation's proposal recap that goes on in the same segment, followed only by short replies
    ("So the proposal you have is forty stores, the sensors, the dashboard and the monthly reviews, at ninety "
     "thousand a year plus a one-time install.", 180.0),
    # naming and defining the offering opens the pitch, wherever the call is
    ("So, quick background on us. Frostline is a cold-chain monitoring platform for grocers, and we work with about "
     "three hundred stores across the Midwest today.", 180.0),
    ("So Frostline does two things. First, it reads every cooler every five minutes, and second, it keeps the log "
     "your inspector asks for.", 180.0),
    ("So, three things, very briefly. First, Frostline puts a sensor in every cooler, and the manager gets a text "
     "when a reading drifts.", 180.0),
    ("Okay. So, the proposal. Forty stores, the sensors and the dashboard, at ninety thousand a year on a "
     "three-year term.", 180.0),
    ("Great. So quick summary: all forty stores, the sensors, the dashboard and the monthly reviews, at ninety "
     "thousand a year.", 180.0),
    # a system the buyer uses, or the buyer's own company, defined by the rep is not a pitch
    ("Got it. And NetSuite is the system you use for the store ledgers, so that's where the logs would end up "
     "eventually?", None),
    ("Right, Marlow Foods is a regional grocery chain, so I'd guess the inspectors come around every quarter.",
     None),
])
def test_pitch_after_a_present_tense_ask_or_inside_a_long_recap(opening, first):
    text = ("[00:00:05] Nora Lind: Thanks for the time. How are the holidays treating the team?\n"
            "[00:00:12] Luis Ortega: Busy, but good.\n"
            "[00:01:00] Nora Lind: How do you log cooler temperatures today?\n"
            "[00:01:10] Luis Ortega: On paper, twice a day, and the sheets get lost.\n"
            f"[00:03:00] Nora Lind: {opening}\n"
            "[00:03:15] Luis Ortega: Sure.\n"
            "[00:03:20] Nora Lind: The alerts go straight to the store manager's phone, and every reading is kept for "
            "the inspector, so nobody fills in a paper sheet again.\n"
            "[00:03:40] Luis Ortega: Okay.\n")
    assert analyse(text, ["Nora Lind"])["first_pitch_s"] == first


def test_a_discovery_call_about_contracts_is_not_a_negotiation():
    """Procurement and contract words turn up in a discovery call about buying software for procurement;
    a negotiation has them far more densely (frameworks: negotiation_min_per_1000_words)."""
    talk = ("[00:{m:02d}:00] Dana Park: How does your team handle {w} today, and who is involved?\n"
            "[00:{m:02d}:30] Raj Mehta: Mostly by email, and it is slow, we lose track of requests every week and "
            "nobody can see where things stand, so people chase each other all day and it is frustrating. The "
            "team spends most of Monday rebuilding the list from the inbox, and by Friday it is out of date again.\n")
    text = "".join(talk.format(m=k, w=w) for k, w in enumerate(["procurement", "supplier renewal notices",
                                                                 "invoices", "the proposal reviews", "approvals",
                                                                 "payment terms", "vendor records", "the budget",
                                                                 "multi-year supplier deals", "month-end",
                                                                 "discount tracking", "audits", "reporting",
                                                                 "requisitions", "onboarding", "the year-end close"]))
    r = analyse(text, ["Dana Park"])
    assert r["call"]["type"] != "negotiation"


def test_thin_upfront_contract_with_time_agenda_and_next_steps():
    text = ("[00:00:40] Bea Santos: So I've got us for forty-five minutes. I'll walk you through the platform, "
            "especially the mobile side, then questions, and then we'll figure out next steps. Sound good?\n"
            "[00:00:55] Ray Tull: Sounds good.\n"
            "[00:01:10] Bea Santos: How do your crews sign in for safety talks today?\n"
            "[00:01:20] Ray Tull: Paper sheets, and they go missing.\n")
    assert analyse(text, ["Bea Santos"])["upfront_contract"]["present"] is True


@pytest.mark.parametrize("text,date", [
    ("on the first", "the first"), ("how about the fourteenth at ten", "the fourteenth"),
    ("the twenty-third works", "the twenty-third"), ("by the fifth", "the fifth"),
    ("we use it for the first pass too", None), ("the first thing we do", None), ("the second week", None),
    ("the twenty percent discount", None),
])
def test_an_ordinal_is_a_date_only_when_no_noun_follows(text, date):
    from salescoach.analysis.structure import _compiled
    from salescoach.frameworks import load
    m = _compiled(id(load("structure")))["when"].search(" " + text.replace("-", " "))
    assert (m.group(0).strip() if m else None) == (date.replace("-", " ") if date else None)


@pytest.mark.parametrize("plan", [
    # "I'd like to go through..." (the pattern once required "i 'd like", which no transcript says)
    "I'd like to go through the open items on the proposal, and ideally leave today knowing whether we're moving "
    "forward. Does that work for you both?",
    # "I've got us till eleven" + "I figured I'd ask some questions..., and then show..."
    "I've got us till eleven. So I figured I'd ask some questions about how you run projects today, and then "
    "show a bit of the platform where it makes sense. Sound good?",
    # "here's my plan" + an outcome said as "whether this is worth..." / "a fine outcome"
    "Here's my plan. I'll show you three things, then at the end let's be honest about whether this is worth "
    "taking to your owner. If it isn't, that's a fine outcome too. Fair?",
    # "I'd like to learn a bit about..." and "I was hoping we'd go through..." lay out the call too
    "I'd like to learn a bit about how your crews sign in today, and then show you a few things. Sound okay?",
    "I was hoping we'd go through the revised quote and the timeline. Does that match what you need from today?",
])
def test_upfront_contract_said_as_a_plan_and_an_honest_outcome(plan):
    text = (f"[00:00:40] Bea Santos: So I've got us for thirty minutes. {plan}\n[00:00:55] Ray Tull: That works.\n"
            "[00:01:10] Bea Santos: How do your crews sign in for safety talks today?\n"
            "[00:01:20] Ray Tull: Paper sheets, and they go missing.\n")
    uc = analyse(text, ["Bea Santos"])["upfront_contract"]
    assert uc["present"] is True
    assert uc["elements"]["agenda"] is not None or uc["elements"]["outcomes"] is not None
