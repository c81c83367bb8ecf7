// Renders an assistant draft as an editable, labelled form, its evidence as buttons, and the
// stay's documents with the evidence spans highlighted. All text goes through textContent
// (never innerHTML): model output and pasted notes cannot inject markup.

const LABELS = {
  letter: "Lettre de liaison", motif: "Motif d'hospitalisation", resume: "Synthèse du séjour",
  evenements_indesirables: "Événements indésirables", bmr: "Portage BMR / BHRe", transfusion: "Transfusions",
  dispositifs_implantes: "Dispositifs médicaux implantés", traitements_sortie: "Traitements de sortie",
  traitements_arretes: "Traitements arrêtés (avec la raison)", traitements_modifies: "Traitements modifiés (avec la raison)",
  resultats_en_attente: "Résultats en attente", suivi: "Suivi prévu", a_completer: "À compléter",
  medicament: "Médicament", posologie: "Posologie", raison: "Raison", avant: "Avant", apres: "Après",
  summary: "Synthèse", problems: "Problèmes", problemes: "Problèmes", events: "Événements", evenements: "Événements",
  treatments: "Traitements", traitements: "Traitements", date: "Date", description: "Description",
  medications: "Médicaments", interactions: "Interactions", text: "Texte", cis: "Code CIS", substances: "Substances",
  dose: "Dose", route: "Voie", frequency: "Fréquence", duration: "Durée", codes: "Codes CIM-10", code: "Code",
  label: "Libellé", excluded: "Mentions non codées (niées, hypothétiques, antécédents familiaux)", reason: "Raison", score: "Score", principal: "Diagnostic principal", explanation: "Explication", explication: "Explication",
  texte: "Texte", traitements_introduits: "Traitements introduits", sejour: "Séjour", diagnostics: "Diagnostics",
  entree: "Entrée", sortie: "Sortie", medecin_traitant: "Médecin traitant", provenance: "Provenance", source: "Source",
  note: "Note", avertissements: "Avertissements", destination: "Destination",
  level: "Niveau", niveau: "Niveau", message: "Message", conduite: "Conduite à tenir", drugs: "Médicaments",
};
export const META_KEYS = new Set(["id", "object", "status", "generated_by", "created", "created_at", "updated", "updated_at",
  "validated", "validated_by", "validated_at", "kind", "task", "type", "documents", "version", "edited_by", "history",
  "revision", "source_draft", "created_by"]);
// What a PATCH may change, per draft kind (the assistant API refuses other keys).
const EDITABLE = { discharge_letter: ["letter"], summary: ["summary"], medications: ["medications", "interactions"],
  codes: ["codes", "excluded"], explanation: ["explanation"] };
const TRI_STATE = new Set(["bmr", "bhre", "transfusion", "principal"]); // oui / non / non renseigné
const READ_ONLY = new Set(["score", "cis", "code_system", "source", "licence"]);
const LONG_TEXT = new Set(["resume", "motif", "explanation", "explication", "text", "description", "summary"]);

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;
export const label = (key) => LABELS[key] ?? String(key).replaceAll("_", " ");
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** The draft's content (what a PATCH sends back): everything but its metadata. */
export function draftContent(draft) {
  return Object.fromEntries(Object.entries(draft).filter(([k]) => !META_KEYS.has(k)));
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The JSON merge patch (RFC 7386) from ``before`` to ``after``: only what changed. A whole
 * document cannot be sent back, because a merge patch reads ``null`` as "delete this member". */
export function mergePatch(before, after) {
  const patch = {};
  for (const [k, v] of Object.entries(after)) {
    if (same(before?.[k], v)) continue;
    if (isObject(v) && isObject(before?.[k])) {
      const sub = mergePatch(before[k], v);
      if (Object.keys(sub).length) patch[k] = sub;
    } else patch[k] = v;
  }
  return patch;
}

/** What the page sends on save: the changes to the editable sections of the draft's kind. */
export function draftPatch(original, draft) {
  const keys = EDITABLE[draft.kind];
  const content = draftContent(draft);
  const editable = keys ? Object.fromEntries(keys.filter((k) => k in content).map((k) => [k, content[k]])) : content;
  return mergePatch(draftContent(original), editable);
}

function asSpans(evidence) {
  const list = Array.isArray(evidence) ? evidence : evidence ? [evidence] : [];
  return list.filter((e) => e && Number.isInteger(e.document) && Number.isInteger(e.start) && Number.isInteger(e.end) && e.end > e.start);
}

/** Every evidence span in a content tree, numbered in reading order. */
export function collectSpans(value, out = []) {
  if (Array.isArray(value)) value.forEach((v) => collectSpans(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "evidence") asSpans(v).forEach((s) => out.push(s));
      else collectSpans(v, out);
    }
  }
  return out;
}

/** Builds the form for a content tree; edits update ``content`` in place. */
export class DraftForm {
  constructor(container, onEvidence) {
    this.container = container;
    this.onEvidence = onEvidence;
    this.spanIds = new Map(); // span object -> span number
    this.readOnly = false;
  }

  render(content, spans, readOnly) {
    this.readOnly = readOnly;
    this.spanIds = new Map(spans.map((s, i) => [s, i]));
    this.container.replaceChildren(...Object.keys(content).map((k) => this.field(content, k, 2)));
  }

  field(parent, key, depth) {
    const value = parent[key];
    if (key === "evidence") return this.evidence(value);
    if (key === "a_completer") return this.todo(value);
    const wrap = el("div", { className: "field" });
    if (Array.isArray(value) || (value && typeof value === "object")) {
      const head = el(depth <= 3 ? `h${Math.min(depth + 2, 6)}` : "span", { className: "field-label", textContent: label(key) });
      wrap.append(head);
      wrap.append(Array.isArray(value) ? this.list(value, key, depth) : this.object(value, depth + 1));
      return wrap;
    }
    const id = nextId("f");
    wrap.append(el("label", { htmlFor: id, className: "field-label", textContent: label(key) }));
    wrap.append(this.input(parent, key, id));
    return wrap;
  }

