"""Forms fixed in the third pass (2026-11-29, before the blind test split was scored), found on
the spent EDS-Pseudo test templates, on template cross-validation over every EDS-Pseudo template
(``benchmarks/deid_unseen.py --all-templates``) and on French forms probed by hand: English and
space-separated dates, arrondissements, foreign addresses, postal boxes and building lines,
lower-case dictated names, form grids, establishment names with their connector, known patient
identifiers that other rules would have dropped."""

from __future__ import annotations

import pytest

from tests.deid.conftest import found


@pytest.mark.parametrize(
    "text,dates",
    [
        ("Transfer letter, seen on Tuesday 12 March 2024.", ["Tuesday 12 March 2024"]),
        ("Admitted on April 3rd, 2024.", ["April 3rd, 2024"]),
        ("Phase 4 - 03feb, phase 5 - 22/05/2015.", ["03feb", "22/05/2015"]),
        ("Papillome résecté en 07 2002, récidive en 11 2019.", ["07 2002", "11 2019"]),
        ("Posologie 10 2000 mg.", []),  # a dose, not "month year"
    ],
)
def test_english_and_spaced_month_dates(detector, text, dates):
    assert found(detector.detect(text), "DATE") == dates


def test_english_dates_fall_back_when_shifted(detector):
    """The date shift cannot rewrite an English month name: the caller's fallback replaces the
    whole date, so the original day never survives next to a shifted month."""
    from partages.deid import Pseudonymizer

    out = Pseudonymizer(b"k" * 32, detector=detector).pseudonymize("Seen on Tuesday 12 March 2024.")
    assert "12 March" not in out.text and "Tuesday" not in out.text


@pytest.mark.parametrize(
    "text,villes",
    [
        ("Domicile : 12 rue de Vaugirard, 75015 PARIS 15E.", ["PARIS 15E"]),
        ("Cabinet à Lyon 3e et à Marseille 8ème.", ["Lyon 3e", "Marseille 8ème"]),
        ("En vacances en Corrèze, puis en Bretagne.", []),  # "en" + a département or a region: no town
        ("Habite au 153 rue du Lys à Anse depuis 2010.", ["Anse"]),  # any commune after a street
        ("Laboratoire, 4 rue Rivoli, Bagnères-de-Bigorre.", ["Bagnères-de-Bigorre"]),
    ],
)
def test_towns_around_addresses(detector, text, villes):
    assert found(detector.detect(text), "VILLE") == villes


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Rue de la Loi 16, 1000 Bruxelles", [("ADRESSE", "Rue de la Loi 16"), ("ZIP", "1000"), ("VILLE", "Bruxelles")]),
        ("Hauptstrasse 12, 8001 Zürich", [("ADRESSE", "Hauptstrasse 12"), ("ZIP", "8001"), ("VILLE", "Zürich")]),
        ("Domicilié 4 impasse des Lilas, BP 45, 97110 Pointe-à-Pitre",  # the box on the street line: one span (the brief)
         [("ADRESSE", "4 impasse des Lilas, BP 45"), ("ZIP", "97110"), ("VILLE", "Pointe-à-Pitre")]),
        ("Adresse : Bât. C, apt 12\nRésidence les Mimosas\n12 bis rue Pasteur\n33000 Bordeaux",
         [("ADRESSE", "Bât. C, apt 12\nRésidence les Mimosas\n12 bis rue Pasteur"), ("ZIP", "33000"), ("VILLE", "Bordeaux")]),
    ],
)
def test_foreign_addresses_boxes_and_buildings(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text) if s.label in ("ADRESSE", "ZIP", "VILLE")]
    for item in expected:
        assert item in got


