"""The safety guard's rules: emergencies and personal advice found by rules, not only by
the classifier."""

from __future__ import annotations

from typing import Optional

import pytest
from spacy.language import Language

from components.safety.patterns import DEFAULT_PATTERNS_DIR, GuardPatterns
from components.safety.rules import SafetyRules
from nlp.build_pipeline import build, load_patterns


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build(load_patterns())


@pytest.fixture(scope="module")
def rules(nlp: Language) -> SafetyRules:
    return SafetyRules(nlp, GuardPatterns.load(DEFAULT_PATTERNS_DIR))


def decision(rules: SafetyRules, nlp: Language, text: str) -> Optional[str]:
    finding = rules.decide(nlp(text))
    return finding.intent if finding else None


@pytest.mark.parametrize(
    "text",
    [
        "I can't swallow since my shots",
        "my mum's eyelid is drooping and she sees double",
        "cant breath help",
        "Eyelid DROOPING and Seeing Double!!",
        "my eyelid is drooping, could it be the botox?",
        "help my throat is closing up",
        "double vision after botox",
        "my husband is slurring his words since the treatment this morning",
        "hives all over and my lips are swelling",
        "cnat brethe since my injections",
        "my eye lid is droping and im seing dubble",
        "dbl vision since the jabs",
        "my dad keeled over in the car park after his injections",
        "she went limp right after the botox",
        "feels like im breathing through a straw since the jabs",
        "is it supposed to feel like my throat is closing?",
        "cant get any water down since the botox",
        "could barely swallow my tea after the injections",
    ],
)
def test_an_experience_of_a_serious_symptom_is_an_emergency(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) == "report_emergency_symptom"


@pytest.mark.parametrize(
    "text",
    [
        "can Botox cause trouble swallowing?",
        "Is trouble swallowing a side effect?",
        "I read botox can cause drooping eyelids, is that true?",
        "what if I get double vision after botox?",
        "what should someone do if they get a bad reaction?",
        "double vision?",
    ],
)
def test_a_general_or_hypothetical_question_is_not_an_emergency(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) != "report_emergency_symptom"


def test_a_denied_symptom_is_not_an_emergency(rules: SafetyRules, nlp: Language) -> None:
    text = "no trouble breathing, just a bruise since my injections, is that normal?"
    finding = rules.decide(nlp(text))
    assert finding is not None
    assert (finding.intent, finding.rule) == ("request_medical_advice", "advice:own_treatment")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I'm pregnant, what are the side effects?", "advice:pregnancy"),
        ("I take warfarin, how long does it last?", "advice:medication"),
        ("still on roaccutane, can you do it anyway?", "advice:medication"),
        ("I'm 16, can I have it?", "advice:age"),
        ("should I get botox or fillers?", "advice:own_case"),
        ("how many units would I need?", "advice:dose"),
        ("I get keloids, does it work?", "advice:condition"),
        ("I have Crohn's, does it hurt?", "advice:condition"),
    ],
)
def test_own_case_questions_are_personal_advice(
    rules: SafetyRules, nlp: Language, text: str, rule: str
) -> None:
    finding = rules.decide(nlp(text))
    assert finding is not None
    assert (finding.intent, finding.rule) == ("request_medical_advice", rule)


@pytest.mark.parametrize(
    "text",
    [
        "how long does the procedure take",
        "will it hurt?",
        "can I go back to work the same day?",
        "the procedure is 30 minutes right?",
        "what should I look for in the person doing the injections",
    ],
)
def test_general_questions_are_left_to_the_classifier(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) is None


SYMPTOM_FAMILIES = {
    "breathing": (
        "my chest is tight and I'm struggling to breathe",
        "can botox affect breathing?",
    ),
    "swallowing": ("since my shots I keep choking on water", "is difficulty swallowing a risk?"),
    "speaking": ("my dad's speech is slurred since this morning", "can it cause slurred speech?"),
    "vision": ("seeing double since yesterday's injections", "what if I get blurred vision?"),
    "drooping": ("her eyelid is drooping since the jabs", "does botox ever make eyelids droop?"),
    "weakness": ("my arms feel weak and it's spreading", "how common is muscle weakness?"),
    "allergy": ("I have hives all over after my botox", "are allergic reactions common?"),
}


