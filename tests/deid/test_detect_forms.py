"""One test per class of error found on the dev/dev2 splits (benchmarks/deid_errors.py), with
small hand-written French examples: date forms, birth-date and stay-number contexts, phone
variants, span boundaries that follow the EDS-Pseudo gold convention, and false positives."""

from __future__ import annotations

import pytest

from tests.deid.conftest import found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("On se revoit fin 2025 pour le bilan.", "fin 2025"),  # qualifier inside the span
        ("Prochain RDV prévu pour fin septembre.", "fin septembre"),
        ("Consultation lundi 12/03/2024 au matin.", "lundi 12/03/2024"),  # weekday inside
        ("Prélèvement du 12-mars-2024 : RAS.", "12-mars-2024"),
        ("née le 12, Mai 1973.", "12, Mai 1973"),
        ("Prélever le Sept 01,2026 à jeun.", "Sept 01,2026"),
        ("Arrêt du traitement le 1er/02/2020.", "1er/02/2020"),
        ("Douleurs depuis mars, sans fièvre.", "mars"),
        ("Dernière crise en mai.", "mai"),
    ],
)
def test_french_date_forms(detector, text, expected):
    dates = [s.text for s in detector.detect(text) if s.label in ("DATE", "DATE_NAISSANCE")]
    assert dates == [expected]


def test_day_before_a_range_and_bare_mars(detector):
    spans = detector.detect("Rendez-vous les 18 et 19/01/2018 ; la planète Mars est visible.")
    assert found(spans, "DATE") == ["18", "19/01/2018"]


def test_legal_references_are_not_dates(detector):
    text = "En application de la loi du 4 mars 2002 et du décret n°2013-1066 du 3 juin 2013, vu le 5 juin 2013."
    assert found(detector.detect(text), "DATE") == ["5 juin 2013"]


def test_spaced_birth_date_after_spaced_nir(detector):
    spans = detector.detect("DURAND Paul  2 9 1 4 2 5 6 5 4 1 1 5 2  0 7 0 8 1 9 8 3 42 avenue Foch")
    assert found(spans, "DATE_NAISSANCE") == ["0 7 0 8 1 9 8 3"]


@pytest.mark.parametrize(
    "text,birth",
    [
        ("Patient : Jean BONNET | M | 03/03/1975 | 9056297478", "03/03/1975"),
        ("Mme Solène BERTIN, mise au monde le 15|10|1960, vue ce jour.", "15|10|1960"),
        ("Identité : DUPONT Marie, 12/03/1950.", "12/03/1950"),
    ],
)
def test_birth_date_contexts(detector, text, birth):
    assert found(detector.detect(text), "DATE_NAISSANCE") == [birth]


@pytest.mark.parametrize(
    "text,nda",
    [
        ("Dossier n°1204UZO201 ouvert ce jour", "1204UZO201"),
        ("Nº de la visite: 42bg98765", "42bg98765"),
        ("Son numéro d’identifiant d’hospitalisation est 02890512938.", "02890512938"),
        ("Visite dossier 1267830945", "1267830945"),
        ("Venue n° 4455667788", "4455667788"),
        ("Marie DAUBERT | F | 10/05/1986 | 9056297478 | 1298947650", "1298947650"),  # after the IPP in a row
    ],
)
def test_stay_number_contexts(detector, text, nda):
    assert found(detector.detect(text), "NDA") == [nda]


@pytest.mark.parametrize(
    "text,tel",
    [
        ("Dr I. CONAN O1.42.15.93.30 (secrétariat)", "O1.42.15.93.30"),  # letter O typed for 0
        ("MedicoDevices, Berlin, +49 30 5682001 www.example.com", "+49 30 5682001"),
        ("Tel : (34) 02.29.18.05.95 Pr NEEL", "(34) 02.29.18.05.95"),
        ("merci de le joindre par téléphone au 04 09 56 98 ou par mail", "04 09 56 98"),
    ],
)
def test_phone_variants(detector, text, tel):
    assert found(detector.detect(text), "TEL") == [tel]


def test_patient_name_particle_alone_is_not_redacted(detector):
    patient = {"nom": "LE GUERN", "prenom": "Abdoul"}
    spans = detector.detect("Patient : LE GUERN Abdoul, né le 05/11/1952. Le lendemain, M. LE GUERN va mieux.", patient)
    assert found(spans, "NOM") == ["LE GUERN", "LE GUERN"]
    assert "Le" not in found(spans) and "le" not in found(spans)


def test_surname_particles_are_inside_the_span(detector):
    spans = detector.detect("Auteurs : N. Boissel, X. Le Goff, A. Gobert.\nLE LANN Rayana, vue ce jour.")
    noms = found(spans, "NOM")
    assert "Le Goff" in noms and "LE LANN" in noms


def test_address_unit_and_hospital_article(detector):
    spans = detector.detect("17 RUE DE RENNES, APPT 188, 83000 RETHEL. Transfert à l'Hôpital la Croix-Rousse.")
    assert found(spans, "ADRESSE") == ["17 RUE DE RENNES, APPT 188"]
    assert found(spans, "HOPITAL") == ["la Croix-Rousse"]