def test_hospital_names_keep_their_connector_and_english_names(detector):
    text = "Suivi à la Clinique du Parc puis à l'Hôpital de la Croix-Rousse, au CHU de Rennes et au Jefferson University Hospital."
    spans = detector.detect(text)
    # (the tagger learned "[Clinique du Parc]" whole from EDS-Pseudo gold; either way the name is hidden)
    assert [h.split("Clinique ")[-1] for h in found(spans, "HOPITAL")] == ["du Parc", "de la Croix-Rousse", "Jefferson University Hospital"]
    assert found(spans, "VILLE") == ["Rennes"]  # an establishment named by its town: the town
    assert found(detector.detect("Hôpital privé Jacques Cartier, Massy."), "HOPITAL") == ["Jacques Cartier"]


def test_lower_case_dictated_names_and_particles(detector):
    assert found(detector.detect("Compte rendu dicté par le docteur martin et relu par le dr durand.")) == ["martin", "durand"]
    assert found(detector.detect("Le docteur traitant est prévenu, madame est sortie.")) == []
    spans = detector.detect("Vu par le Dr Marie-Christine de La Fontaine.")
    assert "de La Fontaine" in " ".join(found(spans, "NOM")) and not found(spans, "VILLE")


def test_form_grids_stop_at_the_next_field(detector):
    spans = detector.detect("Nom : MARTIN\tPrénom : Lucie\tNé(e) le : 12/04/1987\tSexe : F")
    assert [(s.label, s.text) for s in spans] == [("NOM", "MARTIN"), ("PRENOM", "Lucie"), ("DATE_NAISSANCE", "12/04/1987")]
    spans = detector.detect("NOM DE NAISSANCE : LEROY  NOM D'USAGE : FABRE  PRÉNOM : Hélène")
    assert found(spans) == ["LEROY", "FABRE", "Hélène"]


def test_extensions_and_short_mail_addresses(detector):
    assert found(detector.detect("Joindre le secrétariat poste 62 418 ou bip 5123."), "TEL") == ["62 418", "5123"]
    assert found(detector.detect("Observations : Cont@ct Dr X. Dx abarasse.jl@fr"), "MAIL") == ["abarasse.jl@fr"]


def test_author_lists_with_initials_first_are_not_patients(detector):
    text = ("Références : G. DUPRAT, N. BASSIN, R. HOELZ, Michael DOUBEK, A.K. FIELDING. Acute leukemia, 1st edition. "
            "UNI-MED Verlag, 2011.\nPatient vu par le Dr Jean MOREAU.")
    names = [s.text for s in detector.detect(text) if s.label in ("NOM", "PRENOM")]
    assert "MOREAU" in names and not {"DUPRAT", "BASSIN", "HOELZ", "DOUBEK", "FIELDING"} & set(names)
    # a list of the team, with no publication around it, is names
    team = detector.detect("Gynécologues :\nG. CHAUSSE, Q. Santoni, Y. Begon, O. De Almeida, H. Bischoff\n\nPression artérielle normale.")
    assert {"CHAUSSE", "Santoni", "Begon"} <= set(found(team))


def test_known_patient_identifiers_survive_every_filter(detector):
    # an instrument dump (many numbers of mixed widths) drops phone/date/IPP shapes as chance
    # matches, but the patient's own IPP given by the caller stays redacted
    line = "Holter 12 345 6789 01 23 456 7 89 1011 12 13 14 8812345678 15 16 17 1234 56 78 9"
    spans = detector.detect(line, {"ipp": "8812345678"})
    assert "8812345678" in found(spans)
    assert "8812345678" not in found(detector.detect(line))


def test_keep_known_restores_uncovered_parts():
    from partages.deid.detector import _keep_known
    from partages.deid.spans import Span

    text = "ABCDE FGHIJ"
    out = _keep_known(text, [Span(0, 5, "VILLE", "ABCDE", "rule")], [Span(3, 11, "NOM", "DE FGHIJ", "patient")])
    assert [(s.start, s.end, s.label, s.source) for s in out] == [(0, 5, "VILLE", "rule"), (6, 11, "NOM", "patient")]


# --- classes found on the blind-written development split (dev-v3), 2026-11-29 -------------


