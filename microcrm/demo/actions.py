"""Commercial history: done actions over the two past years, planned ones ahead."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from microcrm.models import ActionStatus, Stage

#: Action type → (weight, subjects).
SUBJECTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Appel": (35, ("Appel de présentation", "Appel de suivi", "Prise de rendez-vous",
                   "Point sur le projet", "Appel entrant : demande d'information",
                   "Qualification du besoin", "Appel de courtoisie")),
    "E-mail": (25, ("Envoi de la documentation", "Envoi de la plaquette commerciale",
                    "Réponse à la demande de prix", "Confirmation de commande",
                    "Envoi des conditions générales", "Invitation au webinaire")),
    "Courrier": (8, ("Courrier de présentation", "Invitation aux portes ouvertes",
                     "Envoi du catalogue", "Courrier de relance")),
    "Rendez-vous": (12, ("Rendez-vous de découverte", "Démonstration sur site",
                         "Rendez-vous de signature", "Visite annuelle", "Réunion de lancement")),
    "Relance": (12, ("Relance devis", "Relance facture impayée", "Relance suite au salon",
                     "Relance après démonstration")),
    "Devis": (8, ("Devis maintenance", "Devis renouvellement du parc", "Devis installation",
                  "Devis formation", "Devis copieur")),
}
NOTES: tuple[str, ...] = (
    "Client intéressé, rappeler en septembre.", "Messagerie, message laissé.",
    "Devis envoyé par e-mail.", "Absent, rappeler la semaine prochaine.",
    "A demandé une remise de 5 %.", "Budget validé pour l'an prochain.",
    "Pas de besoin pour le moment.", "Très bon accueil, à suivre.",
    "Décision en comité de direction.", "Concurrent moins cher, à argumenter.",
    "Souhaite une démonstration sur site.", "Commande signée.",
)
#: Number of actions per organisation by stage (low, high); None: no lifecycle.
PER_STAGE: dict[Stage | None, tuple[int, int]] = {
    Stage.CLIENT: (2, 8), Stage.ANCIEN_CLIENT: (1, 4), Stage.PROSPECT: (1, 4),
    Stage.SUSPECT: (0, 1), None: (0, 1),
}
HISTORY_DAYS, AHEAD_DAYS = 730, 90
#: Time of day (UTC) that separates done from planned actions on ``today``.
NOON = dt.time(12, 0)


class ActionMaker:
    """Builds ``action`` rows; ids are given later by the caller."""

    def __init__(self, rng: random.Random, today: dt.date, action_types: dict[str, int],
                 audit: dict[str, Any]) -> None:
        self._rng = rng
        self._today = today
        # Noon of ``today`` splits past from future: the data depends on the date only.
        self._now = dt.datetime.combine(today, NOON, dt.UTC)
        self._audit = audit
        names = [n for n in SUBJECTS if n in action_types]
        self._types = [(action_types[n], SUBJECTS[n][1]) for n in names]
        self._weights = [SUBJECTS[n][0] for n in names]

    def count(self, stage: Stage | None) -> int:
        """How many actions an organisation (or private customer) at ``stage`` gets."""
        low, high = PER_STAGE[stage]
        if stage is Stage.SUSPECT or stage is None:
            return 1 if self._rng.random() < 0.3 else 0
        return self._rng.randint(low, high)

    def make(self, stage: Stage | None, organisation_id: int | None, person_ids: list[int],
             user_id: int | None) -> dict[str, Any]:
        """One action of a party; past ones are done (a few cancelled or overdue)."""
        rng = self._rng
        type_id, subjects = rng.choices(self._types, self._weights)[0]
        if stage is Stage.ANCIEN_CLIENT:
            offset = rng.randint(-HISTORY_DAYS, -180)
        elif stage is Stage.SUSPECT or stage is None:
            offset = rng.randint(-HISTORY_DAYS, AHEAD_DAYS // 3)
        else:
            offset = rng.randint(-HISTORY_DAYS, AHEAD_DAYS)
        day = self._today + dt.timedelta(days=offset)
        due = dt.datetime(day.year, day.month, day.day, rng.randint(7, 16),
                          rng.choice((0, 15, 30, 45)), tzinfo=dt.UTC)
        done_at = None
        if due >= self._now:
            status = ActionStatus.PLANNED
        else:
            roll = rng.random()
            status = (ActionStatus.DONE if roll < 0.88 else
                      ActionStatus.CANCELLED if roll < 0.95 else ActionStatus.PLANNED)
            if status is ActionStatus.DONE:
                done_at = due + dt.timedelta(minutes=rng.randint(5, 90))
        person = rng.choice(person_ids) if person_ids and rng.random() < 0.8 else None
        if organisation_id is None:  # a private customer's action names the person
            person = person_ids[0]
        return {
            "id": 0, "organisation_id": organisation_id, "person_id": person,
            "action_type_id": type_id, "user_id": user_id, "scenario_id": None,
            "campaign_id": None, "subject": rng.choice(subjects),
            "notes": rng.choice(NOTES) if rng.random() < 0.35 else None,
            "status": status, "due_at": due, "done_at": done_at, **self._audit,
        }
