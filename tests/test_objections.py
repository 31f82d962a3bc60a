"""Objections analyzer on small hand-written dialogues (detection, category, AECR handling)."""
import pytest

from salescoach.analysis import Pipeline
from salescoach.transcript import parse_call

REP = "Rita Sales"


def run(text, reps=(REP,), path="t.txt", with_questions=False):
    names = (["conversation", "questions"] if with_questions else []) + ["objections"]
    return Pipeline(names)(parse_call(path, text, reps=list(reps)))["objections"]


def only(text, **kw):
    objs = run(text, **kw)
    assert len(objs) == 1, [o["text"] for o in objs]
    return objs[0]


def lines(*pairs):
    return "".join(f"{s}: {t}\n" for s, t in pairs)


def call_with(buyer_line, rep_reply="Okay, noted. Let's keep going with the demo."):
    return lines(
        ("Rita Sales", "So that's the overview of how the platform fits together."),
        ("Ben Buyer", "Okay, that was clear."),
        ("Rita Sales", "Great. Any reactions so far?"),
        ("Ben Buyer", buyer_line),
        ("Rita Sales", rep_reply),
    )


# --- detection and category -------------------------------------------------------------

def test_not_a_price_objection_when_discounting_someone_elses_numbers():
    text = lines(("Rita Sales", "How much do you trust the numbers from Meta today?"),
                 ("Ben Buyer", "Like a five out of ten. I just take thirty percent off whatever Meta says."),
                 ("Rita Sales", "Got it."))
    assert run(text, with_questions=True) == []


@pytest.mark.parametrize("reply,key", [
    ("Six weeks, okay. I'm sure legal is getting buried by everybody right now.", "empathize"),
    ("Yeah, that makes sense. That's a lot of change at once.", "empathize"),
    ("Ugh, I'm sorry. Three years of paying for something that didn't work.", "empathize"),
    ("Five months is brutal.", "acknowledge"),
    # reframes: a contrast that changes what the buyer compares, proof, or a path built together
    ("Sure, that makes sense. But their quote probably doesn't include an SLA.", "reframe"),
    ("That's fair. That's exactly why we put the uptime guarantee in the contract.", "reframe"),
    ("I hear you. But we actually do seasonal pricing, so you only pay for active users.", "reframe"),
    ("Got it, totally understand. So we just need to show her it pays back.", "reframe"),
    ("I hear you. Most of our customers are mid-size firms, and they find it pays back in two deals.", "reframe"),
    # empathy: taking the buyer's or their colleague's seat, naming how heavy the step is
    ("That's a fair question, and honestly if I were Brian I'd ask it too.", "empathize"),
    ("That's a fair point, it's the first thing I'd ask if I were in Raj's seat.", "empathize"),
    ("I know two million in hardware isn't a number anyone signs lightly.", "empathize"),
    ("And it makes total sense that your sponsor would want consistency across the portfolio.", "empathize"),
    # normalising the concern
    ("Yeah, I hear you, everybody's budgets are tight this year.", "empathize"),
    ("Budgets get set long before anyone sees a proposal, so a gap like that is pretty normal.", "empathize"),
    ("Totally understand, that's how most companies with several plants work.", "empathize"),
    # short acknowledgements after a filler; a good / the right question
    ("Okay, fair enough. When you say tough, is it the total or the timing?", "acknowledge"),
    ("Okay, understood. Is that the number for the whole term?", "acknowledge"),
    ("Okay, got it, that's helpful.", "acknowledge"),
    ("None taken, that's the right question to ask.", "acknowledge"),
    ("Good question, and I'm glad you told me.", "acknowledge"),
    # imagining their side; it is real money
    ("I'd imagine that's a tough room to bring a new vendor into.", "empathize"),
    ("If I'd been burned three times, I'd want proof too.", "empathize"),
    ("I hear you, and it is real money, especially in a year like this one.", "empathize"),
])
def test_more_aecr_shapes(reply, key):
    assert _handled(reply)[key]


@pytest.mark.parametrize("line", [
    "I'm not sure how many of our aides have smartphones, most of them do, I think.",
    "I'm not sure what we pay them exactly, I'd have to look it up.",
])
def test_not_knowing_a_fact_is_not_an_objection(line):
    assert run(call_with(line)) == []


@pytest.mark.parametrize("reply", [
    "Yeah, but that was a decision-tree bot. This is totally different.",
    "Sure, but you're the one who'd actually use it.",
    "Oh, no, it's fine, it's totally separate from the network.",
])
def test_yes_but_is_not_acknowledging(reply):
    assert not _handled(reply)["acknowledge"]


def test_reassurance_is_not_a_reframe_and_pushing_is_not_clarifying():
    h = _handled("Totally fair. But we have a great onboarding team, so it's really not much work on your side.")
    assert h["acknowledge"] and not h["reframe"]
    assert not _handled("Can't you just run it through as a training expense?")["clarify"]


