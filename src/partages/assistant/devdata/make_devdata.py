"""Writes stays.json and notes.json: fictitious dev data (no real patient), hand-written.

Kept as a script so the texts stay readable; run ``python make_devdata.py`` after editing.
Expected values are what a clinician would put in the letter, written by hand from the texts.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

STAYS = [
    {
        "id": "sejour-1-fa-avc",
        "documents": [
            {"type": "courrier d'admission", "date": "2024-03-02", "text": """Motif : hémiparésie droite brutale.
Patient de 78 ans, entré le 02/03/2024 aux urgences.
Médecin traitant : Dr Aubert Lefranc.
Antécédents : HTA, diabète de type 2, fibrillation atriale connue.
Traitement habituel :
- Kardégic 75 mg 1 sachet le matin
- Metformine 1000 mg matin et soir
- Ramipril 5 mg 1 cp le matin
- Previscan 20 mg 1 cp le soir
"""},
            {"type": "compte-rendu d'imagerie", "date": "2024-03-02", "text": """IRM cérébrale : infarctus cérébral sylvien gauche récent. Pas d'hémorragie intracrânienne."""},
            {"type": "observation médicale", "date": "2024-03-05", "text": """Évolution favorable. Arrêt du Previscan en raison d'un INR instable, relais par Eliquis.
Arrêt du Kardégic car association avec l'anticoagulant non justifiée.
Le ramipril est augmenté à 10 mg devant des chiffres tensionnels élevés.
Pas de transfusion. Pas de BMR au dépistage rectal.
Pas de complication pendant le séjour."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2024-03-09", "text": """Conclusion : AVC ischémique sylvien gauche d'origine cardio-embolique sur fibrillation atriale.
Sortie le 09/03/2024 vers un SSR neurologique.
Traitement de sortie :
- Eliquis 5 mg matin et soir
- Metformine 1000 mg matin et soir
- Ramipril 10 mg 1 cp le matin
- Atorvastatine 40 mg le soir
Examens en attente :
- Holter ECG des 24 h, résultat en attente
Suivi :
- Consultation de neurologie vasculaire dans 3 mois
- Contrôle de la fonction rénale dans 1 mois
"""},
        ],
        "expected": {
            "traitements_sortie": ["eliquis", "metformine", "ramipril", "atorvastatine"],
            "traitements_arretes": ["previscan", "kardegic"],
            "traitements_modifies": ["ramipril"],
            "resultats_en_attente": ["holter"],
            "suivi": ["neurologie", "fonction renale"],
            "bmr": False, "transfusion": False,
        },
    },
    {
        "id": "sejour-2-pneumopathie",
        "documents": [
            {"type": "observation d'entrée", "date": "2024-01-10", "text": """Motif : fièvre et toux depuis 5 jours.
Hospitalisée le 10/01/2024 pour pneumopathie franche lobaire aiguë.
Médecin traitant : Dr Camille Rousseau.
Antécédents : BPCO, hypothyroïdie.
Traitement à domicile :
- Levothyrox 75 µg le matin
- Spiriva 2,5 µg 2 bouffées par jour
- Ibuprofène 400 mg 3 fois par jour
"""},
            {"type": "biologie", "date": "2024-01-11", "text": """CRP 180 mg/L. Hémocultures prélevées le 10/01 : en cours, résultats en attente.
Antigénuries légionelle et pneumocoque négatives."""},
            {"type": "observation médicale", "date": "2024-01-13", "text": """Ibuprofène arrêté car AINS contre-indiqué au cours d'une pneumopathie.
Apyrexie à J3 de l'antibiothérapie. Pas de transfusion.
Portage de BLSE au dépistage : précautions contact complémentaires."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2024-01-16", "text": """Conclusion : pneumopathie lobaire inférieure droite chez une patiente BPCO, évolution favorable sous antibiotiques.
Sortie le 16/01/2024 au domicile.
Traitement de sortie :
- Amoxicilline 1 g 3 fois par jour pendant 4 jours
- Levothyrox 75 µg le matin
- Spiriva 2,5 µg 2 bouffées par jour
Suivi : radiographie thoracique de contrôle dans 6 semaines.
Consultation de pneumologie dans 2 mois.
"""},
        ],
        "expected": {
            "traitements_sortie": ["amoxicilline", "levothyrox", "spiriva"],
            "traitements_arretes": ["ibuprofene"],
            "traitements_modifies": [],
            "resultats_en_attente": ["hemocultures"],
            "suivi": ["radiographie", "pneumologie"],
            "bmr": True, "transfusion": False,
        },
    },
    {
        "id": "sejour-3-hemorragie-digestive",
        "documents": [
            {"type": "courrier d'admission", "date": "2024-05-20", "text": """Motif : méléna et malaise.
Admis le 20/05/2024 par les urgences.
Traitement habituel :
- Xarelto 20 mg le soir
- Bisoprolol 5 mg le matin
- Oméprazole 20 mg le matin
- Furosémide 40 mg le matin
"""},
            {"type": "compte-rendu opératoire", "date": "2024-05-21", "text": """Fibroscopie œso-gastro-duodénale : ulcère bulbaire Forrest IIb, traité par clip hémostatique.
Biopsies gastriques pour recherche d'Helicobacter pylori, anatomopathologie en attente."""},
            {"type": "observation médicale", "date": "2024-05-22", "text": """Anémie à 6,8 g/dL : transfusion de 2 culots globulaires le 21/05.
Arrêt du Xarelto devant l'hémorragie digestive, reprise à discuter en consultation.
Oméprazole augmenté à 40 mg matin et soir pour l'ulcère.
Absence de BMR."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2024-05-27", "text": """Conclusion : hémorragie digestive haute sur ulcère bulbaire chez un patient sous anticoagulant.
Sortie le 27/05/2024.
Traitement de sortie :
- Bisoprolol 5 mg le matin
- Oméprazole 40 mg matin et soir pendant 8 semaines
- Furosémide 40 mg le matin
- Tardyferon 80 mg 1 cp par jour pendant 3 mois
Résultats en attente : histologie des biopsies gastriques.
Suivi :
- Numération formule sanguine dans 1 semaine
- Consultation de cardiologie pour discuter la reprise de l'anticoagulation
- Nouvelle fibroscopie dans 8 semaines
"""},
        ],
        "expected": {
            "traitements_sortie": ["bisoprolol", "omeprazole", "furosemide", "tardyferon"],
            "traitements_arretes": ["xarelto"],
            "traitements_modifies": ["omeprazole"],
            "resultats_en_attente": ["biopsies"],
            "suivi": ["numeration", "cardiologie", "fibroscopie"],
            "bmr": False, "transfusion": True,
        },
    },
    {
        "id": "sejour-4-insuffisance-cardiaque",
        "documents": [
            {"type": "observation d'entrée", "date": "2024-02-01", "text": """Motif : dyspnée de repos et œdèmes des membres inférieurs.
Entrée le 01/02/2024.
Médecin traitant : Dr Hélène Marchal.
Antécédents : cardiopathie ischémique, insuffisance rénale chronique. Pas de diabète.
Traitement habituel :
- Lasilix 40 mg le matin
- Bisoprolol 2,5 mg le matin
- Diltiazem 60 mg 3 fois par jour
- Kardégic 75 mg le matin
"""},
            {"type": "échographie", "date": "2024-02-02", "text": """Échographie cardiaque : FEVG 30 %, dilatation du ventricule gauche."""},
            {"type": "observation médicale", "date": "2024-02-04", "text": """Décompensation cardiaque globale. Lasilix augmenté à 80 mg le matin.
Diltiazem arrêté en raison de la FEVG altérée.
Chute dans la chambre le 03/02 sans traumatisme.
Pas de transfusion. Pas de BMR."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2024-02-10", "text": """Conclusion : insuffisance cardiaque à FEVG altérée décompensée.
Sortie le 10/02/2024.
Traitement de sortie :
- Lasilix 80 mg le matin
- Bisoprolol 2,5 mg le matin
- Kardégic 75 mg le matin
- Entresto 24 mg/26 mg matin et soir
Le dosage du NT-proBNP de sortie sera transmis au médecin traitant.
Suivi :
- Consultation de cardiologie dans 1 mois
- Ionogramme sanguin dans 1 semaine
- Pesée quotidienne
"""},
        ],
        "expected": {
            "traitements_sortie": ["lasilix", "bisoprolol", "kardegic", "entresto"],
            "traitements_arretes": ["diltiazem"],
            "traitements_modifies": ["lasilix"],
            "resultats_en_attente": ["nt-probnp"],
            "suivi": ["cardiologie", "ionogramme", "pesee"],
            "bmr": False, "transfusion": False,
        },
    },
    {
        "id": "sejour-5-fracture-col",
        "documents": [
            {"type": "courrier d'admission", "date": "2024-04-12", "text": """Motif : chute mécanique à domicile avec impotence du membre inférieur gauche.
Admise le 12/04/2024.
Traitement habituel :
- Doliprane 1 g 3 fois par jour si besoin
- Zolpidem 10 mg au coucher
- Alendronate 70 mg 1 fois par semaine
"""},
            {"type": "compte-rendu opératoire", "date": "2024-04-13", "text": """Fracture du col du fémur gauche Garden IV : pose d'une prothèse intermédiaire de hanche gauche le 13/04/2024."""},
            {"type": "observation médicale", "date": "2024-04-15", "text": """Zolpidem arrêté en raison du risque de chute.
Confusion post-opératoire résolutive en 48 h.
Transfusion d'un culot globulaire pour anémie post-opératoire.
Pas de BMR."""},
            {"type": "compte-rendu d'hospitalisation", "date": "2024-04-20", "text": """Conclusion : fracture du col fémoral gauche opérée par prothèse intermédiaire.
Sortie le 20/04/2024 en SSR.
Traitement de sortie :
- Doliprane 1 g 3 fois par jour si besoin
- Alendronate 70 mg 1 fois par semaine
- Lovenox 4000 UI sous-cutanée le soir pendant 35 jours
- Calcium vitamine D3 1 sachet par jour
Le dosage de la vitamine D est en attente.
Suivi :
- Ablation des agrafes à J15
- Consultation d'orthopédie dans 6 semaines avec radiographie
"""},
        ],
        "expected": {
            "traitements_sortie": ["doliprane", "alendronate", "lovenox", "calcium"],
            "traitements_arretes": ["zolpidem"],
            "traitements_modifies": [],
            "resultats_en_attente": ["vitamine d"],
            "suivi": ["agrafes", "orthopedie"],
            "bmr": False, "transfusion": True,
        },
    },
]

