"""Writes heldout_stays.json and heldout_notes.json: a HELD-OUT set, fictitious (no real patient).

Written on 2026-11-29 BEFORE any rule was changed for it, in wording styles the dev data does not
use (abbreviations, bare lists, free prose, typos), so that its scores say how the rules
generalise. The numbers measured on it as first written are kept in BENCHMARKS.md ("before");
rules fixed afterwards are reported separately ("after"). Do not tune the texts to the rules.

Expected values are what a clinician would put in the letter, written by hand from the texts.
Identity and people fields (``personnes``, ``sortie``, ``patient``) hold folded substrings that
the extracted value must contain.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

STAYS = [
    {
        "id": "heldout-1-nstemi-abreviations",
        "documents": [
            {"type": "obs urgences", "date": "2025-02-11", "text": """M. BERNARD Lucien, né le 03/07/1951, 73 ans
MT : Dr P. Garnier (Vitré)
Adressé par SOS médecins pr DT constrictive depuis 2h.
ATCD : HTA, DT2, tabac sevré (30 PA), dyslip.
TTT habituel :
Amlodipine 5mg 1/j
Metformine 850mg x2/j
Tahor 20mg le soir
Inexium 20mg 1/j
ECG : sous-décalage ST V4-V6. Tropo 850 ng/L -> NSTEMI.
"""},
            {"type": "CR coronarographie", "date": "2025-02-12", "text": """Coro : sténose serrée IVA moyenne, ATL + 1 stent actif. Pas d'autre lésion significative.
Dr Mathieu Roche, cardiologue interventionnel."""},
            {"type": "obs USIC", "date": "2025-02-13", "text": """J2 post ATL, pas de récidive douloureuse. Pas de complic au point de ponction radiale.
Metformine suspendue 48h post injection iodée, reprise à J2 (créat normale).
Tahor majoré à 80mg (objectif LDL < 0,55).
Pas de transfu. Dépistage BMR neg."""},
            {"type": "CRH", "date": "2025-02-15", "text": """Service de cardiologie - Pr Anne-Sophie Lemaire, Dr Mathieu Roche
Dg : SCA ST- (NSTEMI) sur sténose IVA, angioplastie + stent actif le 12/02/25.
RAD le 15/02/2025, autonome.
Ordo de sortie :
Kardégic 75mg 1/j
Brilique 90mg x2/j pdt 12 mois
Tahor 80mg le soir
Bisoprolol 2,5mg le matin
Metformine 850mg x2/j
Inexium 20mg 1/j
Amlodipine arrêtée (remplacée par bisoprolol pour la FC).
A faire :
- RDV cardio dans 1 mois
- Réadaptation cardiaque à programmer
- bilan lipidique à 6 sem
Eto de contrôle : CR définitif à venir.
"""},
        ],
        "expected": {
            "traitements_sortie": ["kardegic", "brilique", "tahor", "bisoprolol", "metformine", "inexium"],
            "traitements_arretes": ["amlodipine"],
            "traitements_modifies": ["tahor"],
            "resultats_en_attente": ["eto"],
            "suivi": ["cardio", "readaptation", "lipidique"],
            "bmr": False,
            "transfusion": False,
            "personnes": {"medecin_traitant": "garnier", "medecin_hospitalier": "lemaire", "service": "cardiologie"},
            "sortie": {"mode": "domicile", "date": "15/02/2025", "autonomie": "autonome"},
            "patient": {"nom": "bernard", "prenom": "lucien", "date_naissance": "03/07/1951"},
        },
    },
    {
        "id": "heldout-2-confusion-prose-fautes",
        "documents": [
            {"type": "courrier du médecin traitant", "date": "2025-05-03", "text": """Cher confrère,