def test_empathy_from_their_seat():
    h = _handled("That makes complete sense, I'd want that too in their seat. What would the board need to see?")
    assert h["empathize"] and h["clarify"]


@pytest.mark.parametrize("answer", [
    "I wouldn't say it falls apart. The hours come in with the wrong job number sometimes.",
    "They're wrong. I can't trust the labor numbers on a job until a month after the fact.",
    "Well, you fight it. But it's a relationship thing, they're a big customer for us.",
])
def test_pain_in_answers_is_not_push_back(answer):
    text = lines(("Rita Sales", "So where does that get you into trouble?"), ("Ben Buyer", answer),
                 ("Rita Sales", "Got it, thanks."))
    assert run(text, with_questions=True) == []


def test_distrust_of_the_seller_is_still_trust():
    assert only(call_with("Honestly, I don't trust vendors who promise a payback in three months."))["category"] == "trust"


def test_answering_who_decides_is_not_an_authority_objection():
    text = lines(("Rita Sales", "Who else is involved in a decision like this?"),
                 ("Ben Buyer", "Me, and then Rich, our CEO, has to sign off on anything new."),
                 ("Rita Sales", "Got it, thanks."))
    assert run(text, with_questions=True) == []
    # the same words raised unprompted push back
    assert only(call_with("Rich, our CEO, has to sign off on anything new, and he hates new tools."))["category"] \
        == "authority"


def test_more_empathy_shapes():
    assert _handled("A POS rollout is brutal, and a lot of the chains we talk to are in the exact same spot.")["empathize"]
    assert _handled("That's completely fair. Your name is on the memo, so you should be skeptical.")["empathize"]


@pytest.mark.parametrize("line", [
    # pain: what the channels claim adds up to more than the sales
    "So if you add up what every platform says, we did like a hundred and forty percent of our bookings.",
    # pain about people's time, not a vendor in place
    "Part of me thinks we don't really have a tool problem. Nobody here has the time.",
])
def test_new_cue_shapes_keep_their_limits(line):
    assert all(o["category"] != "competition" and o["category"] != "trust" for o in run(call_with(line)))


def test_a_hard_stop_is_not_an_objection():
    assert run(call_with("Sorry, I've got a hard stop in about five minutes.")) == []


@pytest.mark.parametrize("reply", [
    "I hear you, and I get it, nobody planned for this back in the spring.",
    "Completely fair. The last thing you need is a rollout landing on top of audit prep.",
    "Completely fair. Peak is the last time anybody should be touching payables.",
    "That makes total sense, a POS rollout is a lot.",
])
def test_empathy_naming_the_weight_of_their_situation(reply):
    assert _handled(reply)["empathize"]


def test_a_lot_more_is_a_comparison_not_empathy():
    assert not _handled("Sure, they're a good company. Our import is a lot more flexible than theirs.")["empathize"]


@pytest.mark.parametrize("reply", [
    "I hear you. We could split it, half at signing and half in January, so it only hits this year at thirty-two.",
    "Okay, that's fair. So we can just push billing to start July first, and you wouldn't pay anything until then.",
])
def test_splitting_or_deferring_the_payment_is_a_concession_not_a_reframe(reply):
    text = lines(("Rita Sales", "And that's the pricing for the annual plan."),
                 ("Ben Buyer", "Honestly, that's more than our entire tooling budget, so that's going to be tough."),
                 ("Rita Sales", reply))
    o = only(text)
    assert o["rep_discounted"] is True and not o["handling"]["reframe"]
    assert o["handling"]["acknowledge"]


def test_okay_fair_after_arguing_back_concedes_it_does_not_acknowledge():
    text = lines(("Rita Sales", "And that's the pricing for the annual plan."),
                 ("Ben Buyer", "Honestly, even if we wanted this, nobody is touching a new system before peak."),
                 ("Rita Sales", "Yeah, but the onboarding is really light, it's like two weeks. You'd barely notice."),
                 ("Ben Buyer", "Two weeks in peak is two weeks we don't have."),
                 ("Rita Sales", "Okay, fair. Who else would be involved on your side?"))
    h = only(text)["handling"]
    assert not h["acknowledge"] and not h["empathize"]


@pytest.mark.parametrize("reply", [
    "Oh, you'd be surprised. Even small teams get a ton out of it. How many people do you think you'll add?",
    "Ha, yeah, we're not like that at all. So do you want me to put a proposal together?",
    "I mean, every customer says that until they see it. What's your renewal date with them?",
])
def test_a_question_after_arguing_back_does_not_clarify(reply):
    h = _handled(reply)
    assert not h["clarify"] and not h["acknowledge"]


@pytest.mark.parametrize("reply,acknowledged", [
    ("Sure, of course. Let me just share my screen real quick, the dashboard takes like two minutes.", False),
    ("Sure, sure. So, one more thing I want to show you, the reporting view.", False),
    ("Sure. So, on pricing, it's per agent, roughly a hundred and fifty K a year.", False),
    # the same token followed by a real question, or said with empathy, acknowledges
    ("Sure, of course. What would your CFO need to see to get comfortable?", True),
    ("Of course. Nobody wants to add a line to the budget mid-year.", True),
])
def test_a_bare_sure_and_on_to_the_pitch_is_a_brush_off(reply, acknowledged):
    assert _handled(reply)["acknowledge"] is acknowledged


