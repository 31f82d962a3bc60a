"""Question analyzer: detection with and without punctuation, typing, metrics."""
from __future__ import annotations

import pytest

from salescoach.analysis import Pipeline
from salescoach.analysis.questions import detect, question_form
from salescoach.analysis.sentences import split_sentences
from salescoach.transcript.model import Call, Segment

REP = "Ana Rep"
BUY = "Bo Buyer"


def run(lines, timed=True):
    segs = []
    t = 0.0
    for spk, text in lines:
        segs.append(Segment(spk, text, t if timed else None, t + 5 if timed else None))
        t += 6
    call = Call(id="t", source="t.txt", segments=segs, format="text", reps=[REP])
    return Pipeline(["conversation", "questions"]).run(call)


def rep_spins(report: dict) -> dict[str, str]:
    """{question text: SPIN type} of the rep's questions in a report."""
    return {q["text"]: q["spin"] for q in report["questions"] if q["role"] == "rep"}


def _spins(lines):
    return rep_spins(run(lines))


def is_q(text):
    return detect(text) is not None


@pytest.mark.parametrize("text", [
    "How big is the team today?",
    "how big is the team today",
    "Do you run this in Excel?",
    "do you run this in excel",
    "Walk me through how that works today",
    "tell me about the last time the report was late",
    "I'd be curious how you deal with returns",
    "And you're on Salesforce, right?",
    "Is it the price or the timing that worries you",
    "what happens if nothing changes by the spring",
])
def test_detects_questions_with_and_without_punctuation(text):
    assert is_q(text)


@pytest.mark.parametrize("text", [
    "What I mean is that the numbers never match.",
    "what i mean is the numbers never match",
    "How we do it is pretty simple, we export everything on Mondays.",
    "We export everything into a spreadsheet on Mondays.",
    "yeah that makes sense",
    "Thanks so much for making the time today.",
])
def test_non_questions(text):
    assert not is_q(text)


def test_splits_unpunctuated_segment_at_capitals():
    assert split_sentences("Okay got it How many people are on the team") == ["Okay got it",
                                                                             "How many people are on the team"]
    # a name after a function word does not start a sentence
    assert split_sentences("when Andrew asks which number is real") == ["when Andrew asks which number is real"]


def test_question_clause_in_unpunctuated_segment():
    r = run([(REP, "Got it Walk me through where the budget goes today"), (BUY, "Mostly search and social")])
    assert [q["text"] for q in r["questions"]] == ["Walk me through where the budget goes today"]
    # lower-case speech-to-text: the question clause is cut out of the sentence
    assert detect("okay that makes sense so how do you track that today") == "how do you track that today"
    assert detect("we track it in a spreadsheet and send it around on mondays") is None


def test_model_weights_ship_as_json():
    from importlib import resources
    import json
    data = json.loads(resources.files("salescoach.models").joinpath("questions.json").read_text())
    assert data["kind"] == "logistic-regimes"
    for regime in ("punct", "nopunct"):
        assert 0 < data[regime]["threshold"] < 1 and data[regime]["weights"]
    assert data["punct"]["weights"]["end?"] > 0


def test_punctuated_text_gets_its_own_model():
    """In punctuated text '?' on a declarative marks a question; the same words without punctuation are
    a statement. One model for both had to share its word weights and missed such questions."""
    from salescoach.analysis.questions import model
    assert model(True) is not model(False)
    r = run([(REP, "We set it up for the finance team last spring."),
             (BUY, "But she got credits for it?"), (REP, "Yes, all of them.")])
    assert [q["text"] for q in r["questions"]] == ["But she got credits for it?"]


def test_you_declarative_context():
    from salescoach.analysis.questions import _you_declarative, context
    assert _you_declarative(["so", "you're", "not", "living", "there"])
    assert _you_declarative(["you", "still", "need", "space"])
    assert not _you_declarative(["you", "know", "it", "breaks"])
    assert not _you_declarative(["we", "think", "you", "need", "it"])
    units = [("A", "so you're on shopify today", 0.0, 2.0, 0), ("B", "yeah since last year", 2.2, 4.0, 1)]
    f = context(units, 0, ["so", "you're", "on", "shopify", "today"])
    assert "yd&nx_other" in f and "yd&nxf=yeah" in f


