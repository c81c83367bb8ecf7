"""A fictitious stay (invented patient, invented events) used by the browser walk."""

STAY = [
    {
        "type": "observation_entree",
        "date": "2026-03-02",
        "text": (
            "Observation d'entrée. Patient de 72 ans adressé par son médecin traitant pour dyspnée fébrile "
            "évoluant depuis 3 jours. Antécédents : hypertension artérielle, fibrillation atriale. "
            "Traitement à l'entrée : ramipril 5 mg 1 cp le matin, apixaban 5 mg 2 fois par jour, "
            "ibuprofène 400 mg si douleur. Pas de portage BMR connu."
        ),
    },
    {
        "type": "compte_rendu",
        "date": "2026-03-08",
        "text": (
            "Compte rendu d'hospitalisation. Pneumopathie franche lobaire inférieure droite traitée par "
            "amoxicilline 1 g 3 fois par jour pendant 7 jours, avec bonne évolution. Insuffisance rénale "
            "aiguë fonctionnelle : ramipril suspendu puis repris à demi-dose (2,5 mg). Ibuprofène arrêté "
            "en raison de l'association avec l'apixaban. Pas de transfusion. Hémocultures en attente. "
            "Radiographie thoracique de contrôle à prévoir dans 6 semaines ; consultation chez le "
            "médecin traitant sous 7 jours."
        ),
    },
    {
        "type": "ordonnance_sortie",
        "date": "2026-03-08",
        "text": "Ordonnance de sortie : apixaban 5 mg 2 fois par jour ; ramipril 2,5 mg 1 cp le matin ; amoxicilline 1 g 3 fois par jour jusqu'au 09/03.",
    },
]