@pytest.mark.parametrize(
    "text,villes",
    [
        ("COMPTE RENDU DE CONSULTATION\nLacaune, le 2 novembre 2026\nMadame,", ["Lacaune"]),
        ("Mme X - SAINT-JEAN-DE-LUZ, le mercredi 18 novembre 2026", ["SAINT-JEAN-DE-LUZ"]),
        ("Suivi à l'Hôpital Paul-Brousse (Pau) depuis 2018.", ["Pau"]),
        ("Mammographie (Clinique Saint-Léonard, St Cyr Au Mont D Or).", ["St Cyr Au Mont D Or"]),
        ("Bât. C, 4 allée Marcel Pagnol - Laigné-en-Belin (72220)", ["Laigné-en-Belin"]),
        ("Médecin traitant : Dr Anne Morel, Bordères-sur-l'Échez", ["Bordères-sur-l'Échez"]),
        ("Commune de décès : Palau-del-Vidre (66690)", ["Palau-del-Vidre"]),
        ("Un neveu à La Réunion, une sœur en Guyane.", []),  # regions
        ("Domicile : Lieu-dit Kerbrat, Plouay 56240\nNIR : 1 88 09 13 055 211 69", ["Plouay"]),
    ],
)
def test_towns_in_letters_and_after_establishments(detector, text, villes):
    assert found(detector.detect(text), "VILLE") == villes


def test_ordonnance_dated_is_a_prescription_not_a_law(detector):
    assert found(detector.detect("Renouvellement de l'ordonnance du 05/11/2026."), "DATE") == ["05/11/2026"]
    assert found(detector.detect("Selon l'ordonnance n° 45-2658 du 2 novembre 1945."), "DATE") == []


@pytest.mark.parametrize(
    "text,dates",
    [
        ("Date: Tue, 24 Nov 2026 09:13", ["Tue, 24 Nov 2026"]),
        ("Envoyé : mer. 10 juillet 2024 19:42", ["mer. 10 juillet 2024"]),
        ("He flies home on July 20th.", ["July 20th"]),
        ("Apgar 9/10/10, page 2/3.", []),
    ],
)
def test_weekday_abbreviations_and_non_dates(detector, text, dates):
    assert found(detector.detect(text), "DATE") == dates


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Adresse : Résidence Les Glycines, Bât. B, apt 14, 10160 Aix-en-Othe", ("ADRESSE", "Résidence Les Glycines, Bât. B, apt 14")),
        ("Service de santé au travail, ZI des Écotais, 57400 Sarrebourg", ("ADRESSE", "ZI des Écotais")),
        ("demeurant Hameau des Granges, 84850 Camaret-sur-Aigues", ("ADRESSE", "Hameau des Granges")),
        ("Dr Bertrand Delmas\nLe Moulin de Chabans\n24290 Saint-Amand-de-Coly", ("ADRESSE", "Le Moulin de Chabans")),
        ("Dossier administratif : N° de dossier administratif : HC-2611-08812", ("NDA", "HC-2611-08812")),
        ("Patiente transférée, séjour R24-003417, IPP PSY-0093318.", ("NDA", "R24-003417")),
        ("Patiente transférée, séjour R24-003417, IPP PSY-0093318.", ("IPP", "PSY-0093318")),
        ("Cadre de santé joignable DECT 71 33, secrétariat poste 12.", ("TEL", "71 33")),
        ("Cadre de santé joignable DECT 71 33, secrétariat poste 12.", ("TEL", "12")),
        ("Suivi au Groupe hospitalier Bretagne Sud - Site du Scorff.", ("HOPITAL", "du Scorff")),
        ("HÔPITAL PRIVÉ DE LA LOIRE\nService d'hémodialyse", ("HOPITAL", "DE LA LOIRE")),
        ("Pharmacie du Centre, 2 place de l'Église", ("HOPITAL", "du Centre")),
        ("Hospitalisation à domicile (HAD Santé Service)", ("HOPITAL", "Santé Service")),
        ("Hôpital Necker-Enfants malades, consultation", ("HOPITAL", "Necker-Enfants malades")),
    ],
)
def test_more_identifier_forms(detector, text, expected):
    assert expected in [(s.label, s.text) for s in detector.detect(text)]