@pytest.mark.parametrize("text,form", [
    ("How is the team set up?", "open"),
    ("Why did you switch vendors?", "open"),
    ("Walk me through your process.", "open"),
    ("Do you use Salesforce?", "closed"),
    ("Are you online only, or do you have stores?", "closed"),
    ("How many people are on the team?", "closed"),
    ("And you're on Shopify, right?", "closed"),
    ("If you had numbers you trusted, what would that change for you?", "open"),
    ("Can I ask what made it feel like a black box?", "open"),
])
def test_form(text, form):
    assert question_form(text) == form


CALL = [
    (REP, "Hi Bo! How was the trip?"),
    (BUY, "Great, thanks. Sunny the whole time."),
    (REP, "Nice. So I've got us down for thirty minutes, I'd like to learn about your setup and then decide on next steps. Does that work?"),
    (BUY, "Works for me."),
    (REP, "Great. What does your company sell, mainly?"),
    (BUY, "Outdoor gear."),
    (REP, "And how is the marketing team set up today?"),
    (BUY, "Three people, me included."),
    (REP, "Where does the current reporting fall short for you?"),
    (BUY, "It takes forever and nobody trusts it."),
    (REP, "Tell me more."),
    (BUY, "We rebuild the sheet every Monday."),
    (REP, "What is that costing the business?"),
    (BUY, "Probably a lot of wasted spend."),
    (REP, "What's at stake for you personally here?"),
    (BUY, "My credibility with the CFO."),
    (REP, "If you had numbers the CFO trusted, what would that change for you?"),
    (BUY, "I could finally plan the budget with confidence."),
    (REP, "Who else is involved in a decision like this?"),
    (BUY, "Our CFO, Dana."),
    (REP, "Could you send me last quarter's export by Friday?"),
    (BUY, "Sure. Does it work with Shopify?"),
]


def test_spin_sandler_socratic_researchable():
    r = run(CALL)
    qs = {q["text"]: q for q in r["questions"]}
    assert qs["How was the trip?"]["spin"] == "other"
    assert qs["Does that work?"]["spin"] == "other"
    sell = qs["What does your company sell, mainly?"]
    assert sell["spin"] == "situation" and sell["researchable"] is True
    team = qs["And how is the marketing team set up today?"]
    assert team["spin"] == "situation" and team["researchable"] is False and team["socratic"] == "diagnostic"
    prob = qs["Where does the current reporting fall short for you?"]
    assert prob["spin"] == "problem" and prob["sandler_level"] == 1 and prob["form"] == "open"
    assert qs["Tell me more."]["spin"] == "problem"
    cost = qs["What is that costing the business?"]
    assert cost["spin"] == "implication" and cost["sandler_level"] == 2
    stake = qs["What's at stake for you personally here?"]
    assert stake["spin"] == "implication" and stake["sandler_level"] == 3
    assert qs["If you had numbers the CFO trusted, what would that change for you?"]["spin"] == "need_payoff"
    who = qs["Who else is involved in a decision like this?"]
    assert who["spin"] == "other" and who["socratic"] == "accountability"
    send = qs["Could you send me last quarter's export by Friday?"]
    assert send["socratic"] == "accountability" and send["form"] == "closed"
    buyer_q = qs["Does it work with Shopify?"]
    assert buyer_q["role"] == "buyer" and buyer_q["spin"] is None and buyer_q["sandler_level"] is None
    for q in r["questions"]:
        assert set(q) >= {"start", "speaker", "role", "text", "form", "spin", "sandler_level", "socratic",
                          "researchable"}
        assert q["form"] in ("open", "closed")


def test_metrics_counts():
    r = run(CALL)
    n_rep = sum(q["role"] == "rep" for q in r["questions"])
    assert n_rep == 11
    assert r["metrics"]["rep_questions"] == n_rep
    hours = r["call"]["duration_s"] / 3600 if "call" in r and r["call"].get("duration_s") else None
    assert r["metrics"]["questions_per_hour"] is not None
    if hours:
        assert r["metrics"]["questions_per_hour"] == pytest.approx(n_rep / hours, rel=0.01)
    untimed = run(CALL, timed=False)
    assert untimed["metrics"]["rep_questions"] == n_rep
    assert untimed["metrics"]["questions_per_hour"] is None