def test_naming_the_buyer_constraint_is_not_arguing():
    h = _handled("I hear you. And you've got the number you've got, I know that's not something you can wish away. "
                 "Is that a hard ceiling for the first year, or the average over the term?")
    assert h["acknowledge"] and h["clarify"]


def test_empathy_by_taking_their_side():
    assert _handled("Totally reasonable. You've got patient product on those trucks, "
                    "I wouldn't take a vendor's word for it either.")["empathize"]


@pytest.mark.parametrize("line,category", [
    ("Honestly, we don't have the budget for this right now.", "budget"),
    ("That's way too expensive for a team our size.", "budget"),
    ("The price is a real problem for us, I can't justify that spend.", "budget"),
    ("Money is tight for me this year, so I don't know.", "budget"),
    ("That's too much. Would you take $400 for it?", "budget"),
    ("I can't see us starting anything new until the spring.", "timing"),
    ("It's just not the right time for us, maybe next quarter.", "timing"),
    ("I think we'd rather push this to next year.", "timing"),
    ("Full transparency, we're also talking to Brightline next week.", "competition"),
    ("We already pay for Qualtrics and it has its own dashboards that do this.", "competition"),
    ("Why would we add another vendor on top of what we have?", "competition"),
    ("I'd need to run it by my VP before we go any further.", "authority"),
    ("I can't sign off on something like this myself, that's Karen's call.", "authority"),
    ("We don't really need this, to be honest.", "need"),
    ("We already have something that works fine for us.", "need"),
    ("I'm not sure we need a tool for this at all.", "need"),
    ("I've been burned before by vendors promising exactly this.", "trust"),
    ("How do I know this works outside your demo data?", "trust"),
    ("Let me think about it and get back to you.", "other"),
    ("No thanks, it's not for me.", "need"),
    # shapes from the blind sets 12-14 (bench/labelled_calls)
    ("Honestly, that's going to be Dave's call, not mine.", "authority"),
    ("Anything over fifty thousand has to go out to bid anyway, I can't just pick a vendor.", "authority"),
    ("Oh great. Another app for my team to ignore.", "need"),
    ("I just don't know if it's for us, honestly.", "need"),
    ("I'll be honest with you, the timing's rough, we've got audits all spring.", "timing"),
    ("You don't switch systems in the middle of a project.", "timing"),
    ("We're heading into peak season and nobody's touching anything until January.", "timing"),
    ("Our margins don't have room for that.", "budget"),
    ("Who has forty thousand a year lying around for a dashboard?", "budget"),
    ("Why is this more than double what we pay now?", "budget"),
    ("A five percent escalator is not something we sign.", "budget"),
    ("I'll believe it when I see it.", "trust"),
    ("Let me guess, you're going to save us thirty percent.", "trust"),
    # and from sets 15-16
    ("Seventy-five hundred for a one-year deal feels steep.", "budget"),
    ("I don't know, that's probably on the pricey side for us this year.", "budget"),
    ("We need to be at two-forty.", "budget"),
    ("So you're asking us to go to almost five x, for a company our size.", "budget"),
    ("Honestly, signing before the freeze seems unlikely.", "timing"),
    ("Next fiscal year, maybe.", "timing"),
    ("ClearSpend came back with a twenty-five percent nonprofit discount.", "competition"),
    ("They're pushing their own AI agent, and it's already in our stack, so, you know.", "competition"),
    ("And the team's kind of fine with macros, to be honest.", "need"),
    ("Why would an eighteen-person team need workforce management?", "need"),
    ("The last vendor that told us they were audit-ready couldn't produce a single report.", "trust"),
    ("Frank's going to want to see this himself before anything happens.", "authority"),
    # and from sets 21-22
    ("That's more than I was hoping.", "budget"),
    ("A hundred and fifty-six is above what we budgeted.", "budget"),
    ("Nothing gets installed here between February first and April fifteenth.", "timing"),
    ("Honestly, though, this week is not the week.", "timing"),
    ("We'd probably look at this after the Series C closes, maybe.", "timing"),
    ("I'd have to talk to Graham anyway.", "authority"),
    ("Anything longer than one year needs the partners' board, and they won't love it.", "authority"),
    ("Every backup vendor I've ever talked to says restores are one click.", "trust"),
    ("Is that in the contract with credits, or is that a brochure number?", "trust"),
    ("And the last three platforms we bought were also going to fix this.", "trust"),
    ("I'm not sure we have a big enough problem here to buy a whole platform.", "need"),
    ("Salesforce is pitching us their add-on, and it's basically bundled into our renewal.", "competition"),
    ("We're already on Veeva, and their CLM does a lot of this.", "competition"),
])
def test_objection_shapes_and_categories(line, category):
    o = only(call_with(line))
    assert o["category"] == category
    assert o["speaker"] == "Ben Buyer"
    assert line.split()[0].strip(",.") in o["text"]