@pytest.mark.parametrize(
    "text,names",
    [
        ("La biopsie de Mme Demay (Elijah) est bénigne.", ["Demay", "Elijah"]),
        ("Agitation vers 3h, appel de l'interne (Arwen), Tercian donné.", ["Arwen"]),
        ("Appel du fils Maé au téléphone ; informée par l'interne Mohamed-Amine.", ["Maé", "Mohamed-Amine"]),
        ("Mme GITTON Tania ép. CHATENET, 88 ans", ["GITTON", "Tania", "CHATENET"]),
        ("Patient(e) : Mme PIETRI née D'ANGELO Calie", ["PIETRI", "D'ANGELO", "Calie"]),
        ("NOM : PORTAL\tPRÉNOM : Jed\tNÉ LE : 02.09.1953\tSEXE : M", ["PORTAL", "Jed"]),
        ("Patient : M. ENAULT Chelsy - IPP 81-009-3342", ["ENAULT", "Chelsy"]),  # the title is no initial
        ("Anesthésiste : Dr Eugène TOURNADRE   IBODE : Claudia ROMEO", ["Eugène", "TOURNADRE", "Claudia", "ROMEO"]),
        ("CR validé par YK.", []),  # signature initials
        ("Rappel SMS : Bonjour George, RDV le 03/12 avec Dr Sophie Martin.", ["George", "Sophie", "Martin"]),
        ("ÉCHOGRAPHIE OBSTÉTRICALE DU 2E TRIMESTRE\nPatiente : Mme RATEAU Oriana", ["RATEAU", "Oriana"]),
    ],
)
def test_names_from_the_blind_development_split(detector, text, names):
    assert [s.text for s in detector.detect(text) if s.label in ("NOM", "PRENOM")] == names


# --- classes found on the second blind-written development split (dev-v4) ------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Adresse du patient\nLa Croix Blanche\nLieu-dit Kerlosquet\n29870 Lannilis", [("ADRESSE", "La Croix Blanche\nLieu-dit Kerlosquet")]),
        ("Adresse : Rés. Les Mimosas, Bât. B, apt 21\n69009 Lyon", [("ADRESSE", "Rés. Les Mimosas, Bât. B, apt 21")]),
        ("Adresse : Les Hauts de Fonlabour, 81000 Albi", [("ADRESSE", "Les Hauts de Fonlabour")]),
        ("103 grande rue de la Croix-Rousse, 69004 Lyon", [("ADRESSE", "103 grande rue de la Croix-Rousse")]),
        ("12 ruelle des Goyaviers, 97432 Saint-Pierre", [("ADRESSE", "12 ruelle des Goyaviers")]),
        ("12 bis rue Victor Hugo,\nVolmerange-les-Mines 57330", [("VILLE", "Volmerange-les-Mines"), ("ZIP", "57330")]),
        ("| Lieu de naissance | Clermont-Ferrand |", [("VILLE", "Clermont-Ferrand")]),
        ("il vit avec sa compagne à bourg-en-bresse depuis 2010", [("VILLE", "bourg-en-bresse")]),
        ("Réunion à la Pitié-Salpêtrière, Paris 13e.", [("VILLE", "Paris 13e")]),
        ("Dr Jean Morel, cardiologue, prescripteur N° AM 62 1 23456 7", [("RPPS", "62 1 23456 7")]),
        ("Transport par Ambulances Dumonteil - 04 71 09 22 45", [("NOM", "Dumonteil")]),
        ("Centre hospitalier intercommunal Robert Ballanger, Aulnay", [("HOPITAL", "Robert Ballanger")]),
        ("Suivi à l'EHPAD du Parc de Ajaccio.", [("HOPITAL", "du Parc"), ("VILLE", "Ajaccio")]),
        ("Centre hospitalier de Cholet, service de pneumologie", [("VILLE", "Cholet")]),
        ("Prénom(s) : Timothé Thiméo\nDate de naissance : 3 septembre 2015", [("PRENOM", "Timothé Thiméo")]),
        ("je remercie d'avoir adressé votre patient M. meunier jean-claude, 67 ans", [("NOM", "meunier"), ("PRENOM", "jean-claude")]),
        ("SORTIE LE 28/11 / RDV HDJ LE 07/12 A 8H", [("DATE", "28/11"), ("DATE", "07/12")]),
    ],
)
def test_forms_from_the_second_blind_development_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got


