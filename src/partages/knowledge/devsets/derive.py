"""Derive the expected answers of the knowledge dev sets from the raw official files.

Run by hand (not imported): ``python src/partages/knowledge/devsets/derive.py /path/to/shared/data``.
The queries, pairs and rules below were written by hand; the expected CIS lists and ANSM levels
are computed here from BDPM 2023-11 and the ANSM thesaurus 2020_01 with these rules, on purpose
without any code from ``partages.knowledge`` (the code they score).
"""
import collections
import json
import os
import re
import sys
import unicodedata

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "shared", "data")
HERE = os.path.dirname(os.path.abspath(__file__))


def update(name, items):
    path = os.path.join(HERE, name)
    doc = json.load(open(path, encoding="utf-8"))
    doc["items"] = items
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)


# --- drug questions (BDPM 2023-11) ------------------------------------------------------------
B=os.path.join(DATA,'bdpm','2023-11')+'/'
def rd(f): return [l.rstrip('\r\n').split('\t') for l in open(B+f,encoding='cp1252')]
spec={r[0]:r[1] for r in rd('CIS_bdpm.txt')}
sa=collections.defaultdict(set)
for r in rd('CIS_COMPO_bdpm.txt'):
    if r[6]=='SA': sa[r[0]].add(r[3])