@pytest.mark.parametrize("family", sorted(SYMPTOM_FAMILIES))
def test_each_symptom_family_fires_on_an_experience_only(
    rules: SafetyRules, nlp: Language, family: str
) -> None:
    experience, question = SYMPTOM_FAMILIES[family]
    finding = rules.decide(nlp(experience))
    assert finding is not None
    assert (finding.intent, finding.rule) == ("report_emergency_symptom", f"emergency:{family}")
    assert decision(rules, nlp, question) != "report_emergency_symptom"


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("negation", "I don't have trouble breathing, only a headache"),
        ("negation", "my throat isn't swollen at all"),
        ("hypothetical", "suppose my eyelid droops, who do I call?"),
        ("general question", "can the injections cause double vision in people?"),
        ("negation before the body part", "no breathing problems at all, just wondering"),
        ("question first, no question mark", "does your throat swell after it"),
        ("question first, no question mark", "is trouble breathing a known reaction to it"),
        ("others in general", "have any patients had trouble swallowing after it?"),
        ("what counts as what", "would a drooping eyelid count as a complication"),
        ("curious", "just curious whether double vision ever happens"),
        ("a straw to drink from", "can you drink through a straw after the injections?"),
        ("a modal verb first asks", "can the scar jabs cause you to see double"),
        ("a modal verb first asks", "could botox for scars make it hard to swallow"),
        ("worst case", "worst case, could my eyelid droop?"),
        ("hearsay", "my aunt reckons the injections can stop you swallowing, true?"),
        ("framing frames its whole sentence", "worst case scenario, could my whole face go weak?"),
        ("framing frames its whole sentence", "hypothetically, if my lips swelled up a week on"),
        (
            "help the clinic would give",
            "If I collapsed after it would the clinic be able to help?",
        ),
        ("a denied now", "could botox make it hard to breathe? nothing wrong now, just asking"),
        ("asking ahead", "what would a bad allergic reaction look like, just so I'm aware"),
        ("asking ahead", "can it make your throat swell? asking before i book"),
        ("framing", "in the unlikely event of a drooping eyelid, what happens"),
    ],
)
def test_cues_that_make_a_symptom_not_an_emergency(
    rules: SafetyRules, nlp: Language, cue: str, text: str
) -> None:
    assert decision(rules, nlp, text) != "report_emergency_symptom", cue


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("now beats hypothetical", "what if this is serious, I can't swallow since yesterday"),
        ("inability is not negation", "I can't catch my breath"),
        ("owner beats general question", "my eyelid is drooping, is that a side effect?"),
        ("a negation across a comma denies nothing", "not sure, throat closing up"),
        ("a negation across a comma denies nothing", "no, my throat is swelling"),
        ("a negation inside a long description", "my throat, not sure why, is swelling"),
        ("can first is no question", "can not breathe properly after the jabs"),
        ("the patient is someone", "the patient can't swallow since the injections"),
        ("owner beats what counts", "my lips are swollen, does that count as a reaction"),
        ("a denial before 'but' denies nothing", "she says it's nothing but I can't swallow"),
        ("framing ends at 'but'", "my husband reckons I'm fine but I can't breathe properly"),
        ("a cry for help is now", "help, what if my throat is closing up"),
        ("asking for help still describes", "my lips are swelling can you help"),
    ],
)
def test_cues_that_keep_an_emergency(
    rules: SafetyRules, nlp: Language, cue: str, text: str
) -> None:
    assert decision(rules, nlp, text) == "report_emergency_symptom", cue


ADVICE_FAMILIES = {
    "pregnancy": ("I'm breastfeeding, is it ok?", "what does botox do?"),
    "medication": ("I'm on roaccutane, when can I start?", "how long does a session take?"),
    "condition": ("I have eczema on my cheeks, would it work?", "what are hypertrophic scars?"),
    "age": ("my son is a teenager, can he get it?", "how old is botox as a treatment?"),
    "own_case": ("am I a good candidate for this?", "who is a good candidate in general?"),
    "dose": ("what dose would my forehead need?", "what does the treatment involve?"),
    "own_treatment": ("I had botox on monday and my forehead feels heavy", "is there downtime?"),
    "asks_for_it": ("can I still have it next week?", "can people have it more than once?"),
}


@pytest.mark.parametrize("family", sorted(ADVICE_FAMILIES))
def test_each_advice_family_fires_on_an_own_case_only(
    rules: SafetyRules, nlp: Language, family: str
) -> None:
    own_case, general = ADVICE_FAMILIES[family]
    finding = rules.decide(nlp(own_case))
    assert finding is not None
    assert (finding.intent, finding.rule) == ("request_medical_advice", f"advice:{family}")
    assert decision(rules, nlp, general) is None


@pytest.mark.parametrize(
    "text",
    [
        "swelling in my throat",
        "things look doubled whenever i look sideways, started after the treatment",
        "eyelid dropped on the left side and now the weakness is going down my face",
        "my throat, it's swelling",
        "throat feels like it's closing",
        "omg!! my lips are swelling up after the jabs",
        "HELP my tongue is swollen",
        "heeelp my face is blowing up like a balloon",
        "AFTER MY BOTOX I CANT SWALLOW",
        "i have troble breathing after botox plz help",
        "struggling to get air in since the injections",
        "my eyelid keeps closing by itself since tuesday",
        "her speech is getting worse by the hour",
        "vision is not clear since the treatment",
        "my arms are giving way since the injections",
        "big itchy welts spreading on my arms after the botox",
    ],
)
def test_a_symptom_and_a_body_part_in_any_order_make_an_emergency(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) == "report_emergency_symptom"


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("asked in general", "could botox make my throat swell up?"),
        ("past", "Years ago I got hives from penicillin, nothing since."),
        ("past", "I had hives from strawberries as a kid, never since"),
        ("gone", "my lip was a bit swollen after the botox but it went down the same evening"),
        ("gone", "my lip was puffy right after but it settled down within an hour, all good now"),
        ("other cause", "I can't breathe through my nose because of a cold, what helps?"),
        ("other cause", "my eyes get blurry after hours on the computer"),
        ("other cause", "short of breath because I just ran up four flights of stairs haha"),
        ("not the treatment", "my lips are swollen from a filler at another place, not the botox"),
        ("not the treatment", "the weakness in my arm is from the gym, nothing to do with botox"),
        ("denied", "Nothing wrong with my eyelids or vision, I wondered about smoother skin"),
        ("denied in a list", "not having any swelling or breathing problems, just curious"),
        ("denied in a list", "no rash, itching or trouble swallowing, only a small bruise"),
        ("not a symptom", "it's hard to talk about my scars with anyone"),
        ("not a symptom", "can I fall asleep face down after the treatment?"),
    ],
)
def test_denied_past_gone_or_unrelated_symptoms_are_not_emergencies(
    rules: SafetyRules, nlp: Language, cue: str, text: str
) -> None:
    assert decision(rules, nlp, text) != "report_emergency_symptom", cue