@pytest.mark.parametrize(
    "text",
    [
        "Salle 3, bâtiment Laennec : réunion de service.",  # a hospital building, not an address
        "Endoscope : Olympus GIF-H190 n° 2811044, désinfection tracée.",  # a device serial number
        "Maison de santé pluriprofessionnelle\n2 rue du Stade\n29430 Plounévez",  # the practice is no street
        "INTERNE : Constant Laroche  bip 6123",
    ],
)
def test_not_identifiers_from_the_second_blind_development_split(detector, text):
    got = [(s.label, s.text) for s in detector.detect(text)]
    assert not any(t in ("bâtiment Laennec", "2811044", "Maison de santé pluriprofessionnelle", "bip") for _, t in got), got


def test_establishments_named_by_a_territory_are_hidden(detector):
    """Blind writers disagreed ("CHU de Martinique": a region, or the name of one hospital); a
    pseudonymiser takes the safer reading and hides it."""
    for text, word in (("Suivi au CHU de Martinique.", "Martinique"), ("CENTRE HOSPITALIER DE MAYOTTE", "MAYOTTE")):
        assert any(word in s.text and s.label == "HOPITAL" for s in detector.detect(text))


# --- classes found on test-v3 once it was scored and spent ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mon cher Léonard,\nMerci de m'avoir adressé Mme Moretti.", [("PRENOM", "Léonard")]),
        ("Équipe : Dr Leprince (sénior), Lyséa Da Cunha (interne), Lou (externe).", [("PRENOM", "Lyséa"), ("NOM", "Da Cunha"), ("PRENOM", "Lou")]),
        ("pt : m. mougenot djennah 76 a, adr par dr simeon", [("NOM", "mougenot")]),
        ("Antécédents familiaux : frère (Miguel) porteur d'une maladie de Basedow.", [("PRENOM", "Miguel")]),
        ("Cabinet de pathologie Anapath Rhône - 12 quai Perrache", [("HOPITAL", "Anapath Rhône")]),
        ("Centre d'hémodialyse AURA Santé - Saint-Quentin-de-Baron", [("HOPITAL", "AURA Santé"), ("VILLE", "Saint-Quentin-de-Baron")]),
        ("CHU de Martinique - Site Pierre Zobda-Quitman", [("HOPITAL", "Pierre Zobda-Quitman")]),
        ("Psychiatrie adulte - EPS Erasme, Dives-sur-Mer", [("HOPITAL", "Erasme"), ("VILLE", "Dives-sur-Mer")]),
        ("vue aux urgences du CHU de La Roche-sur-Foron le 2/03.", [("VILLE", "La Roche-sur-Foron")]),
        ("Le patient sera suivi au CMP de Vitry-le-François.", [("VILLE", "Vitry-le-François")]),
        ("Hôpital d'Instruction des Armées Sainte-Anne, Toulon", [("HOPITAL", "Sainte-Anne")]),
        ("DR LAMBERT MANEL (CARDIO, MAREUIL EN PERIGORD) - PATIENT", [("VILLE", "MAREUIL EN PERIGORD")]),
        ("Dr Chapron Lison - MG - Gournay-en-Bray", [("VILLE", "Gournay-en-Bray")]),
        ("Chemin des Vignes, Les Hauts de Bellevue, LA GRANDE PAROISSE 77130", [("ADRESSE", "Les Hauts de Bellevue"), ("VILLE", "LA GRANDE PAROISSE"), ("ZIP", "77130")]),
        ("Pharmacie : PLASSARD Sirine - 6 Grande Rue - 73170 Yenne", [("ADRESSE", "6 Grande Rue")]),
        ("Adresse : Les Hauts de Saint-Aubin, Bâtiment D, porte 214\n66750 Saint-Cyprien", [("ADRESSE", "Les Hauts de Saint-Aubin, Bâtiment D, porte 214")]),
        ("demeurant La Borde Haute, 83136 Rocbaron, sollicite", [("ADRESSE", "La Borde Haute")]),
        ("Place disponible au SSR Les Jardins à Pierres à partir du 25/03", [("VILLE", "Pierres")]),
        ("Centre hospitalier de Cayenne - Tél. (0594) 39 50 50", [("TEL", "(0594) 39 50 50")]),
        ("Contact : urgences-adm@ch-valence.fr - 04 75 75 75 75 - 179 boulevard du Maréchal Juin", [("TEL", "04 75 75 75 75"), ("ADRESSE", "179 boulevard du Maréchal Juin")]),
        ("Ancien chef de clinique\nClinique des Cèdres\nRue des Cèdres - 34570 Montarnaud", [("HOPITAL", "des Cèdres"), ("ZIP", "34570")]),
    ],
)
def test_forms_from_the_spent_third_test_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got, got