def test_start_is_segment_start():
    r = run([(BUY, "Hello there."), (REP, "Okay. So how do you track that today?")])
    assert r["questions"][0]["start"] == 6.0


def test_context_features_use_speaker_and_pauses():
    from salescoach.analysis.questions import context
    units = [(BUY, "we moved everything to the new warehouse in march", 0.0, 4.0, 0),
             (BUY, "right", 4.5, 4.8, 1),
             (REP, "right", 5.3, 5.6, 2),
             (REP, "so how many orders a day", 5.6, 7.0, 2)]
    own = context(units, 1, ["right"])
    assert {"pv_same", "pv_same&g1", "sh=right&pv_same&g1", "sh=right&pv_same", "nx_other"} <= set(own)
    other = context(units, 2, ["right"])
    assert {"pv_other", "sh=right&pv_other&g1", "nx_seg"} <= set(other)
    untimed = [(a, b, None, None, k) for a, b, _, _, k in units]
    assert not any("&g" in f for f in context(untimed, 1, ["right"]))


def test_logit_counts_each_feature_once():
    from salescoach.analysis.questions import clean_tokens, features, model, tokenize
    m = model()
    for text in ["So, how, how do you do that, and how do you track it?", "we we track it it in a sheet",
                 "okay so what do you use today"]:
        toks = clean_tokens(tokenize(text))
        ctx = ["pv_other", "nx_other"]
        expect = m.bias + sum(m.w.get(f, 0.0) for f in set(features(text, ctx, toks)))
        assert m.logit(text, ctx, toks) == pytest.approx(expect)


@pytest.mark.parametrize("text,cleft", [
    ("What happened is that the export broke.", True),
    ("so what's going on is that nobody owns the report", True),
    ("What I mean is the numbers never match.", True),
    ("How long is that going to take?", False),
    ("What is it that you need from us?", False),
    ("What I'd love to know is how you report today.", False),
])
def test_cleft_statements(text, cleft):
    from salescoach.analysis.questions import is_cleft_statement
    assert is_cleft_statement(text) is cleft


def test_standalone_tag_after_own_statement_is_a_question():
    # timed, unpunctuated meeting speech: "right" added by the same speaker right after their own
    # statement asks for confirmation; "right" from the other speaker is a backchannel
    segs = [Segment(BUY, "so the export runs every night and then it goes to the warehouse", 0.0, 4.0),
            Segment(BUY, "right", 4.2, 4.5),
            Segment(REP, "yeah that matches what i saw", 5.5, 7.5),
            Segment(BUY, "and the warehouse team owns the numbers after that", 8.0, 11.0),
            Segment(REP, "right", 11.2, 11.5),
            Segment(BUY, "so we never see them again", 12.5, 14.0)]
    call = Call(id="t", source="t.vtt", segments=segs, format="vtt", reps=[REP])
    r = Pipeline(["conversation", "questions"]).run(call)
    qs = [(q["speaker"], q["text"]) for q in r["questions"]]
    assert (BUY, "right") in qs
    assert (REP, "right") not in qs


def test_fast_text_scoring_matches_the_training_features():
    """QuestionModel._text_sum mirrors features() (which training uses) for speed; they must agree."""
    from salescoach.analysis.questions import clean_tokens, features, model, tokenize

    m = model()
    texts = ["How big is the team?", "so what happens when that breaks down", "And the podcasts, how do you track those",
             "What I mean is we never see it.", "You're on Shopify, right?", "walk me through the handoff",
             "I'd be curious how you handle returns.", "Is it the amount, or the timing?", "okay", "Right.",
             "um so, do you, uh, have a data team", "We lose ten hours a week on scheduling."]
    for t in texts:
        toks = clean_tokens(tokenize(t.strip()))
        slow = sum(m.w.get(f, 0.0) for f in set(features(t, [], toks, ngrams=False)))
        assert abs(m._text_sum(t, toks) - slow) < 1e-9, t