  input(parent, key, id) {
    const value = parent[key];
    let node;
    if (typeof value === "boolean" || (value === null && TRI_STATE.has(key))) {
      node = el("select", { id });
      for (const [v, t] of [["", "Non renseigné"], ["true", "Oui"], ["false", "Non"]]) node.append(el("option", { value: v, textContent: t }));
      node.value = value === null ? "" : String(value);
      node.addEventListener("change", () => { parent[key] = node.value === "" ? null : node.value === "true"; });
    } else if (typeof value === "number") {
      node = el("input", { id, type: "number", step: "any", value: String(value) });
      node.addEventListener("input", () => { parent[key] = node.value === "" ? null : Number(node.value); });
      if (READ_ONLY.has(key)) node.readOnly = true;
    } else {
      const text = value === undefined || value === null ? "" : String(value);
      const long = LONG_TEXT.has(key) || text.length > 70;
      node = long ? el("textarea", { id, rows: Math.min(10, Math.max(2, Math.ceil(text.length / 80))) }) : el("input", { id, type: "text" });
      node.value = text;
      node.addEventListener("input", () => { parent[key] = node.value === "" && value === null ? null : node.value; });
      if (READ_ONLY.has(key)) node.readOnly = true;
    }
    if (this.readOnly) node.disabled = true;
    return node;
  }

  list(arr, key, depth) {
    const ul = el("ul", { className: "items" });
    if (!arr.length) ul.append(el("li", { className: "muted", textContent: "Aucun élément trouvé dans les documents." }));
    arr.forEach((item, i) => {
      const li = el("li", { className: "item" });
      if (item && typeof item === "object" && !Array.isArray(item)) li.append(this.object(item, depth + 1));
      else {
        const input = this.input(arr, i, nextId("f"));
        input.setAttribute("aria-label", `${label(key)} ${i + 1}`);
        li.append(input);
      }
      ul.append(li);
    });
    return ul;
  }

  object(obj, depth) {
    const box = el("div", { className: "subfields" });
    const tail = [];
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const node = this.field(obj, k, depth);
      if (k === "evidence" || Array.isArray(v) || (v && typeof v === "object")) tail.push(node);
      else box.append(node);
    }
    const frag = el("div");
    frag.append(box, ...tail);
    return frag;
  }

  evidence(value) {
    const spans = asSpans(value);
    const box = el("div", { className: "evidence" });
    if (!spans.length) {
      box.append(el("span", { className: "muted", textContent: "Sans preuve dans les documents : à vérifier." }));
      return box;
    }
    for (const s of spans) {
      const n = this.spanIds.get(s);
      const b = el("button", { type: "button", textContent: `Preuve : doc. ${s.document + 1}, car. ${s.start}–${s.end}` });
      b.setAttribute("aria-label", `Afficher la preuve dans le document ${s.document + 1}, caractères ${s.start} à ${s.end}`);
      b.addEventListener("click", () => this.onEvidence(n));
      box.append(b);
    }
    return box;
  }

  todo(value) {
    const items = Array.isArray(value) ? value : value ? [value] : [];
    const box = el("div", { className: "field todo" });
    box.append(el("strong", { textContent: "À compléter (absent des documents, non inventé) :" }));
    const ul = el("ul");
    if (!items.length) ul.append(el("li", { textContent: "Rien : toutes les rubriques obligatoires sont renseignées." }));
    for (const it of items) ul.append(el("li", { textContent: typeof it === "string" ? it : Object.values(it).filter((v) => typeof v === "string").join(" — ") }));
    box.append(ul);
    return box;
  }
}

/** The documents with every evidence span highlighted; returns a function to focus span n. */
export function renderSources(container, documents, spans) {
  container.replaceChildren();
  const marks = new Map(); // span number -> [mark elements]
  documents.forEach((doc, d) => {
    const mine = spans.map((s, i) => [s, i]).filter(([s]) => s.document === d);
    const section = el("section", { className: "source-doc" });
    section.append(el("h3", { textContent: `Document ${d + 1} — ${doc.typeLabel || doc.type}${doc.date ? ` du ${doc.date}` : ""}` }));
    const pre = el("div", { className: "source-text", tabIndex: 0 });
    pre.setAttribute("role", "region");
    pre.setAttribute("aria-label", `Texte du document ${d + 1}`);
    const text = doc.text;
    const cuts = new Set([0, text.length]);
    for (const [s] of mine) { cuts.add(Math.min(s.start, text.length)); cuts.add(Math.min(s.end, text.length)); }
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const covering = mine.filter(([s]) => s.start <= a && s.end >= b).map(([, n]) => n);
      const piece = text.slice(a, b);
      if (!covering.length) { pre.append(piece); continue; }
      const m = el("mark", { textContent: piece });
      for (const n of covering) { if (!marks.has(n)) marks.set(n, []); marks.get(n).push(m); }
      pre.append(m);
    }
    section.append(pre);
    container.append(section);
  });
  return (n) => {
    container.querySelectorAll("mark.active").forEach((m) => m.classList.remove("active"));
    const found = marks.get(n) || [];
    found.forEach((m) => m.classList.add("active"));
    if (found[0]) {
      found[0].tabIndex = -1;
      found[0].scrollIntoView({ block: "center", behavior: "smooth" });
      found[0].focus({ preventScroll: true });
    }
    return found.length;
  };
}
