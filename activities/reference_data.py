"""Reference data shipped with the product: staff types, target groups, room features and the built-in
intervention models from the seed documents. Installed by a data migration; coordinators copy and edit
the models, never the built-in originals.

Written against a model getter so the migration can pass its historical models.
"""
from collections.abc import Callable
from typing import Any

STAFF_TYPES = [("social", "Socialfaglig konsulent"), ("job", "Jobkonsulent"), ("health", "Sundhedskonsulent")]

# (code, name, min weeks, max weeks). Lengths from seed 001; revalidering and fleksjob are not given
# there, so they carry the span of the longer courses.
TARGET_GROUPS = [
    ("sygedagpenge", "Sygedagpenge", 6, 13),
    ("jobafklaring", "Jobafklaring", 13, 26),
    ("ledighedsydelse", "Ledighedsydelse", 13, 13),
    ("kontanthjaelp", "Kontanthjælp", 13, 26),
    ("ressourceforloeb", "Ressourceforløb", 13, 26),
    ("integration", "Integration", 13, 13),
    ("revalidering", "Revalidering", 13, 26),
    ("fleksjob", "Fleksjob", 13, 26),
]

ROOM_FEATURES = [
    ("group_room", "Grupperum"),
    ("training_hall", "Træningssal"),
    ("meeting_room", "Mødelokale"),
    ("kitchen", "Køkken"),
]


def rule(kind: str, staff: list[str], minutes: int, freq: str, n: int = 1, *, place: str = "site",
         theme: str = "", condition: str = "always", contact: bool = True, features: tuple[str, ...] = (),
         text: str = "") -> dict[str, Any]:
    return {
        "kind": kind, "staff": staff, "duration_minutes": minutes, "frequency_type": freq, "frequency_value": n,
        "place": place, "theme": theme, "condition": condition, "with_contact_consultant": contact,
        "features": features, "description": text,
    }


# The seven outcomes of the full intervention model (seed 000, "følgende syv udfald"), and whether each
# counts as "afsluttet succesfuldt" against the model's goal of at least 70 %: the first three end the
# sickness benefit (the 70–80 % the seed reports); the others hand the case on for further clarification.
FULL_MODEL_OUTCOMES: list[tuple[str, bool]] = [
    ("Raskmeldt og tilbage i hidtidig beskæftigelse", True),
    ("Til rådighed for arbejdsmarkedet – overgang til a-dagpenge via »Min plan«", True),
    ("Bred vurdering: kan påtage sig passende arbejde inden for skånehensyn og kompetencer", True),
    ("Stationær lidelse: stillingtagen til revalidering, ressourceforløb, fleksjob eller førtidspension", False),
    ("Revalideringsplan iværksat på baggrund af LÆ 265 og rehabiliteringsplanens forberedende del", False),
    ("Rehabiliteringsplanens forberedende del udarbejdet til rehabiliteringsteamet", False),
    ("Fortsat berettiget til sygedagpenge/ressourceforløbsydelse: plan for videre afklaring og indsats", False),
]

# Progress measurement (seed 001): scored with the citizen from the start of the own plan, then with the
# talks at least every 4th week, so the progress report has a development to show.
PROGRESS_FIRST = "Første progressionsmåling med borgeren (12 indikatorer)"
PROGRESS_EVERY = "Progressionsmåling med borgeren mindst hver 4. uge"