def test_spin_without_an_agenda_and_after_the_pitch():
    r = run([(REP, "Hey, how've you been?"), (BUY, "Good, busy."),
             (REP, "Did you catch the game on Sunday?"), (BUY, "I did, rough ending."),
             (REP, "So where do things break down with invoices today?"), (BUY, "Approvals sit for weeks."),
             (REP, "How often does that happen?"), (BUY, "Every month-end."),
             (REP, "Do you have a sense of what that adds up to over a year?"), (BUY, "Maybe forty grand."),
             (REP, "Let me share my screen and show you the approval queue."), (BUY, "Sure."),
             (REP, "How many approvers do you have today?"), (BUY, "Six."),
             (REP, "Is it still your call on tools like this?"), (BUY, "Mostly.")])
    spin = rep_spins(r)
    assert spin["Hey, how've you been?"] == "other"
    assert spin["Did you catch the game on Sunday?"] == "other"
    assert spin["How often does that happen?"] == "problem"
    assert spin["Do you have a sense of what that adds up to over a year?"] == "implication"
    assert spin["How many approvers do you have today?"] == "situation"  # current state, after the pitch
    assert spin["Is it still your call on tools like this?"] == "other"


def test_scheduling_questions_are_other_but_a_day_named_in_discovery_is_not():
    r = run([(REP, "Let's start with the dispatch side."), (BUY, "Sure."),
             (REP, "What goes wrong on a day like Monday?"), (BUY, "Everything runs late."),
             (REP, "Could we hold Tuesday the nineteenth at eight for the sandbox session?"), (BUY, "Yes.")])
    spin = rep_spins(r)
    assert spin["What goes wrong on a day like Monday?"] == "problem"
    assert spin["Could we hold Tuesday the nineteenth at eight for the sandbox session?"] == "other"


def test_request_frames_are_questions_in_punctuated_calls():
    ask = "Walk me through what happens today when the scanner flags something at, say, two in the morning."
    r = run([(BUY, "We have the scanner on every laptop."), (REP, "Okay, that helps. " + ask),
             (BUY, "Honestly? It emails me.")])
    assert ask in [q["text"] for q in r["questions"]]


def test_walkthrough_of_today_and_fact_checks_are_situation():
    r = run([(REP, "Let me start with how invoices come in."), (BUY, "Sure."),
             (REP, "Walk me through what happens to an invoice today, from the moment it shows up."),
             (BUY, "It lands in a shared inbox and sits."),
             (REP, "And what happens if that keeps going through year-end?"), (BUY, "We miss the close."),
             (REP, "Let me share my screen and show you the approval queue."), (BUY, "Sure."),
             (REP, "Ruben, it was three or four a month, right?"), (BUY, "About that."),
             (REP, "Why are the other sites still on paper?"), (BUY, "Nobody owns it.")])
    spin = rep_spins(r)
    assert spin["Walk me through what happens to an invoice today, from the moment it shows up."] == "situation"
    assert spin["And what happens if that keeps going through year-end?"] == "implication"
    assert spin["Ruben, it was three or four a month, right?"] == "situation"  # after the pitch, still a fact
    assert spin["Why are the other sites still on paper?"] == "problem"


def test_what_happens_when_a_scenario_occurs_is_a_problem_question():
    """The seed's problem question: "What happens when [scenario] occurs?"; a walkthrough of today is situation,
    and what happens if it goes on is implication."""
    r = run([(REP, "Let me start with how change orders move."), (BUY, "Sure."),
             (REP, "Walk me through what happens when a change order comes in today."), (BUY, "It sits in email."),
             (REP, "And what happens when a change order sits for sixty days?"), (BUY, "The sub stops work."),
             (REP, "And what happens if that keeps going through the summer?"), (BUY, "We lose the schedule.")])
    spin = rep_spins(r)
    assert spin["Walk me through what happens when a change order comes in today."] == "situation"
    assert spin["And what happens when a change order sits for sixty days?"] == "problem"
    assert spin["And what happens if that keeps going through the summer?"] == "implication"


def test_opening_small_talk_without_an_agenda_is_rapport():
    lines = [(REP, "Was the trip a good one at least?"), (BUY, "It was great, thanks.")]
    for k in range(20):  # the rest of the call: discovery without any agenda cue
        lines += [(REP, f"How many people work on shift {k}?"), (BUY, f"About {k + 3} of them.")]
    spin = _spins(lines)
    assert spin["Was the trip a good one at least?"] == "other"
    assert spin["How many people work on shift 5?"] == "situation"