def n(s): return ''.join(c for c in unicodedata.normalize('NFKD',s.upper()) if not unicodedata.combining(c))
# (query, denomination regex, substance regexes (all SA must match one; count must equal) )
Q=[
 ("kardegic 75mg", r"^KARDEGIC 75 mg", None),
 ("PREVISCAN 20 mg cp", r"^PREVISCAN 20 mg", None),
 ("doliprane 1g", r"^DOLIPRANE 1000 mg", None),
 ("amoxicilline", None, [r"AMOXICILLINE"]),
 ("amoxiciline 1g", r"\b1 g\b", [r"AMOXICILLINE"]),
 ("doliprane 500", r"^DOLIPRANE 500 mg", None),
 ("dolipranne 1000", r"^DOLIPRANE 1000 mg", None),
 ("efferalgan 1g", r"^EFFERALGAN (1 g|1000)", None),
 ("dafalgan 500mg gel", r"^DAFALGAN 500 mg, gélule", None),
 ("levothyrox 75 µg", r"^LEVOTHYROX 75 microgrammes", None),
 ("levotyrox 100", r"^LEVOTHYROX 100 microgrammes", None),
 ("eliquis 5mg", r"^ELIQUIS 5 mg", None),
 ("xarelto 20 mg", r"^XARELTO 20 mg", None),
 ("coumadine 2mg", r"^COUMADINE 2 mg", None),
 ("lovenox 4000 UI", r"^LOVENOX 4 ?000 UI", None),
 ("metformine 850", r"\b850 mg", [r"METFORMINE"]),
 ("glucophage 1000", r"^GLUCOPHAGE 1000 mg", None),
 ("ibuprofene 400 mg", r"\b400 mg", [r"IBUPROF"]),
 ("advil 200", r"^ADVIL 200 mg", None),
 ("spasfon", r"^SPASFON", None),
 ("tahor 20", r"^TAHOR 20 mg", None),
 ("atorvastatine 40mg", r"(?<![,\d])40 mg", [r"ATORVASTATINE"]),
 ("simvastatine 20", r"(?<![,\d])20 mg", [r"SIMVASTATINE"]),
 ("kardegic 160", r"^KARDEGIC 160", None),
 ("aspirine 500", r"\b500 mg", [r"ACÉTYLSALICYL"]),
 ("ramipril 5 mg", r"(?<![,\d])5 mg", [r"RAMIPRIL"]),
 ("amlodipine 5mg", r"(?<![,\d])5 mg", [r"AMLODIPINE"]),
 ("bisoprolol 2.5", r"\b2,5 mg", [r"BISOPROLOL"]),
 ("lasilix 40mg", r"^LASILIX 40 mg", None),
 ("furosemide 40", r"(?<![,\d])40 mg", [r"FUROS"]),
 ("inexium 20", r"^INEXIUM 20 mg", None),
 ("omeprazole 20mg", r"(?<![,\d])20 mg", [r"OM[EÉ]PRAZOLE"]),
 ("mopral 20", r"^MOPRAL 20 mg", None),
 ("augmentin 1g", r"^AUGMENTIN 1 g", None),
 ("clamoxyl 500", r"^CLAMOXYL 500 mg", None),
 ("ciflox 500", r"^CIFLOX 500", None),
 ("zithromax", r"^ZITHROMAX", None),
 ("tramadol 50 mg", r"(?<![,\d])50 mg", [r"TRAMADOL"]),
 ("topalgic 50", r"^TOPALGIC 50 mg", None),
 ("lexomil", r"^LEXOMIL", None),
 ("xanax 0.25", r"^XANAX 0,25 mg", None),
 ("stilnox 10", r"^STILNOX 10 mg", None),
 ("seresta 10", r"^SERESTA 10 mg", None),
 ("deroxat 20", r"^DEROXAT 20 mg", None),
 ("sertraline 50mg", r"(?<![,\d])50 mg", [r"SERTRALINE"]),
 ("ventoline", r"^VENTOLINE", None),
 ("seretide", r"^SERETIDE", None),
 ("solupred 20", r"^SOLUPRED 20 mg", None),
 ("prednisolone 20 mg", r"(?<![,\d])20 mg", [r"(?<![A-Z])PREDNISOLONE"]),
 ("cortancyl 5", r"^CORTANCYL 5 mg", None),
 ("plavix 75", r"^PLAVIX 75 mg", None),
 ("clopidogrel 75mg", r"(?<![,\d])75 mg", [r"CLOPIDOGREL"]),
 ("paracetamol 1 g", r"\b(1 g|1000 mg)\b", [r"PARAC[EÉ]TAMOL"]),
 ("paracétamol codéine", None, [r"PARAC[EÉ]TAMOL", r"COD[EÉ]INE"]),
 ("lyrica 75", r"^LYRICA 75 mg", None),
 ("dépakine 500", r"^D[EÉ]PAKINE 500 mg", None),
 ("keppra 500", r"^KEPPRA 500 mg", None),
 ("temesta 1mg", r"^TEMESTA 1 mg", None),
 ("previscan", r"^PREVISCAN", None),
 ("acide acetylsalicylique 75 mg", r"(?<![,\d])75 mg", [r"ACÉTYLSALICYL"]),
 ("amoxicilline acide clavulanique 1g", r"\b1 g", [r"AMOXICILLINE", r"CLAVULAN"]),
 ("spasfon lyoc", r"^SPASFON LYOC", None),
 ("ELIQUIS 2,5", r"^ELIQUIS 2,5", None),
 ("forlax 10g", r"^FORLAX 10 g", None),
 ("gaviscon", r"^GAVISCON", None),
 ("humalog", r"^HUMALOG", None),
 ("lantus", r"^LANTUS", None),
 ("tercian 25", r"^TERCIAN 25 mg", None),
 ("zyloric 100", r"^ZYLORIC 100 mg", None),
 ("colchicine opocalcium", r"^COLCHICINE OPOCALCIUM", None),
]
out=[]
for q,den,subs in Q:
    exp=[]
    for cis,d in spec.items():
        if den and not re.search(den,d,re.I): continue
        if subs:
            s=sa[cis]
            if len(s)!=len(subs): continue
            if not all(any(re.search(p,x,re.I) for x in s) for p in subs): continue
        exp.append(cis)
    print(f"{len(exp):4d} {q!r}", [spec[c][:40] for c in exp[:3]])
    out.append({"query":q,"expected":sorted(exp),"rule":{"denomination":den,"substances":subs}})
update('drug_questions.json', out)
print(len(out), sum(1 for o in out if not o['expected']))


# --- interaction pairs (ANSM thesaurus 2020_01) ----------------------------------------------
D=os.path.join(DATA,'ansm_interactions_thesaurus','2020_01')+'/'
t=json.load(open(D+'thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json'))
idx=json.load(open(D+'index-des-substances-20102020.json'))
def n(s): return ' '.join(''.join(c for c in unicodedata.normalize('NFKD',s.lower()) if not unicodedata.combining(c)).replace("'"," ").replace("-"," ").split())
cls={}
for e in idx: cls[n(e['substance'])]={n(c) for c in e['drug_classes']}
RANK={"contre indication":0,"association deconseillee":1,"precaution d emploi":2,"a prendre en compte":3,"il convient de prendre en compte":3}
NAMES=["contre-indication","association déconseillée","précaution d'emploi","à prendre en compte"]
def names(subs):
    out=set()
    for s in subs:
        s=n(s); assert s in cls, s
        out|={s}|cls[s]
    return out