MODELS: list[dict[str, Any]] = [
    {
        "name": "Tværfaglig fuldindsats – sygedagpenge",
        "description": (
            "Carelinks model 2: en tværfaglig indsats for sygemeldte med fast kontaktperson, individuelle "
            "samtaler mindst hver 4. uge, holdforløb i mestring, sundhed og gruppedynamik, "
            "rundbordssamtaler med arbejdsgiver efter trappemodellen og praktik med tæt opfølgning."
        ),
        "target_groups": ["sygedagpenge"],
        "min_weeks": 6, "max_weeks": 13,
        "outcomes": "; ".join(name for name, _ok in FULL_MODEL_OUTCOMES),
        "phases": [
            {"name": "Visitation og opstart", "weeks": 1,
             "goals": "Fast kontaktperson, forventningsafstemning, første aftaler med dato.",
             "rules": [rule("start_talk", ["social"], 60, "once", text="Opstartssamtale med kontaktpersonen")]},
            {"name": "Min plan", "weeks": 2,
             "goals": "Borgerens egen plan og mindst tre jobspor; sparring i små grupper.",
             "rules": [
                 rule("talk", ["social"], 60, "every_n_days", 28, text="Individuel samtale mindst hver 4. uge"),
                 rule("group_session", ["social"], 120, "per_week", 1, theme="group_dynamics",
                      contact=False, features=("group_room",), text="Sparring i små grupper"),
                 rule("progress", ["social"], 45, "once", text=PROGRESS_FIRST),
             ]},
            {"name": "Samtaler og holdforløb", "weeks": 6,
             "goals": "Mestring, sundhed og motivation; job- og indsatsplan; afklaring af skånehensyn.",
             "rules": [
                 rule("talk", ["social"], 60, "every_n_days", 28, text="Individuel samtale mindst hver 4. uge"),
                 rule("group_session", ["social"], 60, "per_week", 2, theme="coping", contact=False,
                      features=("group_room",), text="Mestringsforløb 2 × om ugen"),
                 rule("group_session", ["health"], 90, "per_week", 1, theme="health", contact=False,
                      features=("training_hall",), text="Sundhedstilbud: kost, motion, søvn, psykoedukation"),
                 rule("progress", ["social"], 45, "every_n_days", 28, text=PROGRESS_EVERY),
                 rule("assessment", ["health"], 90, "once", place="home", contact=False,
                      text="Funktionsvurdering i hjemmet ved fysio- eller ergoterapeut"),
                 rule("roundtable", ["social", "job"], 60, "on_request", place="company", condition="employed",
                      text="Rundbordssamtale med arbejdsgiver (trappemodellen) – fastholdelsesplan"),
                 rule("s7a", ["social"], 45, "on_request", text="§7a-samtale med jobcentrets repræsentant"),
             ]},
            {"name": "Praktik og job", "weeks": 4,
             "goals": "Praktik eller gradvis tilbagevenden med dokumenteret opfølgning; afsluttende "
                      "rundbordssamtale og progressionsrapport.",
             "rules": [
                 rule("talk", ["social"], 60, "every_n_days", 28, text="Individuel samtale mindst hver 4. uge"),
                 rule("progress", ["social"], 45, "every_n_days", 28, text=PROGRESS_EVERY),
                 rule("followup_visit", ["job"], 45, "every_n_days", 14, place="company",
                      condition="in_internship", contact=False,
                      text="Opfølgning i praktikken med alle parter mindst hver 14. dag"),
                 rule("roundtable", ["social", "job"], 60, "on_request", place="company", condition="employed",
                      text="Afsluttende rundbordssamtale"),
             ]},
        ],
    },
    {
        "name": "Flere skal med II",
        "description": (
            "Jobcentrets model for ledige langt fra arbejdsmarkedet: personlig jobformidler med lav "
            "sagsstamme, ugentlig kontakt indtil et jobmatch, virksomhedsforløb med tæt opfølgning og "
            "opfølgning hver måned i 3–6 måneder efter jobstart."
        ),
        "target_groups": ["kontanthjaelp", "jobafklaring", "ressourceforloeb", "integration"],
        "min_weeks": 17, "max_weeks": 43,
        "outcomes": "Ordinært job; job med løntilskud; uddannelse; fleksjob",
        "phases": [
            {"name": "Trin 1: Startafklaring", "weeks": 4,
             "goals": "Personlig jobformidler, CV påbegyndt, afklaring af ønsker og barrierer.",
             "rules": [
                 rule("start_talk", ["job"], 60, "once", text="Startsamtale med den personlige jobformidler"),
                 rule("talk", ["job"], 60, "every_n_days", 14, text="1–2 startsamtaler"),
             ]},
            {"name": "Trin 2: På vej mod job", "weeks": 13,
             "goals": "Individuelt jobmatch; snuseaktiviteter i virksomheder.",
             "rules": [
                 rule("contact", ["job"], 30, "per_week", 1, text="Ugentlig kontakt med jobformidleren"),
             ]},
            {"name": "Trin 3: Virksomhedsforløb", "weeks": 26,
             "goals": "Arbejde eller praktik med tæt opfølgning; opfølgning efter selvforsørgelse.",
             "rules": [
                 rule("followup_visit", ["job"], 45, "every_n_days", 28, place="company",
                      condition="in_internship", text="Opfølgning på virksomheden mindst hver måned"),
                 rule("contact", ["job"], 30, "every_n_days", 28, condition="after_job_start", place="phone",
                      text="Opfølgning hver måned i 3–6 måneder efter jobstart"),
             ]},
            {"name": "Step-up", "weeks": 2, "optional": True,
             "goals": "Aftaledokument når helbred eller familie forsinker et jobmatch.",
             "rules": [
                 rule("stepup", ["job", "social", "health"], 90, "on_request", contact=True,
                      features=("meeting_room",),
                      text="Tværfaglig samtale med sagsbehandler, jobformidler og sundhedsfaglig"),
             ]},
        ],
    },
    {
        "name": "Kom godt tilbage i job",
        "description": (
            "Socialøkonomisk investering: op til 2–2½ år med samme kontaktperson hele vejen, også efter "
            "jobstart (efterværn); en ugentlig dag med fokus på trivsel, værdier og balance, coachende "
            "samtaler og digitale værktøjer."
        ),
        "target_groups": ["sygedagpenge", "jobafklaring", "ressourceforloeb"],
        "min_weeks": 52, "max_weeks": 130,
        "outcomes": "Job; uddannelse; fortsat efterværn",
        "phases": [
            {"name": "Opstart", "weeks": 2,
             "goals": "Fast kontaktperson for hele forløbet.",
             "rules": [rule("start_talk", ["social"], 60, "once", text="Opstartssamtale")]},
            {"name": "Trivsel og afklaring", "weeks": 52,
             "goals": "Trivsel, værdier og balance; vej mod job.",
             "rules": [
                 rule("group_session", ["social"], 240, "per_week", 1, theme="wellbeing", contact=False,
                      features=("group_room",), text="Ugentlig dag med fokus på trivsel, værdier og balance"),
                 rule("talk", ["social"], 60, "every_n_days", 14, text="Coachende samtale"),
             ]},
            {"name": "Efterværn", "weeks": 52,
             "goals": "Fastholdelse i job med samme kontaktperson.",
             "rules": [
                 rule("contact", ["social"], 30, "every_n_days", 28, condition="after_job_start", place="phone",
                      text="Opfølgning efter jobstart"),
             ]},
        ],
    },
]