def test_a_start_cue_after_the_rep_began_presenting_does_not_open_discovery():
    """ "Let me start right there" after "let me share my screen" is the demo, not the start of discovery:
    the recap questions before it are not opening rapport."""
    lines = [(REP, "Hi both, good to see you again."), (BUY, "Hi!"),
             (REP, "How was the half marathon?"), (BUY, "I finished, slowly.")]
    lines += [(REP, "Great. I've got a lot to show you today, so let me share my screen."), (BUY, "Sure.")]
    lines += [(REP, "Walk me through what happens when one of those invoices comes in today."),
              (BUY, "It goes to the inbox and waits."),
              (REP, "And how often do the hours turn out to be wrong?"), (BUY, "Every week.")]
    lines += [(REP, "Okay, that's a great lead-in, so let me start right there."), (BUY, "Okay.")]
    for k in range(14):
        lines += [(REP, f"This screen shows the agency invoice number {k} as it lands."), (BUY, "Okay.")]
    spin = _spins(lines)
    assert spin["How was the half marathon?"] == "other"
    assert spin["Walk me through what happens when one of those invoices comes in today."] == "situation"
    assert spin["And how often do the hours turn out to be wrong?"] == "problem"


def test_negotiation_questions_are_past_discovery():
    from salescoach.analysis import Pipeline
    from salescoach.transcript import parse_call
    text = ("Ana Rep: Thanks for making time. The proposal and the redlines are both in your inbox.\n"
            "Bo Buyer: We got them. The price is still above what procurement wants, and legal has the contract.\n"
            "Ana Rep: What does their quote include?\n"
            "Bo Buyer: Licences and onboarding.\n"
            "Ana Rep: How's the rollout tracking so far this year?\n"
            "Bo Buyer: Behind.\n"
            "Ana Rep: If we moved to a two-year term with the discount, does the order form work for you?\n"
            "Bo Buyer: Send me the revised order form and the pricing, I'll take it to procurement.\n")
    r = Pipeline(["conversation", "questions", "objections", "structure"])(parse_call("n.txt", text, reps=["Ana Rep"]))
    assert r["call"]["type"] == "negotiation"
    spin = rep_spins(r)
    assert spin["What does their quote include?"] == "other"  # a deal question, not discovery
    assert spin["How's the rollout tracking so far this year?"] == "situation"  # still the buyer's current state


@pytest.mark.parametrize("text,spin", [
    ("And why is this a priority now?", "situation"),
    ("And how's that going?", "problem"),
    ("And where does that setup fall down for you?", "problem"),
    ("Did I get that right?", "other"),
    ("What does that actually lead to?", "implication"),
    ("And for you personally, what's riding on it?", "implication"),
    ("Colin, so on your side, walk me through what happens when an invoice comes in.", "situation"),
    ("Who ends up eating that cost?", "implication"),
    ("And how's the hospital system reacting to all of that?", "implication"),
    ("What's driving that, do you think?", "problem"),
    # a check on the conversation itself is other, whatever words it holds
    ("Did I miss anything?", "other"),
    ("Any questions so far?", "other"),
    ("So what do you think?", "other"),
    ("Pretty powerful, right?", "other"),
    ("We've got forty-five minutes, are you both still good for that?", "other"),
    ("Still good on time?", "other"),
    ("That sound alright?", "other"),
    ("Any other questions for me right now?", "other"),
    ("So, what else can I tell you about us?", "other"),
    ("So, where do you want to start?", "other"),
    ("You seeing it okay?", "other"),
    ("Fair?", "other"),
    ("That work?", "other"),
    # qualifying the deal (budget, timeline) is other; why the buyer is looking now is situation
    ("Do you have a timeline in mind?", "other"),
    ("How soon are you looking to get started?", "other"),
    ("What's your budget for something like this?", "other"),
    ("What's driving this now, by the way?", "situation"),
    ("And maybe we reconnect in a few weeks?", "other"),  # logistics of the next step
    ("If you'd had a monthly view and seen that overrun coming, what would that have changed for you?",
     "need_payoff"),
    # consequences for people and customers; difficulties; the value of a solved problem
    ("So what's that doing to the relationship with your shippers?", "implication"),
    ("What does getting trucks last mean for your customers in peak?", "implication"),
    ("How did the owners react?", "implication"),
    ("What else is tough about it?", "problem"),
    ("How often are they down?", "problem"),
    ("And during diligence, where does it get hard?", "problem"),
    ("And would it help if you didn't have to chase Dale for approvals anymore?", "need_payoff"),
    ("Wouldn't it be great if your agents never had to touch a return ticket again?", "need_payoff"),
    ("Would it help if I sent over a one-pager for your CFO?", "other"),  # an offer, not a need-payoff question
])
def test_spin_of_one_question_after_an_agenda(text, spin):
    """Shapes found on the labelled calls written for this project (bench/labelled_calls)."""
    r = run([(REP, "Let me start with how your team works today."), (BUY, "Sure."), (REP, text), (BUY, "Well.")])
    assert [q["spin"] for q in r["questions"] if q["role"] == "rep"][-1] == spin