@pytest.mark.parametrize("line", [
    "What does something like this cost?",
    "How long does the setup usually take?",
    "Sounds good, let's do it.",
    "That makes sense, thanks.",
    "Yeah, we had a team dinner on Thursday, it was great.",
    "Honestly the numbers never agree and nobody trusts the report.",
    "We spend about two million a year on paid search.",
    "Our CFO signs anything over fifty K.",
    "We currently have a spreadsheet that Tom updates every Monday.",
    "Is it in good condition? How old is it?",
    "No problem at all, take your time.",
    "Too much pizza this week, honestly.",
    # acceptance, a colleague's estimate of the money lost, a concession, a meeting at a given time
    "Okay, if it doesn't touch the ledger until the migration is live, I can probably live with that.",
    "He figured about forty thousand a year in credits we never got, maybe more.",
    "That's a better conversation, I'll give you that.",
    "Nine thirty's fine. I've got a carrier call at nine forty-five, so I do need to be out on time.",
    "I've got a hard stop at two, but yeah.",
    "Okay. I'd need to model that, but that could work.",
])
def test_non_objections(line):
    assert run(call_with(line)) == []


def test_buyer_describing_own_problem_is_not_an_objection():
    text = lines(
        ("Rita Sales", "Walk me through how you report on campaigns today."),
        ("Ben Buyer", "Honestly, it's a mess. I can't prove which channel works, and finance doesn't trust our numbers."),
        ("Ben Buyer", "Last quarter they cut my budget by ten percent because of it."),
        ("Rita Sales", "What did that cut mean for the team?"),
        ("Ben Buyer", "We dropped two events. And I'm not sure we'll hit the pipeline target."),
    )
    assert run(text) == []


def test_only_buyers_raise_objections():
    text = lines(
        ("Rita Sales", "Honestly we don't have the budget to discount further, the price is the price."),
        ("Ben Buyer", "Okay, understood."),
    )
    assert run(text) == []


# --- haggling and hesitation (bargaining chat, --rep Seller) -----------------------------

BARGAIN = lines(
    ("Buyer", "Hi, is the bike still available?"),
    ("Seller", "Yes it is. It's in great shape, I'm asking $300."),
    ("Buyer", "Does it come with the lights?"),
    ("Seller", "Yes, both lights are included."),
    ("Buyer", "That's a bit steep for me. Would you take $200?"),
    ("Seller", "I could do $270, it's barely been ridden."),
    ("Buyer", "I'm a student, so money is tight. How about $220?"),
    ("Seller", "Meet me at $250 and it's yours."),
    ("Buyer", "Hmm, I'm not sure. I saw one like it on another site for $210."),
    ("Seller", "That one doesn't have the new brakes."),
    ("Buyer", "Okay, $250 works. Deal."),
    ("Seller", "Great, see you Saturday."),
)


def test_haggling_rounds_are_budget_objections():
    objs = run(BARGAIN, reps=("Seller",))
    texts = [o["text"] for o in objs]
    assert any("Would you take $200" in t for t in texts)
    assert any("How about $220" in t for t in texts)
    assert all(o["category"] == "budget" for o in objs)
    assert not any("still available" in t or "Deal" in t or "lights" in t for t in texts)
    assert all(o["start"] is None for o in objs)  # untimed transcript


def test_hesitation_is_an_objection():
    text = lines(
        ("Seller", "It's $40 and I can drop it off tomorrow."),
        ("Buyer", "Hmm, I'm not sure about this. Let me think about it."),
        ("Seller", "Sure, no rush."),
    )
    o = only(text, reps=("Seller",))
    assert o["category"] == "other"


# --- episodes: follow-ups and new topics ---------------------------------------------------

EPISODE = """WEBVTT

00:00:00.000 --> 00:00:05.000
<v Rita Sales>For a team your size it's about sixty K a year.

00:00:05.000 --> 00:00:12.000
<v Ben Buyer>So I'll be direct, the price is where we have a problem.

00:00:12.000 --> 00:00:18.000
<v Ben Buyer>Our approved budget for this is forty-five. Sixty isn't going to happen.

00:00:18.000 --> 00:00:21.000
<v Rita Sales>I can do fifty-five.

00:00:21.000 --> 00:00:24.000
<v Ben Buyer>That's still ten over.

00:00:24.000 --> 00:00:28.000
<v Rita Sales>Fine, fifty-two if you sign this month. That's as low as I can go.

00:00:28.000 --> 00:00:30.000
<v Ben Buyer>Hm. Noted.

00:00:30.000 --> 00:00:40.000
<v Ben Buyer>The other thing is timing. Our security review takes ninety days, so realistically we'd push this to next fiscal year.

00:00:40.000 --> 00:00:46.000
<v Rita Sales>Ninety days is way too long. There's really no reason for it to take that.
"""