def install_reference_data(get_model: Callable[[str, str], Any]) -> None:
    """Create or update the reference data; running it twice changes nothing."""
    staff_type = get_model("activities", "StaffType")
    target_group = get_model("activities", "TargetGroup")
    room_feature = get_model("rooms", "RoomFeature")
    intervention_model = get_model("activities", "InterventionModel")
    phase_model = get_model("activities", "Phase")
    rule_model = get_model("activities", "ActivityRule")

    staff = {code: staff_type.objects.update_or_create(code=code, defaults={"name": name})[0]
             for code, name in STAFF_TYPES}
    groups = {code: target_group.objects.update_or_create(
        code=code, defaults={"name": name, "min_weeks": lo, "max_weeks": hi})[0]
        for code, name, lo, hi in TARGET_GROUPS}
    features = {code: room_feature.objects.update_or_create(code=code, defaults={"name": name})[0]
                for code, name in ROOM_FEATURES}

    for spec in MODELS:
        model, created = intervention_model.objects.get_or_create(
            name=spec["name"],
            defaults={"description": spec["description"], "builtin": True, "min_weeks": spec["min_weeks"],
                      "max_weeks": spec["max_weeks"], "outcomes": spec["outcomes"]},
        )
        if not created:
            continue
        model.target_groups.set([groups[code] for code in spec["target_groups"]])
        for order, phase_spec in enumerate(spec["phases"], start=1):
            phase = phase_model.objects.create(
                model=model, order=order, name=phase_spec["name"], target_weeks=phase_spec["weeks"],
                goals=phase_spec["goals"], optional=phase_spec.get("optional", False),
            )
            for r in phase_spec["rules"]:
                activity_rule = rule_model.objects.create(
                    phase=phase, kind=r["kind"], description=r["description"],
                    with_contact_consultant=r["with_contact_consultant"], duration_minutes=r["duration_minutes"],
                    frequency_type=r["frequency_type"], frequency_value=r["frequency_value"], place=r["place"],
                    theme=r["theme"], condition=r["condition"],
                )
                activity_rule.staff_types.set([staff[code] for code in r["staff"]])
                activity_rule.room_features.set([features[code] for code in r["features"]])