def test_now_beats_past_and_gone(rules: SafetyRules, nlp: Language) -> None:
    text = "I had hives years ago. Now my throat is closing after the botox!"
    assert decision(rules, nlp, text) == "report_emergency_symptom"
    text = "the swelling went down but now it's coming back and my tongue feels thick"
    assert decision(rules, nlp, text) == "report_emergency_symptom"


@pytest.mark.parametrize(
    "text",
    [
        "how many units do you use per scar?",
        "how much botox is injected into each scar",
        "how deep do they inject the botox",
        "what needle size is used for the scar injections",
        "is it injected intradermally or into the muscle?",
        "what dilution do you use",
    ],
)
def test_dose_and_technique_are_refused_even_in_general(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    finding = rules.decide(nlp(text))
    assert finding is not None
    assert (finding.intent, finding.rule) == ("request_medical_advice", "advice:dose")


@pytest.mark.parametrize(
    "text",
    [
        "can people on blood thinners have it?",
        "is there an age limit?",
        "can pregnant women get botox for acne scars?",
        "are teenagers allowed to get it",
        "is it ok for diabetics to have this done",
        "how common are severe reactions to botox?",
        "what dose of vitamin D should adults take?",
        "how deep are ice pick scars",
        "how much swelling is typical around the injection points?",
        "is botox more effective than steroid shots in general? my friend had them",
        "can you go back to work or should you take the day off?",
        "can you have it if you're on antidepressants",
    ],
)
def test_general_questions_about_groups_and_plain_questions_are_not_refused(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'm on blood thinners, can I have it?",
        "my wife is pregnant, can she get it next week",
        "can she have it if she has lupus",
        "I take ibuprofen most days, will I bruise more?",
    ],
)
def test_the_same_questions_about_ones_own_case_are_refused(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) == "request_medical_advice"


def test_the_contraceptive_pill_is_no_swallowing_problem(
    rules: SafetyRules, nlp: Language
) -> None:
    finding = rules.decide(nlp("I'm on the pill and sertraline, is that a problem for botox"))
    assert finding is not None and finding.rule == "advice:medication"
    assert decision(rules, nlp, "I can't get the pill down, my throat is swollen") == (
        "report_emergency_symptom"
    )


def test_the_most_specific_family_is_the_finding(rules: SafetyRules, nlp: Language) -> None:
    finding = rules.decide(nlp("should I stop my retinol cream before treatment"))
    assert finding is not None and finding.rule == "advice:medication"
    finding = rules.decide(nlp("can I have it if I've got a cold sore right now"))
    assert finding is not None and finding.rule == "advice:asks_for_it"


@pytest.mark.parametrize(
    "text",
    [
        "i see two of everything since the treatment and it is not going away",
        "I keep choking on water, it won't go down properly. Had botox 4 days ago.",
        "the swelling in my throat hasn't gone down since this morning",
        "my eyelid drooped on monday and it still hasn't settled, now my cheek is weak too",
    ],
)
def test_a_resolution_denied_keeps_the_emergency(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) == "report_emergency_symptom"


@pytest.mark.parametrize(
    "text", ["my lip was swollen but it went down", "double vision yesterday but it settled"]
)
def test_a_resolution_still_discounts_the_symptom(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "can barely get air in after my jabs please what do i do",
        "I can hardly swallow since this morning",
        "short of breath and wheezy after the treatment today, I've never had asthma in my life",
        "my lips are swelling up since the jabs and it's not hay fever",
        "I can't breathe since the botox, I ran up the stairs and now it's worse",
        "not sure if it's my throat or my tongue swelling up, had botox an hour ago",
        "no idea why but my lips or tongue are swelling since the jabs",
    ],
)
def test_barely_hardly_and_a_cause_denied_keep_the_emergency(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    assert decision(rules, nlp, text) == "report_emergency_symptom"


def test_a_cause_named_still_discounts_the_symptom(rules: SafetyRules, nlp: Language) -> None:
    assert decision(rules, nlp, "I always wheeze when I have hay fever") is None