def test_follow_ups_stay_in_one_objection_and_new_topic_starts_another():
    objs = run(EPISODE, path="e.vtt")
    assert [o["category"] for o in objs] == ["budget", "timing"]
    b, t = objs
    assert b["start"] == 5.0 and "isn't going to happen" in b["text"]
    assert [f["quote"] for f in b["follow_ups"]] == ["That's still ten over."]
    assert b["response_text"].startswith("I can do fifty-five.")
    assert b["response_start"] == 18.0
    assert b["handling"] == {"acknowledge": False, "empathize": False, "clarify": False, "reframe": False}
    assert b["rep_discounted"] is True
    assert t["start"] == 30.0
    assert t["rep_argued"] is True
    assert t["handling"] == {"acknowledge": False, "empathize": False, "clarify": False, "reframe": False}


# --- AECR ---------------------------------------------------------------------------------

GOOD = lines(
    ("Rita Sales", "That's the full picture of what rollout looks like."),
    ("Ben Buyer", "Can I be honest?"),
    ("Rita Sales", "Please."),
    ("Ben Buyer", "I got burned by a vendor like this before. We spent months on it and the data was garbage."),
    ("Rita Sales", "I really appreciate you telling me that. Honestly, I'd be skeptical too after that."),
    ("Rita Sales", "Can I ask what went wrong, was it the data itself or the way it was set up?"),
    ("Ben Buyer", "Mostly the setup. Nobody owned it."),
    ("Rita Sales", "That helps. So it's less about the tool and more about ownership. What we usually see work is a two-week pilot with one owner on your side."),
    ("Ben Buyer", "Okay, that's different."),
)


def test_full_aecr_with_evidence():
    o = only(GOOD)
    assert o["category"] == "trust"
    assert o["handling"] == {"acknowledge": True, "empathize": True, "clarify": True, "reframe": True}
    ev = o["handling_evidence"]
    assert "appreciate" in ev["acknowledge"]["quote"]
    assert "skeptical too" in ev["empathize"]["quote"]
    assert ev["clarify"]["quote"].startswith("Can I ask")
    assert "less about" in ev["reframe"]["quote"]
    assert "pilot" in o["response_text"]
    assert o["rep_argued"] is False


def _handled(reply, follow=None):
    pairs = [
        ("Rita Sales", "And that's the pricing for the annual plan."),
        ("Ben Buyer", "Honestly, that's more than our entire tooling budget, so that's going to be tough."),
        ("Rita Sales", reply),
    ]
    if follow:
        pairs += [("Ben Buyer", "Mostly where the money comes from."), ("Rita Sales", follow)]
    return only(lines(*pairs))["handling"]


def test_acknowledge_only():
    h = _handled("Yeah, I hear you, that's a fair comparison to make. Let me show you the reporting next.")
    assert h == {"acknowledge": True, "empathize": False, "clarify": False, "reframe": False}


@pytest.mark.parametrize("reply", [
    "Yeah, no, good question, honestly. The annual plan covers every seat, so there's nothing on top.",
    "Oh, that's, yeah, good catch. The tooling line isn't where most teams fund it.",
])
def test_acknowledge_behind_fillers(reply):
    # speech piles discourse words in front of the acknowledgement ("yeah, no, good question")
    assert _handled(reply)["acknowledge"]


def test_crediting_the_rival_acknowledges():
    pairs = [("Rita Sales", "So that's the reporting side."),
             ("Ben Buyer", "We're also talking to Clausely, and their demo was strong."),
             ("Rita Sales", "Oh yeah, they're good, they're a solid product. Where we differ is the signing piece.")]
    assert only(lines(*pairs))["handling"]["acknowledge"]


def test_empathize_present():
    h = _handled("That's fair. Nobody loves adding a big line to a tooling budget.")
    assert h["acknowledge"] and h["empathize"] and not h["clarify"]


def test_clarify_present_without_question_mark():
    h = _handled("Is it the total that's the problem or where it would come from",
                 "Okay. Against your media budget that's about two tenths of a percent.")
    assert h["clarify"] and h["reframe"] and not h["acknowledge"]


def test_reframe_needs_ack_or_clarify():
    h = _handled("No, that's not the right way to look at it. Compared to your media spend it's a rounding error.")
    assert h == {"acknowledge": False, "empathize": False, "clarify": False, "reframe": False}


@pytest.mark.parametrize("reply", [
    "Well, it pays for itself in a quarter. Does that make sense?",
    # pushing for the next step or making an offer is not asking about the concern
    "Totally. So, any other questions on the platform?",
    "Okay. I'll send over the deck and the pricing, and let me know what your CFO thinks?",
    "Could you just forward him the deck? It kind of sells itself.",
    "Okay, no problem. So when's the next committee meeting?",
    "Spring's the best time to start. What's your timeline looking like for making a decision?",
    "Alright, what if I knock it down to three-fifty a month?",
])
def test_questions_that_do_not_ask_about_the_concern_are_not_clarify(reply):
    assert not _handled(reply)["clarify"]