def install_progress_rules(get_model: Callable[[str, str], Any]) -> None:
    """Add the progress-measurement rules of MODELS to built-in models installed before they existed."""
    phase_model = get_model("activities", "Phase")
    rule_model = get_model("activities", "ActivityRule")
    staff_type = get_model("activities", "StaffType")
    for spec in MODELS:
        for phase_spec in spec["phases"]:
            phase = phase_model.objects.filter(
                model__name=spec["name"], model__builtin=True, name=phase_spec["name"]
            ).first()
            if phase is None or rule_model.objects.filter(phase=phase, kind="progress").exists():
                continue
            for r in (r for r in phase_spec["rules"] if r["kind"] == "progress"):
                activity_rule = rule_model.objects.create(
                    phase=phase, kind=r["kind"], description=r["description"],
                    with_contact_consultant=r["with_contact_consultant"], duration_minutes=r["duration_minutes"],
                    frequency_type=r["frequency_type"], frequency_value=r["frequency_value"], place=r["place"],
                    theme=r["theme"], condition=r["condition"],
                )
                activity_rule.staff_types.set(staff_type.objects.filter(code__in=r["staff"]))


def outcome_list(model_name: str, outcomes_text: str) -> list[tuple[str, bool]]:
    """The outcomes of a model: the seven of the full model, else its text split at ";" (an outcome
    containing "fortsat" — the course goes on — is not counted as successful)."""
    if model_name == MODELS[0]["name"]:
        return FULL_MODEL_OUTCOMES
    names = [part.strip() for part in outcomes_text.replace("\n", ";").split(";") if part.strip()]
    return [(name[:1].upper() + name[1:], "fortsat" not in name.lower()) for name in names]


def install_outcomes(get_model: Callable[[str, str], Any]) -> None:
    """Give every intervention model its outcome rows (idempotent: models that have some are skipped)."""
    intervention_model = get_model("activities", "InterventionModel")
    outcome = get_model("activities", "Outcome")
    for model in intervention_model.objects.all():
        if outcome.objects.filter(model=model).exists():
            continue
        items = outcome_list(model.name if model.builtin else "", model.outcomes)
        outcome.objects.bulk_create(outcome(model=model, order=n, name=name[:200], successful=ok)
                                    for n, (name, ok) in enumerate(items, start=1))
        if model.builtin and model.name == MODELS[0]["name"]:
            model.outcomes = MODELS[0]["outcomes"]
            model.save(update_fields=["outcomes"])
