"""The typed catalogue: exercise types (with their A.V.E.C. step and curriculum competence) and
the error types injected into assistant drafts.

Why a table: the teacher dashboard, the attestation and the learner view all name the same
steps and competences; keeping them here means one place to review the pedagogy.

A.V.E.C. is the HAS method for clinicians using generative AI (Apprendre, Vérifier, Estimer,
Communiquer). The competences refer to the national digital-health curriculum taught in the first
cycle of health studies (référentiel de compétences socle en santé numérique, arrêté du
10 novembre 2022, extended to AI from the 2025 academic year); the labels below are short
summaries of the competence trained, not verbatim quotations of the référentiel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

REFERENTIEL = "Référentiel de compétences socle en santé numérique (arrêté du 10 novembre 2022), volet IA"


@dataclass(frozen=True)
class ExerciseType:
    id: str
    titre: str
    avec: str  # A.V.E.C. step
    avec_detail: str
    domaine: str  # domain of the digital-health curriculum
    competence: str  # summary of the competence trained
    consigne: str  # instruction shown to the learner

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "referentiel": REFERENTIEL}


EXERCISE_TYPES: dict[str, ExerciseType] = {t.id: t for t in (
    ExerciseType(
        "reperer_erreur", "Repérer l'erreur", "Vérifier",
        "Vérifier chaque chiffre, unité, nom de médicament et date d'un brouillon produit par l'IA avant de l'utiliser.",
        "Outils numériques en santé",
        "Utiliser de façon critique un outil d'IA d'aide à la rédaction : contrôler le contenu produit au regard du dossier source.",
        "Ce brouillon de lettre de liaison a été produit par l'assistant à partir du séjour ci-dessous, puis des erreurs y ont été "
        "glissées. Cochez chaque ligne du brouillon qui contient une erreur, puis validez.",
    ),
    ExerciseType(
        "verifier_sources", "Vérifier les sources", "Vérifier",
        "Une citation n'est pas une preuve : vérifier que la source citée dit bien ce que l'IA lui attribue.",
        "Outils numériques en santé",
        "Rechercher et évaluer une information de santé : confronter une réponse générée à ses sources officielles (BDPM, ANSM).",
        "Voici une réponse « sourcée » de l'assistant. Pour chaque affirmation, dites si l'extrait cité la confirme.",
    ),
    ExerciseType(
        "pseudonymiser", "Pseudonymiser avant de demander", "Apprendre",
        "Connaître les règles d'usage de l'outil : ne jamais confier à une IA des données qui identifient le patient.",
        "Les données de santé",
        "Protéger les données de santé : retirer les identifiants directs et indirects avant tout partage ou saisie dans un outil.",
        "Avant d'envoyer cette note à un assistant d'IA, retirez-en tout ce qui identifie le patient (remplacez par [NOM], "
        "[DATE]...). Gardez l'information clinique utile à la question.",
    ),
    ExerciseType(
        "estimer_confiance", "Estimer la confiance", "Estimer",
        "Estimer la fiabilité d'une réponse : une probabilité affichée n'est pas une garantie, elle se vérifie sur des données.",
        "Outils numériques en santé",
        "Évaluer la fiabilité et les limites d'un système d'IA : interpréter un score de confiance et la calibration d'un modèle.",
        "Le modèle répond à cette question d'examen avec la probabilité indiquée. Lui faites-vous confiance ?",
    ),
)}


@dataclass(frozen=True)
class ErrorType:
    id: str
    label: str  # what the learner reads after answering
    why: str  # why it matters clinically


ERROR_TYPES: dict[str, ErrorType] = {t.id: t for t in (
    ErrorType("wrong_dose", "Dose ou unité erronée", "Une erreur d'un facteur 10 ou d'unité (mg/g, µg/mg) est une cause classique d'accident médicamenteux."),
    ErrorType("stopped_still_listed", "Médicament arrêté pendant le séjour encore listé à la sortie",
              "Le patient risque de reprendre un traitement arrêté pour une bonne raison."),
    ErrorType("invented_allergy", "Allergie inventée", "Une allergie inexistante prive le patient de traitements utiles et se propage de courrier en courrier."),
    ErrorType("wrong_side", "Erreur de côté", "Une latéralité fausse peut conduire à un geste ou un examen du mauvais côté."),
    ErrorType("wrong_date", "Date erronée", "Les dates structurent le suivi (durées de traitement, délais de contrôle, codage du séjour)."),
    ErrorType("interaction_not_flagged", "Interaction médicamenteuse non signalée",
              "Une interaction répertoriée par l'ANSM doit être signalée au médecin traitant pour adapter la surveillance."),
    ErrorType("abnormal_as_normal", "Résultat anormal présenté comme normal", "Un résultat anormal non signalé ne sera pas contrôlé après la sortie."),
)}


def exercise_type(type_id: str) -> ExerciseType:
    return EXERCISE_TYPES[type_id]