NOTES = [
    {"text": "Patient hospitalisé pour pneumopathie communautaire. Antécédents : HTA.", "expected": ["J18.9", "I10"], "forbidden": []},
    {"text": "Pas de diabète. Hypertension artérielle traitée par amlodipine.", "expected": ["I10"], "forbidden": ["E11.9", "E10.9"]},
    {"text": "Père décédé d'un infarctus du myocarde à 55 ans. Douleur thoracique atypique, coronarographie normale.", "expected": ["Z82.4", "R07.4"], "forbidden": ["I21.9"]},
    {"text": "Mère traitée pour un cancer du sein. Patiente suivie pour hypothyroïdie.", "expected": ["Z80.3", "E03.9"], "forbidden": ["C50.9"]},
    {"text": "Suspicion d'embolie pulmonaire, angioscanner négatif. Diagnostic retenu : pneumopathie.", "expected": ["J18.9"], "forbidden": ["I26.9"]},
    {"text": "Décompensation cardiaque sur fibrillation atriale rapide.", "expected": ["I50.9", "I48"], "forbidden": []},
    {"text": "Infection urinaire fébrile. Absence de sepsis.", "expected": ["N39.0"], "forbidden": ["A41.9"]},
    {"text": "Diabète de type 2 déséquilibré, obésité. Frère diabétique de type 1.", "expected": ["E11.9", "E66.9", "Z83.3"], "forbidden": ["E10.9"]},
    {"text": "AVC ischémique sylvien droit. Pas de fibrillation atriale au Holter.", "expected": ["I63.9"], "forbidden": ["I48"]},
    {"text": "Exacerbation de BPCO. Pas d'insuffisance respiratoire aiguë.", "expected": ["J44.1"], "forbidden": ["J96.0"]},
    {"text": "Insuffisance rénale aiguë fonctionnelle sur déshydratation.", "expected": ["N17.9", "E86"], "forbidden": []},
    {"text": "Anémie ferriprive. Hémorragie digestive éliminée par la fibroscopie.", "expected": ["D50.9"], "forbidden": ["K92.2"]},
    {"text": "Antécédents familiaux : cancer du côlon chez le père. Coloscopie de dépistage normale.", "expected": ["Z80.0"], "forbidden": ["C18.9"]},
    {"text": "Cholécystite aiguë lithiasique opérée.", "expected": ["K80.0"], "forbidden": []},
    {"text": "Pancréatite aiguë d'origine alcoolique. Éthylisme chronique.", "expected": ["K85.9", "F10.2"], "forbidden": []},
    {"text": "Possible maladie de Parkinson à confirmer. Chute à domicile.", "expected": ["W19"], "forbidden": ["G20"]},
    {"text": "Sœur suivie pour maladie d'Alzheimer. Syndrome dépressif chez la patiente.", "expected": ["F32.9", "Z82.0"], "forbidden": ["G30.9"]},
    {"text": "Hyponatrémie à 125 mmol/L. Pas d'insuffisance cardiaque.", "expected": ["E87.1"], "forbidden": ["I50.9"]},
    {"text": "Fracture du col du fémur droit après chute. Ostéoporose fracturaire.", "expected": ["S72.0", "M81.9", "W19"], "forbidden": []},
    {"text": "Covid-19 avec pneumopathie. Absence d'embolie pulmonaire au scanner. Asthme dans la famille (mère).", "expected": ["U07.1", "J18.9", "Z82.5"], "forbidden": ["I26.9", "J45.9"]},
]