pairs=[
 ("coumadine 5 mg","aspirine 500 mg",["warfarine"],["acide acetylsalicylique"]),
 ("previscan 20 mg","advil 400",["fluindione"],["ibuprofene"]),
 ("eliquis 5 mg","kardegic 75 mg",["apixaban"],["acide acetylsalicylique"]),
 ("xarelto 20 mg","clarithromycine",["rivaroxaban"],["clarithromycine"]),
 ("tahor 40 mg","zeclar 500",["atorvastatine"],["clarithromycine"]),
 ("simvastatine 20 mg","itraconazole",["simvastatine"],["itraconazole"]),
 ("methotrexate","bactrim",["methotrexate"],["trimethoprime","sulfamethoxazole"]),
 ("teralithe 250","lasilix 40 mg",["lithium"],["furosemide"]),
 ("teralithe","ibuprofene 400 mg",["lithium"],["ibuprofene"]),
 ("aldactone 25","diffu k",["spironolactone"],["potassium"]),
 ("ramipril 5 mg","spironolactone",["ramipril"],["spironolactone"]),
 ("zyloric 100","imurel 50",["allopurinol"],["azathioprine"]),
 ("cordarone 200","simvastatine 40",["amiodarone"],["simvastatine"]),
 ("cordarone","coumadine",["amiodarone"],["warfarine"]),
 ("fluconazole 150","coumadine 2 mg",["fluconazole"],["warfarine"]),
 ("tramadol 50 mg","deroxat 20",["tramadol"],["paroxetine"]),
 ("colchicine","clarithromycine 500 mg",["colchicine"],["clarithromycine"]),
 ("levothyrox 100","tardyferon",["levothyroxine"],["fer"]),
 ("doliprane 1000","amoxicilline 1g",["paracetamol"],["amoxicilline"]),
 ("viagra 50","risordan 20",["sildenafil"],["isosorbide"]),
 ("kardegic 160","methotrexate",["acide acetylsalicylique"],["methotrexate"]),
 ("digoxine","cordarone 200 mg",["digoxine"],["amiodarone"]),
 ("tegretol 200","eliquis 2,5",["carbamazepine"],["apixaban"]),
 ("rifampicine","eliquis 5",["rifampicine"],["apixaban"]),
 ("bisoprolol 5","isoptine 120",["bisoprolol"],["verapamil"]),
 ("doliprane 500","levothyrox 75",["paracetamol"],["levothyroxine"]),
 ("amlodipine 10 mg","simvastatine 40 mg",["amlodipine"],["simvastatine"]),
 ("depakine 500","lamictal 100",["acide valproique"],["lamotrigine"]),
 ("AINS","anticoagulants oraux",None,None),
 ("plavix 75","omeprazole 20",["clopidogrel"],["omeprazole"]),
 ("ciflox 500","tardyferon 80",["ciprofloxacine"],["fer"]),
 ("seroplex 10","tramadol",["escitalopram"],["tramadol"]),
]
ents=[(n(r['main_drug']),n(r['plus_drug']),r) for r in t]
out=[]
for a,b,sa,sb in pairs:
    if sa is None:
        na={n("anti-inflammatoires non stéroïdiens")}; nb={n("anticoagulants oraux")}
    else:
        na,nb=names(sa),names(sb)
    found=[]
    for m,p,r in ents:
        if (m in na and p in nb) or (m in nb and p in na):
            lv=min(RANK[n(l['level'])] for l in r['severity_levels'])
            found.append((lv,r['main_drug'],r['plus_drug']))
    lvl=NAMES[min(found)[0]] if found else None
    entries=sorted({f"{x[1]} + {x[2]}" for x in found})
    out.append({"a":a,"b":b,"substances":[sa,sb],"expected_level":lvl,"entries":entries})
    print(a,'|',b,'|',lvl,entries)
for x in out: x['substances'] = x['substances'] if x['substances'][0] else None
update('interaction_pairs.json', out)