Je vous adresse Madame Odette Perrin, 89 ans, que je suis depuis de nombreuses années, pour une confusion d'installation rapide
depuis 48 heures avec une baisse de l'état général. Elle vit seule à son domicile avec un passage infirmier le matin.
Son traitement actuel comporte du Levothyrox 50 microgrammes le matin, du Seresta 10 mg le soir, du Lasilix 20 mg le matin
et du Doliprane 1 g trois fois par jour si douleurs.
Bien confraternellement, Dr Sylvie Moreau, médecin généraliste"""},
            {"type": "observation d'entrée", "date": "2025-05-03", "text": """Patiente née le 21/11/1935. Entrée le 03/05/2025 en médecine gériatrique.
A l'examen, patiente désorientée, fébrile a 38,6. Bandelette urinaire positive, ECBU prélevé.
Natrémie à 128 mmol/L. Le Lasilix est stopé devant l'hyponatrémie et la déshydratation."""},
            {"type": "observation médicale", "date": "2025-05-07", "text": """L'ECBU retrouve un E. coli producteur de BLSE : isolement contact mis en place. Relais antibiotique par
Ofloxacine selon l'antibiogramme. La confusion régresse progressivement. Le Seresta est diminué à 5 mg le soir car il majore
le risque de chute et de confusion. Anémie à 7,2 g/dL d'origine inflamatoire, une transfusion de deux CGR a été réalisée le 06/05."""},
            {"type": "compte rendu d'hospitalisation", "date": "2025-05-12", "text": """Compte rendu rédigé par le Dr Julien Faure, médecin senior, service de médecine gériatrique.
Madame Perrin a été hospitalisée du 03/05/2025 au 12/05/2025 pour une pyélonéphrite aiguë à E. coli BLSE compliquée d'un syndrome
confusionnel. L'évolution a été favorable. Compte tenu de la perte d'autonomie (aide pour la toilette et les transferts), elle
sort le 12/05/2025 vers l'EHPAD Les Tilleuls, en accord avec sa fille.
Traitement a la sortie : Levothyrox 50 µg le matin, Seresta 5 mg le soir, Ofloxacine 200 mg matin et soir pendant 7 jours,
Doliprane 1 g trois fois par jour si douleurs.
Nous n'avons pas encore reçu le résultat des hémocultures du 03/05 qui vous sera communiqué.
Il faudra contrôler la natrémie dans une semaine et la revoir en consultation de gériatrie dans deux mois."""},
        ],
        "expected": {
            "traitements_sortie": ["levothyrox", "seresta", "ofloxacine", "doliprane"],
            "traitements_arretes": ["lasilix"],
            "traitements_modifies": ["seresta"],
            "resultats_en_attente": ["hemocultures"],
            "suivi": ["natremie", "geriatrie"],
            "bmr": True,
            "transfusion": True,
            "personnes": {"medecin_traitant": "moreau", "medecin_hospitalier": "faure", "service": "geriatrie"},
            "sortie": {"mode": "ehpad", "date": "12/05/2025", "autonomie": "perte d'autonomie"},
            "patient": {"nom": "perrin", "prenom": "odette", "date_naissance": "21/11/1935"},
        },
    },
    {
        "id": "heldout-3-sigmoidite-listes",
        "documents": [
            {"type": "fiche d'admission", "date": "2025-09-20", "text": """Identité : DUBOIS Karim
Date de naissance : 14/02/1968
Sexe : M
Médecin traitant : Docteur Nadia Benali
Date d'entrée : 20/09/2025
Service : chirurgie digestive
Motif d'admission : douleurs de la fosse iliaque gauche fébriles
Traitements en cours :
* Xarelto 20 mg/j
* Ramipril 5 mg/j
* Atorvastatine 10 mg/j
"""},
            {"type": "compte-rendu opératoire", "date": "2025-09-23", "text": """Opérateur : Dr Thomas Girard
Indication : sigmoïdite perforée avec abcès pelvien.
Intervention : sigmoïdectomie par laparotomie, colostomie terminale (Hartmann). Pièce adressée en anatomopathologie.
Xarelto interrompu la veille de l'intervention (risque hémorragique), relais Lovenox préventif."""},
            {"type": "observation infirmière", "date": "2025-09-25", "text": """Stomie fonctionnelle. Appareillage expliqué au patient.
Pas de transfusion pendant le séjour.
Dépistage BHRe : négatif.
Sepsis de paroi J4 : désunion partielle, soins locaux."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2025-10-02", "text": """Chirurgien référent : Dr Thomas Girard
Diagnostic : sigmoïdite diverticulaire perforée (Hinchey III)
Complications : infection de paroi traitée par soins locaux
Mode de sortie : domicile avec IDE
Date de sortie : 02/10/2025
Autonomie : autonome pour les actes de la vie quotidienne, appareillage de stomie par IDE
Traitements de sortie :
* Xarelto 20 mg/j (reprise à J7)
* Ramipril 5 mg/j
* Atorvastatine 10 mg/j
* Paracétamol 1 g x 3/j si douleur
Examens en attente :
* anatomopathologie de la pièce de sigmoïdectomie
Suivi :
* soins de plaie et de stomie par IDE à domicile tous les 2 jours
* consultation de chirurgie dans 6 semaines
* discussion du rétablissement de continuité à 3 mois
"""},
        ],
        "expected": {
            "traitements_sortie": ["xarelto", "ramipril", "atorvastatine", "paracetamol"],
            "traitements_arretes": [],
            "traitements_modifies": [],
            "resultats_en_attente": ["anatomopathologie"],
            "suivi": ["stomie", "chirurgie", "continuite"],
            "bmr": False,
            "transfusion": False,
            "personnes": {"medecin_traitant": "benali", "medecin_hospitalier": "girard", "service": "chirurgie digestive"},
            "sortie": {"mode": "domicile", "date": "02/10/2025", "autonomie": "autonome"},
            "patient": {"nom": "dubois", "prenom": "karim", "date_naissance": "14/02/1968"},
        },
    },
]

NOTES = [
    {"text": "ATCD: HTA, DNID sous metformine, AOMI stade 2. Pas d'IDM.", "expected": ["I10", "E11.9", "I70.2"], "forbidden": ["I21.9"]},
    {"text": "pneumopathie d'inhalation chez patient dément (Alzheimer) ; pas d'EP au scanner", "expected": ["J18.9", "G30.9"], "forbidden": ["I26.9"]},
    {"text": "Mère et tante maternelle : cancer du sein. La patiente consulte pour une hypothyroidie découverte fortuitement.", "expected": ["E03.9", "Z80.3"], "forbidden": ["C50.9"]},
    {"text": "Diagnostics retenus :\n- Insuffisance cardiaque décompensée\n- ACFA rapide\n- Insuffisance rénale aigue fonctionnelle", "expected": ["I50.9", "I48", "N17.9"], "forbidden": []},
    {"text": "Douleur abdo FID, appendicite suspectée, écho normale : diagnostic d'appendicite écarté. Constipation.", "expected": ["K59.0"], "forbidden": ["K35.8"]},
    {"text": "Patient éthylique chronique, cirrhose Child B, hémorragie digestive par rupture de varices oesophagiennes.", "expected": ["F10.2", "K74.6", "K92.2"], "forbidden": []},
    {"text": "Frère décédé d'un AVC à 60 ans. Le patient présente un AIT résolutif. Pas de FA à l'ECG.", "expected": ["G45.9", "Z82.3"], "forbidden": ["I64", "I48"]},
    {"text": "Probable embolie pulmonaire non confirmée ; thrombose veineuse profonde du membre inférieur gauche confirmée à l'écho-doppler.", "expected": ["I80.2"], "forbidden": ["I26.9"]},
    {"text": "Diabète de type 1 depuis l'enfance, hypoglycémie sévère à domicile. Pas d'acidocétose.", "expected": ["E10.9"], "forbidden": ["E11.9"]},
    {"text": "Episode dépressif majeur, tentative de suicide médicamenteuse. Pas d'antécédent psychiatrique familial.", "expected": ["F32.9"], "forbidden": ["Z81.8"]},
]


def main() -> None:
    (HERE / "heldout_stays.json").write_text(json.dumps(STAYS, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (HERE / "heldout_notes.json").write_text(json.dumps(NOTES, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