def test_no_response():
    text = lines(("Rita Sales", "Here's the quote."), ("Ben Buyer", "That's way too expensive for us."))
    o = only(text)
    assert o["response_text"] is None and o["response_start"] is None
    assert not any(o["handling"].values())


def test_rep_moving_on_is_not_part_of_the_response():
    text = lines(
        ("Rita Sales", "So that's the plan."),
        ("Ben Buyer", "The other thing is, I don't see us starting anything new until April."),
        ("Rita Sales", "I'd push back on that, everybody says April and then it's June."),
        ("Ben Buyer", "Okay, well. Let's see."),
        ("Rita Sales", "So what's the best way to get your boss on a call next week?"),
    )
    o = only(text)
    assert o["category"] == "timing"
    assert not o["handling"]["clarify"]
    assert "next week" not in o["response_text"]


def test_unknown_roles_without_reps():
    text = lines(
        ("A", "It's sixty K a year for your team."),
        ("B", "That's way too expensive for us right now."),
        ("A", "I hear you. Is it the total or the timing of the spend?"),
    )
    o = only(text, reps=())
    assert o["speaker"] == "B" and o["role"] == "unknown"
    assert o["handling"]["acknowledge"] and o["handling"]["clarify"]


def test_unpunctuated_text():
    text = lines(
        ("Rita Sales", "so that is the rollout plan"),
        ("Ben Buyer", "honestly we dont have budget for this there is no line item"),
        ("Rita Sales", "I really appreciate you saying that can I ask is that no money at all or just not set aside yet"),
    )
    o = only(text)
    assert o["category"] == "budget"
    assert o["handling"]["acknowledge"] and o["handling"]["clarify"]


def test_report_contract_keys():
    o = only(GOOD)
    for k in ("start", "speaker", "text", "category", "handling", "response_text"):
        assert k in o


def test_unpunctuated_pain_answer_is_not_an_objection_with_question_analyzer():
    text = lines(
        ("Rita Sales", "okay and how does the sales team feel about the report today"),
        ("Ben Buyer", "honestly not great sales doesn't believe it and I can't prove the budget works"),
        ("Rita Sales", "got it"),
        ("Ben Buyer", "can I be honest we don't have budget for this there's no line item"),
        ("Rita Sales", "I appreciate that can I ask is it no money at all or just not set aside yet"),
    )
    objs = run(text, with_questions=True)
    assert [o["category"] for o in objs] == ["budget"]
    assert objs[0]["text"].startswith("can I be honest")
    assert objs[0]["handling"]["acknowledge"] and objs[0]["handling"]["clarify"]


PARAPHRASES = {
    "budget": ["Look, I like it, but the pricing is just not where it needs to be for us.",
               "We were expecting something closer to thirty K.",
               "I can't spend that without cutting something else.",
               "Can I be blunt? We can't pay that.",
               "That's more than we pay for anything else."],
    "timing": ["We're about to go into our busiest season, so this would have to wait.",
               "Could we pick this up again in the new year?",
               "Right now isn't a good time for us.",
               "We're not really in a hurry."],
    "competition": ["We've been trialing Dreamdata for a month and it's going okay.",
                    "We're comparing you with two other platforms.",
                    "To be transparent, we're also looking at Rockerbox."],
    "authority": ["I'll have to bring this to our leadership team before I can say yes.",
                  "I'd want our CTO to weigh in before we commit.",
                  "I'll have to run it by Dale anyway."],
    "need": ["Our current process works well enough for now.",
             "Honestly, our team can just build this in Looker.",
             "I'm not sure this solves a problem we actually have."],
    "trust": ["How do we know your model isn't just grading its own homework?",
              "We had a bad experience with a similar vendor last year.",
              "Frankly, I don't believe attribution can ever be that accurate."],
}


def test_paraphrase_recall():
    cases = [(cat, line) for cat, lines_ in PARAPHRASES.items() for line in lines_]
    right = sum(bool(o := run(call_with(line))) and o[0]["category"] == cat for cat, line in cases)
    assert right / len(cases) >= 0.9


# --- one objection per haggling round; the trained model -----------------------------------

def test_each_pushback_turn_after_a_counter_offer_is_its_own_objection():
    text = lines(
        ("Buyer", "Hi, is the dresser still for sale?"),
        ("Seller", "Yes, solid wood, $220."),
        ("Buyer", "Honestly it looks pretty worn in the pictures."),
        ("Seller", "It's just the lighting. I could do $200."),
        ("Buyer", "I'm on a really tight budget this month, I'm sorry."),
        ("Seller", "$190 and I'll help you load it."),
        ("Buyer", "I'm still not sure it's worth that. Let me think it over."),
        ("Seller", "Okay."),
    )
    objs = run(text, reps=("Seller",))
    assert [o["text"].split()[0] for o in objs] == ["Honestly", "I'm", "I'm"]
    assert all("\n" not in o["text"] and o["text"].count("Seller") == 0 for o in objs)