def test_initial_after_a_doctor_title(detector):
    # "Pr M. Bonnefous": after Dr/Pr, "M." is the initial of a first name and is hidden too
    text = "Médecins associés :\nPr M. Bonnefous (PU-PH)"
    covered = " ".join(s.text for s in detector.detect(text) if s.label in ("NOM", "PRENOM"))
    assert "M." in covered and "Bonnefous" in covered


@pytest.mark.parametrize(
    "text,word",
    [
        ("Kiné : M. Cheval.", "M."),  # after a role, "M." is the title
        ("Médecin demandeur Dr Colin bip 3317", "bip"),
        ("Interaction signalée par le Vidal : kétoprofène + Previscan.", "Vidal"),
        ("Aphasie de Broca initiale, Barthel 85/100 à la sortie.", "Broca"),
        ("Aphasie de Broca initiale, Barthel 85/100 à la sortie.", "Barthel"),
        ("Lot de plaque : 2311A0457 ; n° de poche 2024A00123456.", "2311A0457"),
        ("Test des 5 mots de Dubois 8/10, OD : 8/10.", "8/10"),
        ("a présenté le samedi 9 mars une douleur", "samedi 9 mars une"),
    ],
)
def test_not_identifiers_from_the_spent_third_test_split(detector, text, word):
    assert word not in [s.text for s in detector.detect(text)]


