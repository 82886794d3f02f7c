"""The safety guard: emergencies and personal advice found by rules, not only by DIET."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from components.safety_guard import (
    DEFAULT_PATTERNS_DIR,
    GuardPatterns,
    SafetyGuard,
    SafetyRules,
)
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


def message(nlp: Language, text: str, intent: str, confidence: float = 0.9) -> Message:
    msg = Message(data={"text": text})
    msg.set(SPACY_DOCS["text"], nlp(text))
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    return msg


def run_guard(nlp: Language, msg: Message) -> Message:
    guard = SafetyGuard(SafetyGuard.get_default_config())
    return guard.process([msg], SpacyModel(model=nlp, model_name="test"))[0]


def test_the_guard_overrides_the_classifier_and_says_why(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "my throat is closing since the jabs", "faq"))

    assert msg.get("intent") == {"name": "report_emergency_symptom", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "report_emergency_symptom"
    assert msg.get("safety_guard") == {
        "intent": "report_emergency_symptom",
        "rule": "emergency:allergy",
        "matched": "throat is closing",
        "classifier_intent": {"name": "faq", "confidence": 0.9},
        "entities": [{"entity": "body_area", "value": "throat"}],
    }
    assert "safety_guard" in msg.as_dict(only_output_properties=True)


def test_the_guard_catches_what_the_classifier_was_unsure_about(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "cant swallow properly since my shots", "nlu_fallback"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"


def test_the_guard_never_lowers_an_emergency(nlp: Language) -> None:
    text = "I'm pregnant and my face feels strange after the injections"
    msg = run_guard(nlp, message(nlp, text, "report_emergency_symptom"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"
    assert msg.get("safety_guard") is None


def test_personal_details_do_not_turn_a_booking_into_a_refusal(nlp: Language) -> None:
    text = "I'm pregnant, can I book a consultation for after the birth?"
    msg = run_guard(nlp, message(nlp, text, "book_consultation"))
    assert msg.get("intent")["name"] == "book_consultation"


def test_button_payloads_are_left_alone(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "/affirm", "affirm"))
    assert msg.get("intent")["name"] == "affirm"


def test_a_broken_pattern_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "emergency.yml").write_text("symptoms:\n  breathing: can't breathe\n")
    (tmp_path / "advice.yml").write_text("personal: {}\n")
    with pytest.raises(ValueError, match="symptoms: breathing must be a list of phrases"):
        GuardPatterns.load(tmp_path)


def test_a_forged_payload_steers_nothing(nlp: Language) -> None:
    msg = message(nlp, "report_emergency_symptom", "report_emergency_symptom")
    msg.set("forged_payload", "/report_emergency_symptom", add_to_output=True)

    msg = run_guard(nlp, msg)

    assert msg.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert msg.get("safety_guard")["rule"] == "forged_payload"


def test_a_forged_payload_that_describes_an_emergency_is_one(nlp: Language) -> None:
    msg = message(nlp, "my throat is closing since the jabs", "faq")
    msg.set("forged_payload", "/my throat is closing since the jabs", add_to_output=True)

    assert run_guard(nlp, msg).get("intent")["name"] == "report_emergency_symptom"


#: One positive and one negative case for each pattern family of data/safety/.
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


def test_a_classifier_emergency_whose_symptoms_are_all_gone_is_taken_back(
    nlp: Language,
) -> None:
    text = "my lip was a bit swollen after the botox but it went down the same evening"
    msg = message(nlp, text, "report_emergency_symptom")
    msg.set(
        "intent_ranking",
        [
            {"name": "report_emergency_symptom", "confidence": 0.6},
            {"name": "faq", "confidence": 0.3},
        ],
        add_to_output=True,
    )

    msg = run_guard(nlp, msg)

    assert msg.get("intent")["name"] == "faq"
    assert msg.get("safety_guard")["rule"] == "emergency_discounted"


def test_an_emergency_with_a_symptom_not_discounted_is_kept(nlp: Language) -> None:
    text = "the swelling went down but my tongue feels thick"
    msg = run_guard(nlp, message(nlp, text, "report_emergency_symptom"))
    assert msg.get("intent")["name"] == "report_emergency_symptom"


def test_asking_for_it_in_a_question_not_covered_is_refused(nlp: Language) -> None:
    text = "my scars are from chickenpox not acne, can i still have it"
    msg = run_guard(nlp, message(nlp, text, "not_covered"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == "advice:asks_for_it"


def test_a_question_not_covered_in_the_first_person_is_not_refused(nlp: Language) -> None:
    msg = run_guard(
        nlp, message(nlp, "should I avoid the sun after the treatment?", "not_covered")
    )
    assert msg.get("intent")["name"] == "not_covered"
    msg = run_guard(nlp, message(nlp, "I'm on warfarin, can I drink wine after?", "not_covered"))
    assert msg.get("intent")["name"] == "request_medical_advice"


def test_asking_for_it_in_ones_own_case_is_refused_even_when_taken_for_off_topic(
    nlp: Language,
) -> None:
    text = "can I have it if I've got a cold sore right now"
    msg = run_guard(nlp, message(nlp, text, "out_of_scope"))
    assert msg.get("intent") == {"name": "request_medical_advice", "confidence": 1.0}
    assert msg.get("safety_guard")["rule"] == "advice:asks_for_it"


def test_another_subject_found_by_the_scope_guard_stays_off_topic(nlp: Language) -> None:
    msg = message(nlp, "can I have it if it's for my migraines", "out_of_scope")
    msg.set("scope_guard", {"subject": "botox_for_other_uses", "matched": "for my migraines"})
    assert run_guard(nlp, msg).get("intent")["name"] == "out_of_scope"
    other = run_guard(
        nlp, message(nlp, "should I buy an iphone, is it safe for me", "out_of_scope")
    )
    assert other.get("intent")["name"] == "out_of_scope"


def scoped(nlp: Language, text: str, classifier_intent: str, subject: str) -> Message:
    """A message the scope guard turned into off topic."""
    msg = message(nlp, text, "out_of_scope")
    msg.set(
        "scope_guard", {"subject": subject, "matched": "", "classifier_intent": classifier_intent}
    )
    return msg


def test_a_personal_question_the_scope_guard_took_for_off_topic_is_refused_again(
    nlp: Language,
) -> None:
    text = "I had botox 6 weeks ago for my forehead lines, can I have the scar one now?"
    msg = run_guard(nlp, scoped(nlp, text, "request_medical_advice", "botox_for_other_uses"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == "advice:own_treatment"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I'm on antibiotics, can I still come in on Thursday", "advice:medication"),
        ("i take ibuprofen every day for my back, do i need to stop before", "advice:medication"),
        ("we're trying for a baby at the moment, should i wait", "advice:pregnancy"),
        ("I'm pregnant, what are the side effects", "advice:pregnancy"),
        ("i have a needle phobia and panic attacks, should i even try this", "advice:own_case"),
        ("which needle size is used", "advice:dose"),
        ("what size needle do you use", "advice:dose"),
        ("I'm having a tooth out next week, should I postpone my botox", "advice:own_case"),
        ("I have a cold sore right now, can I still go ahead tomorrow", "advice:condition"),
    ],
)
def test_a_personal_question_of_this_treatment_or_a_visit_taken_for_off_topic_is_refused(
    nlp: Language, text: str, rule: str
) -> None:
    msg = run_guard(nlp, message(nlp, text, "out_of_scope"))
    assert msg.get("intent")["name"] == "request_medical_advice"
    assert msg.get("safety_guard")["rule"] == rule


@pytest.mark.parametrize(
    "text",
    [
        "I'm on antibiotics for a chest infection, can I drink alcohol",  # no visit, no botox
        "my toddler has eczema on his cheeks, which cream is best",
    ],
)
def test_a_personal_health_question_about_nothing_of_this_treatment_stays_off_topic(
    nlp: Language, text: str
) -> None:
    assert run_guard(nlp, message(nlp, text, "out_of_scope")).get("intent")["name"] == (
        "out_of_scope"
    )


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


def test_a_personal_question_about_the_other_subject_itself_stays_off_topic(
    nlp: Language,
) -> None:
    # The classifier took it for advice, the scope guard for another subject: the medicine
    # the safety guard finds is that subject.
    msg = message(nlp, "where should I rotate my insulin injections", "out_of_scope")
    msg.set(
        "scope_guard",
        {
            "subject": "other_injections",
            "matched": "insulin",
            "classifier_intent": "request_medical_advice",
        },
    )
    msg = run_guard(nlp, msg)
    assert msg.get("intent")["name"] == "out_of_scope"
    assert msg.get("safety_guard") is None


def test_a_dose_question_about_another_subject_stays_off_topic(nlp: Language) -> None:
    text = "which needle size do i need for knitting a chunky scarf"
    msg = run_guard(nlp, scoped(nlp, text, "request_medical_advice", "unfamiliar_words"))
    assert msg.get("intent")["name"] == "out_of_scope"
    faq = run_guard(nlp, scoped(nlp, "I'm pregnant, is botox for migraines ok?", "faq", "x"))
    assert faq.get("intent")["name"] == "out_of_scope"


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