def test_a_fact_question_about_the_buyer_after_an_early_pitch_is_still_situation():
    r = run([(REP, "Let me start with how your team works today."), (BUY, "Sure."),
             (REP, "How do you schedule crews today?"), (BUY, "On a whiteboard."),
             (REP, "Let me show you how our platform works. It schedules every crew from one screen."),
             (BUY, "Okay."),
             (REP, "And do you guys use Bluebeam for everything, or just punch?"), (BUY, "Everything."),
             (REP, "What do you think so far?"), (BUY, "Looks fine.")])
    spins = {q["text"]: q["spin"] for q in r["questions"] if q["role"] == "rep"}
    assert spins["And do you guys use Bluebeam for everything, or just punch?"] == "situation"
    assert spins["What do you think so far?"] == "other"  # a check on the conversation stays other


# --- the SPIN model (models/spin.json, tools/train_spin.py) -------------------------------------------------

DISCOVERY_WITHOUT_CUES = [
    (REP, "Let me start with how your routes work today."), (BUY, "Sure."),
    (REP, "How many technicians are running routes now?"), (BUY, "Eleven, and the callbacks are killing us."),
    (REP, "How often would you say that happens in a week like this one?"), (BUY, "Most weeks."),
    (REP, "And Teo, how does that land on you, personally, when a day goes like Monday?"), (BUY, "Badly."),
    (REP, "What software do you use for scheduling?"), (BUY, "A spreadsheet."),
]


def test_spin_model_ships_and_decides_only_where_no_lexicon_cue_matches(use_model):
    from importlib import resources
    import json
    from salescoach.analysis import questions as Q
    m = json.loads(resources.files("salescoach.models").joinpath("spin.json").read_text())
    assert m["kind"] == "spin-logistic" and set(m["classes"]) == {"situation", "problem", "implication",
                                                                  "need_payoff", "other"}
    with_model = _spins(DISCOVERY_WITHOUT_CUES)
    use_model("SALESCOACH_SPIN_MODEL", Q._spin_model, "none")
    lexicons_only = _spins(DISCOVERY_WITHOUT_CUES)
    often = "How often would you say that happens in a week like this one?"
    land = "And Teo, how does that land on you, personally, when a day goes like Monday?"
    assert lexicons_only[often] == lexicons_only[land] == "situation"  # no SPIN cue: the default in discovery
    # the model moves cue-less questions off the default (which ones is the model's call: trained on 31 sets
    # in the ninth session it types `often` "other", where the model of 22 sets said "problem")
    assert with_model[often] != "situation"
    assert with_model[land] == "implication"  # what it does to the person
    assert with_model["How many technicians are running routes now?"] == "situation"
    assert with_model["What software do you use for scheduling?"] == "situation"  # a plain fact stays situation


def test_spin_model_needs_a_margin_over_the_lexicons_default():
    from salescoach.analysis.questions import _spin_predict
    m = {"classes": ["other", "problem", "situation"], "bias": [0.0, 0.0, 0.0], "margin": 1.0,
         "weights": {"w=often": {"1": 0.8}, "w=broken": {"1": 2.0}}}
    assert _spin_predict(m, ["w=often"], "situation") == "situation"  # ahead by 0.8 < 1.0: the default stands
    assert _spin_predict(m, ["w=broken"], "situation") == "problem"
    assert _spin_predict(m, ["w=often"]) == "problem"  # no default given: the best class