# --- classes found on test-v4 once it was scored and spent ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Maison de santé pluriprofessionnelle du Célé, 1 rue du Stade", [("HOPITAL", "du Célé")]),
        ("RÉSULTATS D'ANALYSES - LABORATOIRE BIOMED OUEST", [("HOPITAL", "BIOMED OUEST")]),
        ("M. MELIS est domicilié Résidence U Castellu, bât. 3, 20137 Lecci.", [("ADRESSE", "Résidence U Castellu, bât. 3")]),
        ("Adresse de retour : La Métairie Neuve, 01540 Vonnas", [("ADRESSE", "La Métairie Neuve")]),
        ("- appendicectomie (1985, Grande-Synthe)", [("VILLE", "Grande-Synthe")]),
        ("SERVICE DE PÉDIATRIE - HÔPITAL MÈRE-ENFANT\nCherbourg-en-Cotentin\nEnfant : Kelsy", [("VILLE", "Cherbourg-en-Cotentin")]),
        ("Fait à Les Matelles, le 20.11.2026", [("VILLE", "Les Matelles")]),
        ("CENTRE HOSPITALIER UNIVERSITAIRE DE LABOUHEYRE / ESPALION", [("VILLE", "LABOUHEYRE"), ("VILLE", "ESPALION")]),
        ("Surveillance horaire. IDE de nuit : Yahya R.", [("PRENOM", "Yahya"), ("NOM", "R.")]),
        ("Dr Jamin (anatomopathologie), Amalya NGUYEN (IDE de coordination)", [("PRENOM", "Amalya"), ("NOM", "NGUYEN")]),
        ("Bien cordialement,\nAdaline Rousset", [("PRENOM", "Adaline"), ("NOM", "Rousset")]),
        ("Deux enfants (Albane, 12 ans, et Solange, 9 ans).", [("PRENOM", "Albane"), ("PRENOM", "Solange")]),
        ("ATCD : AVC en 2O18, HTA.", [("DATE", "2O18")]),
        ("Admitted on November 24, 2026, discharged on 11/27/2026.", [("DATE", "November 24, 2026"), ("DATE", "11/27/2026")]),
    ],
)
def test_forms_from_the_spent_fourth_test_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got, got


# --- classes found on test-v5 once it was scored and spent ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Liste\nNOM | PRENOM | DDN | IPP | CHAMBRE\nSEGUY | Éléna | 01/01/1950 | 80012456 | 214\nWALTER | Rémy | 02/02/1951 | 80012457 | 215",
         [("NOM", "SEGUY"), ("PRENOM", "Éléna"), ("NOM", "WALTER"), ("PRENOM", "Rémy"), ("IPP", "80012457")]),
        ("SOINS A DOMICILE\nCabinet infirmier Teixeira - Havard\n45 chemin du Moulin", [("NOM", "Teixeira"), ("NOM", "Havard")]),
        ("Adressé par le Dr de La Fontaine pour palpitations.", [("NOM", "de La Fontaine")]),
        ("Trajet : domicile -> Oncopole Claudius Regaud, Toulouse", [("HOPITAL", "Claudius Regaud")]),
        ("Unité de Soins de Longue Durée Les Oliviers\nQuartier Saint-Jean", [("HOPITAL", "Les Oliviers")]),
        ("Patient adressé par SOS Médecins Châteaubernard.", [("VILLE", "Châteaubernard")]),
        ("Consultation CeGIDD - Prunelli-di-Fiumorbo", [("VILLE", "Prunelli-di-Fiumorbo")]),
        ("Prélèvement effectué par Noé, IDE, et transmis au Dr Lebailly.", [("PRENOM", "Noé")]),
        ("Bip interne : 5123", [("TEL", "5123")]),
        ("Kinésithérapie - Louay TILLET, MK - ADELI 35 7 01234 5", [("RPPS", "35 7 01234 5")]),
        ("Hôpital Nord - chemin des Bourrely - 13015 Marseille", [("ADRESSE", "chemin des Bourrely")]),
    ],
)
def test_forms_from_the_spent_fifth_test_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got, got