@pytest.mark.parametrize(
    "text,city",
    [
        ("Sa fille, résidant à La Possession, passe le voir.", "La Possession"),
        ("Mes parents habitent à St Pierre De Chandieu, ils viennent souvent.", "St Pierre De Chandieu"),
        ("En 1903 il rejoint st mars du desert pour ses études.", "st mars du desert"),
    ],
)
def test_compound_communes_after_a_place_word(detector, text, city):
    assert found(detector.detect(text), "VILLE") == [city]


def test_functions_after_titles_are_not_names(detector):
    spans = detector.detect("Monsieur le Président,\nMme Potin Marc Née le 22/08/1923.")
    assert "Président" not in found(spans) and "Née" not in found(spans)
    assert found(spans, "NOM") + found(spans, "PRENOM") == ["Potin", "Marc"] or set(found(spans)) >= {"Potin", "Marc"}


def test_instrument_data_lines_are_not_identifiers(detector):
    line = "(1)10:32 06 6246 77 36 96 0 3 341 0 2 381 112 0 12 0 95 8149 48 95 019 0 3 041 0 1 061 17 0 7 0"
    spans = detector.detect("Holter ECG\n" + line + "\nTél. 07 77 77 77 77 - Mobile 06 12 34 56 78 - Fax 01 23 45 67 89 - Bip 01 98 76 54 32")
    assert all(s.start > len("Holter ECG\n") + len(line) for s in spans)
    assert len(found(spans, "TEL")) == 4  # a line of phone numbers is not a data line


def test_tagger_city_guesses_need_a_commune(detector):
    spans = detector.detect("Aucun souci avec GELSUR, IGNATIA : homéopathie.\nof the European LeukemiaNet.")
    assert found(spans, "VILLE") == []


def test_citations_serials_and_placeholders_are_not_identifiers(detector):
    text = ("Réf. : Blood. 2010 Jan 21;115(3):453-74. Holter SN: AYZ12049210, lot 12345678.\n"
            "Aide : 2 2 2 2 2 2 2 2 2 2. Vu le 3 mars 2010, IPP : 8012939402.")
    spans = detector.detect(text)
    assert [(s.text, s.label) for s in spans] == [("3 mars 2010", "DATE"), ("8012939402", "IPP")]


def test_surname_first_order_after_a_title(detector):
    spans = detector.detect("Revu le 12 février 2022 par le Docteur Bruel Kimya.")
    assert found(spans, "NOM") == ["Bruel"] and found(spans, "PRENOM") == ["Kimya"]


@pytest.mark.parametrize(
    "text,dates",
    [
        ("Séjour 12/03/2020-15/03/2020.", ["12/03/2020", "15/03/2020"]),  # not a phone "03/2020-15/03"
        ("Dates : 12.03.2020 14.03.2020", ["12.03.2020", "14.03.2020"]),
        ("Dates : 12 03 2020 13 03 2020", ["12 03 2020", "13 03 2020"]),
        ("Passages 2 3 1 1 2 0 3 2 2 4 1 1 2 0 3 2 fin", ["2 3 1 1 2 0 3 2", "2 4 1 1 2 0 3 2"]),
        ("Période entre janvier et mars 2020", ["janvier", "mars 2020"]),
    ],
)
def test_consecutive_dates_are_not_phones_or_ids(detector, text, dates):
    assert [s.text for s in detector.detect(text)] == dates


def test_spaced_nir_then_spaced_birth_date_in_one_run(detector):
    spans = detector.detect("Identité 1 2 5 2 8 8 6 3 4 2 2 0 9 3 0 7 0 8 1 9 8 3 suite")
    assert [(s.text, s.label) for s in spans] == [("1 2 5 2 8 8 6 3 4 2 2 0 9 3", "SECU"), ("0 7 0 8 1 9 8 3", "DATE_NAISSANCE")]
    assert found(detector.detect("Tél 01 23 45 67 89 01 98 76 54 32"), "TEL") == ["01 23 45 67 89", "01 98 76 54 32"]


@pytest.mark.parametrize(
    "text,dates",
    [
        ("Perfusions du 3 au 5 mars 2020.", ["3", "5 mars 2020"]),
        ("Traitement pendant entre 2 et 3 mois, grade 2 et 3/4.", []),  # durations and grades are not dates
    ],
)
def test_day_ranges_need_a_month_after(detector, text, dates):
    assert found(detector.detect(text), "DATE") == dates


def test_surrogate_dates_keep_their_qualifier(key):
    from partages.deid import Pseudonymizer

    out = Pseudonymizer(key).pseudonymize("Revoir fin 2025, puis début mars 2026.").text
    assert out.startswith("Revoir fin 20") and ", puis début " in out


def test_the_number_sept_is_not_a_date():
    """"sept" is also the number seven: alone it must not be redacted (the corpus gate would
    reject clean text), while "3 sept 2024" and "sept. 1950" stay dates."""
    from partages.deid import detect

    assert detect("Antibiothérapie pendant sept jours, sept patients vus.") == []
    assert [s.text for s in detect("Revu le 3 sept 2024.")] == ["3 sept 2024"]
    assert [s.text for s in detect("Né en sept. 1950")] == ["sept. 1950"]
