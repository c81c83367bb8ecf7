"""Writes heldout2_stays.json and heldout2_notes.json: a SECOND held-out set, fictitious.

Written on 2026-11-29 AFTER the rules were fixed on the first held-out set (make_heldout.py),
without running the rules on these texts first, to measure how those fixes generalise: the first
held-out set, once used for fixing, is no longer held out. Wording styles again new: capitals
headings, "•" bullets, a transfer and a death, labelled identity with a written-out date, typos.
Its numbers are reported as measured; any later fix must be reported as "after" separately.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

STAYS = [
    {
        "id": "heldout2-1-transfert-telegraphique",
        "documents": [
            {"type": "fiche administrative", "date": "2025-07-02", "text": """Nom : MARTIN
Prénom : Paul
Né le : 1er mars 1944
Médecin traitant : Dr. Lopez, Nantes
"""},
            {"type": "observation d'entrée", "date": "2025-07-02", "text": """MOTIF : dyspnée fébrile
Entré le 02/07/2025 via SAU.
TRAITEMENT PERSONNEL :
• Eliquis 5 mg matin et soir
• Bisoprolol 5 mg le matin
• Furosémide 40 mg le matin
• Diffu-K 600 mg 1 gélule par jour
RP : opacité alvéolaire base droite. Hémocultures x2 prélevées."""},
            {"type": "observation médicale", "date": "2025-07-04", "text": """Dégradation respiratoire, besoin en O2 croissant (6 L/min).
Furosémide majoré à 80 mg/j (surcharge associée).
Diffu-K stoppé : kaliémie à 5,6 mmol/L.
BMR : négatif. Pas de transfussion.
Avis réanimation : transfert en réanimation médicale au CHU de Nantes le 05/07/2025."""},
            {"type": "lettre de liaison", "date": "2025-07-05", "text": """Dr Claire Vidal, PH, service de pneumologie.
Patient transféré le 05/07/2025 en réanimation médicale (CHU de Nantes) pour pneumopathie grave avec insuffisance respiratoire aiguë.
TRAITEMENT EN COURS AU TRANSFERT :
• Eliquis 5 mg matin et soir
• Bisoprolol 5 mg le matin
• Furosémide 80 mg le matin
• Augmentin 1 g trois fois par jour IV
EXAMENS EN ATTENTE :
• hémocultures du 02/07 (en cours)
• antigénurie légionelle
À PRÉVOIR : réévaluation de l'antibiothérapie à 48 h par l'équipe de réanimation.
"""},
        ],
        "expected": {
            "traitements_sortie": ["eliquis", "bisoprolol", "furosemide", "augmentin"],
            "traitements_arretes": ["diffu-k"],
            "traitements_modifies": ["furosemide"],
            "resultats_en_attente": ["hemocultures", "legionelle"],
            "suivi": ["antibiotherapie"],
            "bmr": False,
            "transfusion": False,
            "personnes": {"medecin_traitant": "lopez", "medecin_hospitalier": "vidal", "service": "pneumologie"},
            "sortie": {"mode": "transfert", "date": "05/07/2025", "autonomie": None},
            "patient": {"nom": "martin", "prenom": "paul", "date_naissance": "1er mars 1944"},
        },
    },
    {
        "id": "heldout2-2-deces",
        "documents": [
            {"type": "courrier d'admission", "date": "2025-08-10", "text": """Mme Lefèvre Jacqueline, 91 ans, adressée par son médecin traitant le Dr Henri Caron pour altération de l'état général.
Traitement habituel : Kardégic 75 mg le matin ; Amlodipine 5 mg le matin ; Zopiclone 7,5 mg au coucher."""},
            {"type": "observation médicale", "date": "2025-08-12", "text": """Découverte d'une insuffisance rénale aiguë anurique. Arrêt de l'amlodipine devant une hypotension.