# people and discharge conditions (added 2026-11-29 with their extraction; None: not in the documents)
_NO_HOSPITAL = {"medecin_hospitalier": None, "service": None}
PEOPLE = {
    "sejour-1-fa-avc": ({"medecin_traitant": "aubert lefranc", **_NO_HOSPITAL}, {"mode": "SSR", "date": "09/03/2024"}),
    "sejour-2-pneumopathie": ({"medecin_traitant": "camille rousseau", **_NO_HOSPITAL}, {"mode": "domicile", "date": "16/01/2024"}),
    "sejour-3-hemorragie-digestive": ({"medecin_traitant": None, **_NO_HOSPITAL}, {"mode": None, "date": "27/05/2024"}),
    "sejour-4-insuffisance-cardiaque": ({"medecin_traitant": "helene marchal", **_NO_HOSPITAL}, {"mode": None, "date": "10/02/2024"}),
    "sejour-5-fracture-col": ({"medecin_traitant": None, **_NO_HOSPITAL}, {"mode": "SSR", "date": "20/04/2024"}),
}
for _stay in STAYS:
    _p, _s = PEOPLE[_stay["id"]]
    _stay["expected"].update({"personnes": _p, "sortie": _s, "patient": {"nom": None}})

if __name__ == "__main__":
    (HERE / "stays.json").write_text(json.dumps(STAYS, ensure_ascii=False, indent=1) + "\n")
    (HERE / "notes.json").write_text(json.dumps(NOTES, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(STAYS)} stays, {len(NOTES)} notes")