def test_model_ships_as_json_and_runtime_needs_no_sklearn():
    from salescoach.analysis import objections as O
    m = O._model()
    assert m is not None and m["weights"] and 0 < m["threshold"] < 1
    assert "sklearn" not in O.__dict__ and "numpy" not in O.__dict__
    assert isinstance(O.model_score(m, O.text_features("That's too much for a used bike.")), float)


# --- answers to discovery questions: push-back still counts, facts and pain do not --------------

@pytest.mark.parametrize("question", ["How are you handling budget for something like this?",
                                      "Who else is involved in a decision like this?"])
@pytest.mark.parametrize("answer,category", [
    ("To be frank, it's not a priority for us this year, we've got too much going on.", "timing"),
    ("Honestly it's not my call, and my VP has said no to new tools twice already.", "authority"),
    ("We have about 50k set aside for Q3.", None),
    ("we'd like to decide by the end of the month", None),
    ("Honestly it's a mess, we lose about ten hours a week to it.", None),
])
def test_answers_to_discovery_questions(question, answer, category):
    text = lines(("Rita Sales", question), ("Ben Buyer", answer), ("Rita Sales", "Got it, thanks."))
    objs = run(text, with_questions=True)
    assert [o["category"] for o in objs] == ([category] if category else [])


@pytest.mark.parametrize("line,category", [
    ("I'm gonna be honest with you, though. I'm not sure this is the right time to be taking on something new.",
     "timing"),
    ("Realistically this isn't getting signed before quarter-end.", "timing"),
    ("Honestly, I don't see us needing the parts piece.", "need"),
    ("That's more than we spent on the whole software line last year, by a lot.", "budget"),
    ("We'd need you at least fifteen percent lower to get this done.", "budget"),
    ("I don't know that I buy that, to be honest with you.", "trust"),
    ("I'm not comfortable locking into three years with a vendor we've never worked with.", "trust"),
    ("Look, our supers won't use another app.", "need"),
    ("Yeah, we already get most of that from TransitCore, our dispatch system.", "competition"),
    ("Well, anything driver-facing would have to be negotiated with the union.", "authority"),
    ("And honestly, I don't want to bring in another system before we know what comes with the new buses.",
     "timing"),
    ("What I'm not sure about is whether we do enough deals to justify this.", "need"),
    ("We just rolled out new registers across every store, so capital is pretty tight right now.", "budget"),
    ("We got another quote, from GridSense, and they came in about twenty percent lower.", "competition"),
    ("Show me a customer like us.", "trust"),
    ("And honestly, if Banner already has a module we're paying for, that's going to be hard to argue against.",
     "competition"),
    ("We just signed with Polyglot Forge last year.", "competition"),
    ("The risk assessment alone is three months, so nothing's getting signed this quarter.", "timing"),
    ("Part of me thinks we don't really have a vendor problem, we have a time problem.", "need"),
    ("And the twenty K implementation fee, that's a non-starter for us.", "budget"),
    ("Just so we're clear, I'm not the one who decides on something like this.", "authority"),
    ("The thing for me is, we'd have to see it working somewhere like us.", "trust"),
    ("I'm worried my team won't adopt it.", "trust"),
    ("And I think HR's going to ask why we don't just use the learning module in Workday.", "competition"),
    ("We had a demo with Tenantry last month, and they came in a lot cheaper.", "competition"),
    ("We've been on EntraStay six years and switching is a nightmare.", "competition"),
    ("Anything over twenty-five thousand, procurement will want three bids.", "authority"),
    ("But look, at the end of the day, I can't say yes to this.", "authority"),
    ("And realistically, we're not doing this this quarter.", "timing"),
    # someone the buyer already works with offers its own version: competition
    ("Our implementer already pitched us their own bill capture add-on, and it's supposedly cheaper.", "competition"),
    ("And just to put it out there, our accounting firm has offered to take AP off our hands entirely.",
     "competition"),
    ("Acumatica already has a document recognition add-on, and we're paying for it as part of our license.",
     "competition"),
    ("We have a second proposal from TrainTrack, and they came in at one-thirty for the full two thousand.",
     "competition"),
    ("Corporate already pays for UKG, and I think they have a learning module we're not even using.",
     "competition"),
    ("I've signed a lot of training software over the years, and most of it is shelfware by month six.", "trust"),
    ("The last training company we used promised custom content and we got generic videos.", "trust"),
    ("Two-ten just doesn't work for us.", "budget"),
    ("We can't really buy software at the plant level, it all goes through corporate in Harrisburg.", "authority"),
    ("I'll be upfront, we're looking at RigSight too.", "competition"),
    ("Forty-six is better. But FleetHawk came back at thirty-nine.", "competition"),
    ("The other thing is, the GPS we have now is free.", "competition"),
    ("Sixty-two a truck is a lot more than we're paying for the GPS we have now.", "budget"),
    ("Okay, I'm going to be the skeptic here. I don't love the idea of two hundred devices I don't control.",
     "trust"),
    # eighth session (sets 23, 25 and 27): skepticism about vendors in general, getting by, a rival asked about
    ("Every audit company says they'll find three to five percent.", "trust"),
    ("Yeah, well, everybody's dashboard looks great in the sandbox.", "trust"),
    ("See, and that's where I get nervous, because the bank feeds at my last job broke every other week.", "trust"),
    ("Honestly? We kind of get by.", "need"),
    ("I mean, honestly, it's not that bad for us. We make it work.", "need"),
    ("Great. Another dashboard for me to not look at.", "need"),
    ("Dale asked whether we really need a separate tool for this, since the ERP has bank rec built in.", "need"),
    ("Doesn't Routemark have an audit thing now?", "competition"),
    ("Trakwell showed us basically the same thing last week.", "competition"),
    ("BlackLine was in here last spring, and to be frank, they had a better story on the audit side.",
     "competition"),
    ("We already use ParcelPoint for refunds, though.", "competition"),
    ("And just so you know, we're also taking a look at FloQast.", "competition"),
    ("So if we're not integrated before the fifteenth, it's February at the earliest.", "timing"),
    ("So, realistically, not before spring.", "timing"),
    ("With the upgrade in the first quarter, we're not looking at anything new before spring.", "timing"),
    ("Yeah, that's, uh, that's more than I was figuring.", "budget"),
    ("We sort of froze new software spend for the rest of the year, so I'm not sure where the money would come "
     "from.", "budget"),
    ("Realistically, this would have to go into next year's budget. We're kind of spent for this year.", "budget"),
    ("Is there a smaller version of this, for people with smaller budgets?", "budget"),
    ("Because it's definitely not coming out of mine.", "budget"),
    ("Ninety-four thousand a year is not happening.", "budget"),
])
def test_objection_shapes_from_the_written_calls(line, category):
    """Shapes found on the labelled calls written for this project (bench/labelled_calls)."""
    assert only(call_with(line))["category"] == category