Décision collégiale de limitation des thérapeutiques actives, en accord avec la famille. Pas de transfusion."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2025-08-14", "text": """Service de médecine interne, Dr Émilie Roux.
Patiente décédée le 14/08/2025 dans un contexte d'insuffisance rénale aiguë terminale.
Pas de BMR identifiée pendant le séjour.
Les résultats de l'électrophorèse des protéines seront adressés au médecin traitant."""},
        ],
        "expected": {
            "traitements_sortie": [],
            "traitements_arretes": ["amlodipine"],
            "traitements_modifies": [],
            "resultats_en_attente": ["electrophorese"],
            "suivi": [],
            "bmr": False,
            "transfusion": False,
            "personnes": {"medecin_traitant": "caron", "medecin_hospitalier": "roux", "service": "medecine interne"},
            "sortie": {"mode": "deces", "date": "14/08/2025", "autonomie": None},
            "patient": {"nom": "lefevre", "prenom": "jacqueline", "date_naissance": None},
        },
    },
    {
        "id": "heldout2-3-ssr-majuscules-fautes",
        "documents": [
            {"type": "observation d'entrée", "date": "2025-10-03", "text": """Patient : M. Rossi Antoine (DDN 30/06/1958)
Motif : hémiplégie gauche au réveil
Traitement à l'entrée :
- Metformine 500 mg matin midi et soir
- Atorvastatine 20 mg le soir
- Ramipril 2,5 mg le matin
- Omeprazole 20 mg le matin
Médecin traitant : Dr Lucie Fabre"""},
            {"type": "observation médicale", "date": "2025-10-06", "text": """AVC ischémique sylvien droit, non thrombolysé (délai dépassé).
Atorvastatine augmentée a 80 mg devant l'AVC athéromateux.
Oméprazole arreté (pas d'indication).
Pose d'une sonde nasogastrique pour troubles de déglutition, retirée à J5.
Pas de BMR ; pas de transfusion."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2025-10-15", "text": """UNITÉ NEUROVASCULAIRE — Dr Hugo Leclerc, neurologue senior
CONCLUSION : AVC ischémique sylvien droit sur sténose carotidienne droite.
SORTIE : le 15/10/2025, mutation au SSR neurologique de Kerpape.
AUTONOMIE : marche avec aide technique, dépendant pour l'habillage.
TRAITEMENT DE SORTIE :
- Kardégic 75 mg le matin
- Atorvastatine 80 mg le soir
- Metformine 500 mg matin midi et soir
- Ramipril 2,5 mg le matin
EN ATTENTE : angio-IRM des troncs supra-aortiques (programmée)
SUIVI :
- consultation de neurologie vasculaire à 3 mois
- avis chirurgie vasculaire pour endartériectomie carotidienne
"""},
        ],
        "expected": {
            "traitements_sortie": ["kardegic", "atorvastatine", "metformine", "ramipril"],
            "traitements_arretes": ["omeprazole"],
            "traitements_modifies": ["atorvastatine"],
            "resultats_en_attente": ["angio-irm"],
            "suivi": ["neurologie", "chirurgie vasculaire"],
            "bmr": False,
            "transfusion": False,
            "personnes": {"medecin_traitant": "fabre", "medecin_hospitalier": "leclerc", "service": None},
            "sortie": {"mode": "SSR", "date": "15/10/2025", "autonomie": "aide technique"},
            "patient": {"nom": "rossi", "prenom": "antoine", "date_naissance": "30/06/1958"},
        },
    },
]

NOTES = [
    {"text": "BPCO post-tabagique stade III. Pas d'exacerbation récente.", "expected": ["J44.9"], "forbidden": ["J44.1"]},
    {"text": "Oncle paternel : cancer de la prostate. Le patient est suivi pour une hypertension artérielle.", "expected": ["I10", "Z80.4"], "forbidden": ["C61"]},
    {"text": "Pneumopathie ? à confirmer par scanner. Insuffisance respiratoire aiguë hypoxémique.", "expected": ["J96.0"], "forbidden": ["J18.9"]},
    {"text": "Motif : malaise avec perte de connaissance. Conclusion : syncope vaso-vagale. Pas de trouble du rythme.", "expected": ["R55"], "forbidden": []},
    {"text": "Antécédents familiaux : diabète de type 2 (mère), infarctus (père). Patiente sans antécédent cardiovasculaire.", "expected": ["Z83.3", "Z82.4"], "forbidden": ["E11.9", "I21.9"]},
    {"text": "Cirrhose éthylique décompensée (ascite). Sevrage alcoolique en cours.", "expected": ["K74.6"], "forbidden": []},
    {"text": "Insuffisance rénale chronique stade 4 ; hyperkaliémie à 6,1 mmol/L. Pas d'IRA surajoutée.", "expected": ["N18.9", "E87.5"], "forbidden": ["N17.9"]},
    {"text": "Thrombose veineuse profonde surale droite. Embolie pulmonaire écartée par angioscanner.", "expected": ["I80.2"], "forbidden": ["I26.9"]},
    {"text": "Pyélonéphrite aigue droite a E. coli. Pas de sepsis. Diabétique type 2.", "expected": ["N39.0", "E11.9"], "forbidden": ["A41.9"]},
    {"text": "Dénutrition sévère chez une patiente atteinte de démence. Escarre sacrée stade 3.", "expected": ["F03", "L89.9"], "forbidden": []},
]


def main() -> None:
    (HERE / "heldout2_stays.json").write_text(json.dumps(STAYS, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (HERE / "heldout2_notes.json").write_text(json.dumps(NOTES, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