# --- classes found on test-v6 once it was scored and spent ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Né(e) le : 02/07/1987    à : Remoulins (30)\nSexe : F", [("VILLE", "Remoulins")]),
        ("adressé par son med traitant le dr montet de beautor. ttt actuel : metformine", [("VILLE", "beautor")]),
        ("Dr Naïs Carrette, chirurgien-dentiste, Samois-sur-Seine", [("VILLE", "Samois-sur-Seine")]),
        ("HOPITAUX UNIVERSITAIRES DE STRASBOURG – NOUVEL HOPITAL CIVIL", [("HOPITAL", "NOUVEL HOPITAL CIVIL")]),
        ("Nouvelle-Calédonie – Médipôle de Koutio, Dumbéa", [("HOPITAL", "de Koutio")]),
        ("Vit en couple, 2 enfants (Isao et Eneko), ancien cariste.", [("PRENOM", "Isao"), ("PRENOM", "Eneko")]),
        ("bonjour docteur, je vous adresse mr blanc pierre 67 ans", [("NOM", "blanc"), ("PRENOM", "pierre")]),
        ("PATIENT: LOQUET, NOA  SEXE: M  NE LE: 06/10/1972", [("NOM", "LOQUET"), ("PRENOM", "NOA")]),
        ("IDE : cabinet de Mmes Salas et Le Duc, 02 99 09 12 64", [("NOM", "Salas"), ("NOM", "Le Duc")]),
        ("Accompagnant : BAUD Pedro, tél. (+687) 78 45 12.", [("TEL", "(+687) 78 45 12")]),
        ("Dossier n° GHPSJ-118420 – Venue n° V-26-0098121", [("NDA", "GHPSJ-118420")]),
        ("Anesthésiste : Dr RUFFIN Mahé – Hôpitaux Civils de Colmar – poste 61 45", [("VILLE", "Colmar")]),
    ],
)
def test_forms_from_the_spent_sixth_test_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got, got


@pytest.mark.parametrize(
    "text,word",
    [
        ("Date de l'entretien : 26/11/2026 – Addictologie (ELSA)", "ELSA"),
        ("MAISON DE SANTE PLURIPROFESSIONNELLE – CHATEAUNEUF", "PLURIPROFESSIONNELLE"),
        ("CPK à 4850 UI/L, créatinine 142 µmol/L. Réévaluation prévue à 3 mois.", "L."),
    ],
)
def test_not_identifiers_from_the_spent_sixth_test_split(detector, text, word):
    assert word not in [s.text for s in detector.detect(text)]


def test_locality_between_dashes_is_hidden(detector):
    text = "Patient : FREMONT Aimé – La Touche Aubert – 48200 Saint-Chély-d'Apcher"
    covered = " ".join(text[s.start:s.end] for s in detector.detect(text))
    assert "Aubert" in covered and "Touche" in covered


# --- classes found on test-v8 once it was scored and spent ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Patient : M. RUEL Layanna, né le 16/06/1949 au Loué", [("VILLE", "Loué")]),
        ("Date et lieu de naissance : 14 février 1967 – Rosny-sous-Bois", [("VILLE", "Rosny-sous-Bois")]),
        ("Date naiss.\t19/03/1985\tLieu naiss.\tVerrières-en-Anjou", [("VILLE", "Verrières-en-Anjou")]),
        ("Admission : 21/11/2026 02:14   N° passage : U26-0918877", [("NDA", "U26-0918877")]),
        ("Patient(e) : LAFAURIE Aloys", [("NOM", "LAFAURIE"), ("PRENOM", "Aloys")]),  # a surname ending in -urie
        ("Centre Hospitalier de Nomexy – 99 route de La Bassée – SP 8 – 93330 Bondy", [("ADRESSE", "SP 8")]),
        ("Dermatologie\n8 allées Jean Jaurès – 31000 Toulouse", [("ADRESSE", "8 allées Jean Jaurès")]),
        ("Mme BOBIN, mère, domiciliée La Grange Neuve, 34160 Saint-Drézéry", [("ADRESSE", "La Grange Neuve")]),
    ],
)
def test_forms_from_the_spent_eighth_test_split(detector, text, expected):
    got = [(s.label, s.text) for s in detector.detect(text)]
    for item in expected:
        assert item in got, got


def test_address_field_with_a_long_label_and_a_building_line(detector):
    text = "Adresse de prise en charge : Résidence Les Mimosas, Bât. B, apt 14\n8 chemin de la Croix-Blanche\n35530 Servon-sur-Vilaine"
    covered = " ".join(text[s.start:s.end] for s in detector.detect(text) if s.label == "ADRESSE")
    assert "Résidence Les Mimosas" in covered and "8 chemin de la Croix-Blanche" in covered