# --- tenth session: cue families from the training sets' misses ----------------------------------------------
@pytest.mark.parametrize("line,category", [
    ("AI that reads our contracts. What could possibly go wrong.", "trust"),
    ("Every broker who calls us says they'll save us fifteen percent.", "trust"),
    ("A buddy of mine at the supply house said you guys raised prices on everybody at renewal.", "trust"),
    ("The ROI numbers came from your own team, and I'd discount those pretty heavily.", "trust"),
    ("And I'm guessing this isn't cheap.", "budget"),
    ("Per-seat pricing adds up fast when you have nine schools.", "budget"),
    ("And the twenty-four thousand is more than I had in my head.", "budget"),
    ("Four-ten doesn't work, we need year one at three-forty.", "budget"),
    ("Honestly, that's more than my whole program costs to run.", "budget"),
    ("Maybe this is a next-year thing.", "timing"),
    ("And we're not switching anything before the holidays.", "timing"),
    ("I just don't know if we can take on a new system before Boulder opens.", "timing"),
    ("I don't pick software anyway.", "authority"),
    ("So on a three-year term, it's not my signature, it's Victor's.", "authority"),
    ("Oh good, another portal.", "need"),
    ("Ordwell will do it for sixty-eight, and they'll throw in implementation.", "competition"),
    ("Our consultant keeps telling us to look at ChartBridge.", "competition"),
    ("Castline came in at two-ninety for the same scope.", "competition"),
])
def test_tenth_session_objection_shapes(line, category):
    o = only(call_with(line))
    assert o["category"] == category and o["detected_by"] == "cue"


@pytest.mark.parametrize("line", [
    "He sees three numbers for the same thing and assumes all of them are wrong.",
    "He's the one who signs off on the budget.",
    "That's a big jump in thirty seconds.",
])
def test_tenth_session_shapes_keep_their_limits(line):
    assert run(call_with(line)) == []


def test_saying_the_objection_again_word_for_word_holds_the_line_it_is_not_a_new_round():
    objs = run(lines(
        ("Rita Sales", "So that's the order form, a hundred and twenty techs at the agreed price."),
        ("Ben Buyer", "And payment terms. We pay net ninety."),
        ("Rita Sales", "We normally do net thirty."),
        ("Ben Buyer", "Everyone normally does net thirty. We pay net ninety."),
        ("Rita Sales", "Okay, I can probably do net sixty."),
    ))
    assert len(objs) == 1 and objs[0]["category"] == "budget", [o["text"] for o in objs]
    assert [f["quote"] for f in objs[0]["follow_ups"]] == ["We pay net ninety."]


def test_thats_why_were_talking_to_you_is_not_a_rival():
    assert run(call_with("That's, honestly, that's why we're talking to you.")) == []
