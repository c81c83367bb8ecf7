// AI-literacy page: the learner view (one exercise at a time, immediate feedback, progress bar)
// and, for teachers, the class dashboard. Talks only to /v1/formation/* (see api.js).
import { api, ApiError, download } from "./api.js";

const $ = (sel) => document.querySelector(sel);
const ROLE = document.body.dataset.role || "";
const TEACHER = ROLE === "teacher" || ROLE === "admin";
// learners and teachers have no clinical drafts: no link to the assistant page for them
if (ROLE === "learner" || ROLE === "teacher") document.getElementById("assistant-link")?.remove();
const TYPE_LABELS = { reperer_erreur: "Repérer l'erreur", verifier_sources: "Vérifier les sources", pseudonymiser: "Pseudonymiser avant de demander", estimer_confiance: "Estimer la confiance" };
const state = { module: null, summary: null, attempts: new Map(), current: null };

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const pct = (x) => `${Math.round(100 * x)} %`;

function showError(box, err) {
  const message = err instanceof ApiError ? err.message : "Erreur inattendue dans la page. Rechargez-la.";
  box.replaceChildren(document.createTextNode(message));
  if (err instanceof ApiError && (err.status === 401 || err.code === "session_expired")) {
    box.append(el("a", { href: "/login?expired=1", textContent: " Se reconnecter" }));
  }
  box.hidden = false;
}
const clearError = (box) => { box.hidden = true; box.replaceChildren(); };
const base = () => `/v1/formation/modules/${encodeURIComponent(state.module.id)}`;

// ---- progress -------------------------------------------------------------------------------
function renderProgress() {
  const s = state.summary;
  $("#progress-bar").max = s.exercises;
  $("#progress-bar").value = s.answered;
  $("#progress-text").textContent = `${s.answered} / ${s.exercises} exercices — score ${s.score_pct} %`;
  const list = $("#exercise-list");
  list.replaceChildren();
  state.module.exercises.forEach((ex, i) => {
    const done = state.attempts.has(ex.id);
    const b = el("button", { type: "button", textContent: String(i + 1), className: done ? "done" : "" });
    b.setAttribute("aria-label", `Exercice ${i + 1} : ${TYPE_LABELS[ex.type]}${done ? " (fait)" : ""}`);
    if (state.current && state.current.id === ex.id) b.setAttribute("aria-current", "step");
    b.addEventListener("click", () => openExercise(ex.id));
    list.append(el("li", {}, b));
  });
  $("#done").hidden = !s.completed;
  if (s.completed) {
    $("#done-text").textContent = `Vous avez terminé le module avec un score de ${s.score_pct} %.`;
    $("#own-attestation").href = `${base()}/attestation`;
  }
}

async function loadProgress() {
  const p = await api(`${base()}/progress`);
  state.module = { ...state.module, ...p.module };
  state.summary = p.summary;
  state.attempts = new Map(p.attempts.map((a) => [a.exercise_id, a]));
  $("#module-title").textContent = p.module.title;
  $("#module-notice").textContent = p.module.notice || "";
  renderProgress();
}

// ---- one exercise ---------------------------------------------------------------------------
async function openExercise(id) {
  clearError($("#exercise-error"));
  let ex;
  try {
    ex = await api(`${base()}/exercises/${encodeURIComponent(id)}`);
  } catch (err) { showError($("#global-error"), err); return; }
  state.current = ex;
  $("#exercise").hidden = false;
  $("#exercise-avec").textContent = `A.V.E.C. : ${ex.avec}`;
  $("#exercise-type").textContent = `${TYPE_LABELS[ex.type]} — exercice ${ex.position} / ${ex.total}`;
  $("#exercise-title").textContent = ex.title;
  $("#exercise-competence").textContent = `Compétence (${ex.competence.domaine}) : ${ex.competence.libelle}`;
  $("#exercise-consigne").textContent = ex.consigne;
  $("#feedback").hidden = true;
  $("#feedback").replaceChildren();
  const body = $("#exercise-body");
  body.replaceChildren(RENDER[ex.type](ex));
  $("#submit-answer").hidden = false;
  $("#submit-answer").disabled = false;
  $("#next-exercise").hidden = true;
  renderProgress();
  if (ex.attempt) showFeedback(ex, ex.attempt.result);
  $("#exercise").focus();
}

const RENDER = {
  reperer_erreur(ex) {
    const docs = el("div", { className: "docs" }, el("h4", { textContent: "Documents du séjour (fictif)" }));
    ex.documents.forEach((d, i) => {
      const det = el("details", { open: i === 0 }, el("summary", { textContent: `Document ${i + 1} — ${d.type}${d.date ? ` (${d.date})` : ""}` }), el("pre", { textContent: d.text }));
      docs.append(det);
    });
    const draft = el("fieldset", { className: "draft" }, el("legend", { textContent: "Brouillon de lettre de liaison (généré par IA)" }));
    let section = null;
    for (const line of ex.draft) {
      if (line.section !== section) {
        section = line.section;
        draft.append(el("p", { className: "draft-section", textContent: section }));
      }
      const box = el("input", { type: "checkbox", id: `line-${line.id}`, value: line.id, name: "marked" });
      const row = el("div", { className: "draft-line", id: `row-${line.id}` }, box, el("label", { htmlFor: box.id, textContent: line.text }));
      draft.append(row);
    }
    return el("div", { className: "split" }, draft, docs);
  },
  verifier_sources(ex) {
    const wrap = el("div", {}, el("p", {}, el("strong", { textContent: "Question : " }), ex.question));
    wrap.append(el("p", {}, el("strong", { textContent: "Réponse de l'assistant : " }), ex.answer));
    const cites = el("ol", { className: "citations" });
    for (const c of ex.citations) {
      cites.append(el("li", { id: `cite-${c.index}` }, el("strong", { textContent: c.title }), el("br"), c.snippet, el("br"),
        el("span", { className: "citation-meta", textContent: `${c.id} — ${c.source.toUpperCase()} ${c.version} — ${c.licence}` })));
    }
    wrap.append(el("h4", { textContent: "Sources citées" }), cites);
    for (const claim of ex.claims) {
      const fs = el("fieldset", { className: "claim", id: `claim-${claim.id}` }, el("legend", { textContent: `Affirmation ${claim.id.slice(1)} [${claim.cites}]` }), el("p", { textContent: claim.text }));
      const choice = el("div", { className: "choice" });
      for (const [val, label] of [["true", "Confirmée par la source citée"], ["false", "Non confirmée par la source citée"]]) {
        const r = el("input", { type: "radio", name: `verdict-${claim.id}`, value: val, id: `verdict-${claim.id}-${val}`, required: true });
        choice.append(el("label", { htmlFor: r.id }, r, label));
      }
      fs.append(choice);
      wrap.append(fs);
    }
    return wrap;
  },
  pseudonymiser(ex) {
    const ta = el("textarea", { id: "note-edit", rows: 9, value: ex.note, spellcheck: false });
    const label = el("label", { htmlFor: "note-edit", textContent: "Note à envoyer à l'assistant (modifiez-la)" });
    return el("div", {}, label, ta, el("p", { className: "help", textContent: "Remplacez les noms, dates, adresses, numéros... par [NOM], [DATE], [ADRESSE], [NUMÉRO]." }));
  },
  estimer_confiance(ex) {
    const opts = el("ul", { className: "mcq-options" });
    for (const [k, v] of Object.entries(ex.options)) opts.append(el("li", {}, el("strong", { textContent: `${k}. ` }), v));
    const trust = el("fieldset", { className: "trust" }, el("legend", { textContent: "Faites-vous confiance à cette réponse ?" }));
    for (const [val, label] of [["true", "Oui, je lui fais confiance"], ["false", "Non, je vérifie ailleurs"]]) {
      const r = el("input", { type: "radio", name: "trust", value: val, id: `trust-${val}`, required: true });
      trust.append(el("label", { htmlFor: r.id }, r, label), " ");
    }
    return el("div", {}, el("p", { textContent: ex.question }), opts,
      el("p", { className: "model-answer", textContent: `Réponse du modèle : ${ex.model_answer} — probabilité annoncée ${pct(ex.model_probability)}` }),
      trust, el("p", { className: "help", textContent: `Source : ${ex.source.dataset} (${ex.source.split}), ${ex.source.licence}, ${ex.source.citation}.` }));
  },
};

function readAnswer(ex) {
  if (ex.type === "reperer_erreur") return { marked: [...document.querySelectorAll("#exercise-body input[name=marked]:checked")].map((b) => b.value) };
  if (ex.type === "verifier_sources") {
    const verdicts = {};
    for (const c of ex.claims) {
      const picked = document.querySelector(`input[name="verdict-${c.id}"]:checked`);
      if (!picked) return { missing: `Donnez votre avis sur l'affirmation ${c.id.slice(1)}.` };
      verdicts[c.id] = picked.value === "true";
    }
    return { verdicts };
  }
  if (ex.type === "pseudonymiser") return { text: $("#note-edit").value };
  const picked = document.querySelector("input[name=trust]:checked");
  if (!picked) return { missing: "Choisissez : confiance ou non." };
  return { trust: picked.value === "true" };
}

async function submitAnswer(event) {
  event.preventDefault();
  const ex = state.current;
  if (!ex || ex.attempt) return;
  clearError($("#exercise-error"));
  const answer = readAnswer(ex);
  if (answer.missing) { showError($("#exercise-error"), new ApiError(answer.missing)); return; }
  $("#submit-answer").disabled = true;
  try {
    const res = await api(`${base()}/exercises/${encodeURIComponent(ex.id)}/answer`, { method: "POST", body: { answer } });
    ex.attempt = res.attempt;
    state.attempts.set(ex.id, res.attempt);
    state.summary = res.summary;
    showFeedback(ex, res.attempt.result);
    renderProgress();
    if (TEACHER) loadResults();
  } catch (err) {
    $("#submit-answer").disabled = false;
    showError($("#exercise-error"), err);
  }
}

// ---- feedback ---------------------------------------------------------------------------------
function sourceLine(ex, s) {
  return el("p", { className: "help" }, `Source : document ${s.document + 1} (${s.type}${s.date ? `, ${s.date}` : ""}), caractères ${s.start}–${s.end} : `,
    el("span", { className: "source-quote", textContent: s.quote }));
}

function showFeedback(ex, result) {
  const fb = $("#feedback");
  fb.replaceChildren(el("p", { className: "score", textContent: `Score : ${pct(result.score)}` }));
  document.querySelectorAll("#exercise-body input, #exercise-body textarea").forEach((i) => { i.disabled = true; });
  if (ex.attempt?.answer && ex.type === "reperer_erreur") {
    for (const id of ex.attempt.answer.marked || []) { const b = document.getElementById(`line-${id}`); if (b) b.checked = true; }
  }
  if (ex.type === "reperer_erreur") {
    const c = result.counts;
    fb.append(el("p", { textContent: `${c.found} erreur(s) trouvée(s) sur ${c.errors}, ${c.missed} manquée(s), ${c.false_alarms} fausse(s) alerte(s).` }));
    for (const [kind, list, label] of [["found", result.found, "Trouvée"], ["missed", result.missed, "Manquée"]]) {
      for (const e of list) {
        document.getElementById(`row-${e.line}`)?.classList.add(kind);
        const item = el("div", { className: `feedback-item ${kind}` }, el("strong", { textContent: `${label} — ${e.label} : ` }), e.shown, el("br"),
          e.explanation, el("br"), el("em", { textContent: e.why }));
        if (e.correct) item.append(el("p", { className: "help", textContent: `Texte correct : ${e.correct}` }));
        for (const s of e.sources) item.append(sourceLine(ex, s));
        fb.append(item);
      }
    }
    for (const f of result.false_alarms) {
      document.getElementById(`row-${f.line}`)?.classList.add("false-alarm");
      fb.append(el("div", { className: "feedback-item false-alarm" }, el("strong", { textContent: "Fausse alerte : " }), f.text, el("br"), f.explanation));
    }
  } else if (ex.type === "verifier_sources") {
    for (const c of result.claims) {
      document.getElementById(`claim-${c.id}`)?.classList.add(c.correct ? "right" : "wrong");
      const radio = document.getElementById(`verdict-${c.id}-${c.your_verdict}`);
      if (radio) radio.checked = true;
      fb.append(el("div", { className: `feedback-item ${c.correct ? "right" : "wrong"}` },
        el("strong", { textContent: `Affirmation ${c.id.slice(1)} : ${c.supported ? "confirmée" : "NON confirmée"} par la source — ${c.correct ? "bonne réponse" : "mauvaise réponse"}. ` }), c.explanation));
    }
  } else if (ex.type === "pseudonymiser") {
    fb.append(el("p", { textContent: result.explanation }));
    if (result.leaked.length) fb.append(el("p", {}, el("strong", { textContent: "Identifiants encore présents : " }), result.leaked.map((i) => `${i.text} (${i.label})`).join(", ")));
    if (result.clinical_lost.length) fb.append(el("p", {}, el("strong", { textContent: "Informations cliniques retirées à tort : " }), result.clinical_lost.join(", ")));
    const det = result.detected_after_edit;
    fb.append(el("p", {}, el("strong", { textContent: "Ce que l'outil de pseudonymisation détecte encore dans votre texte : " }),
      det.length ? det.map((d) => `${d.text} (${d.label})`).join(", ") : "rien"));
  } else {
    fb.append(el("p", { textContent: result.explanation }));
    const b = result.calibration;
    fb.append(el("p", { className: "help", textContent: `Calibration mesurée sur ${b.n} questions : probabilité moyenne annoncée ${pct(b.mean_p)}, exactitude réelle ${pct(b.accuracy)}.` }));
    const radio = document.getElementById(`trust-${ex.attempt?.answer?.trust}`);
    if (radio) radio.checked = true;
  }
  fb.hidden = false;
  $("#submit-answer").hidden = true;
  const next = nextId(ex.id);
  $("#next-exercise").hidden = !next;
  $("#next-exercise").dataset.next = next || "";
  if (next) $("#next-exercise").focus();
}

function nextId(after) {
  const ids = state.module.exercises.map((e) => e.id);
  const i = ids.indexOf(after);
  return ids.slice(i + 1).find((id) => !state.attempts.has(id)) || ids.find((id) => !state.attempts.has(id)) || null;
}

// ---- teacher dashboard -------------------------------------------------------------------------
function histogram(counts, width) {
  const NS = "http://www.w3.org/2000/svg";
  const W = 600, H = 220, pad = 28, bw = (W - 2 * pad) / counts.length, max = Math.max(1, ...counts);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Répartition des scores : ${counts.map((c, i) => `${i * width}–${(i + 1) * width} % : ${c}`).join(", ")}`);
  counts.forEach((c, i) => {
    const h = ((H - 2 * pad) * c) / max;
    const r = document.createElementNS(NS, "rect");
    for (const [k, v] of Object.entries({ x: pad + i * bw + 2, y: H - pad - h, width: bw - 4, height: h, class: "bar" })) r.setAttribute(k, v);
    svg.append(r);
    const t = document.createElementNS(NS, "text");
    for (const [k, v] of Object.entries({ x: pad + i * bw + bw / 2, y: H - pad + 14, "text-anchor": "middle", class: "axis" })) t.setAttribute(k, v);
    t.textContent = `${i * width}`;
    svg.append(t);
    if (c) {
      const n = document.createElementNS(NS, "text");
      for (const [k, v] of Object.entries({ x: pad + i * bw + bw / 2, y: H - pad - h - 4, "text-anchor": "middle", class: "count" })) n.setAttribute(k, v);
      n.textContent = String(c);
      svg.append(n);
    }
  });
  return svg;
}

async function loadResults() {
  clearError($("#teacher-error"));
  let r;
  try { r = await api(`${base()}/results`); } catch (err) { showError($("#teacher-error"), err); return; }
  $("#histogram").replaceChildren(histogram(r.histogram.counts, r.histogram.bin_width_pct));
  const tbody = $("#learners-table tbody");
  tbody.replaceChildren();
  for (const l of r.learners) {
    const link = el("a", { href: `${base()}/learners/${encodeURIComponent(l.learner_id)}/attestation`, target: "_blank", rel: "noopener", textContent: "Attestation" });
    link.setAttribute("aria-label", `Attestation de ${l.learner_name}`);
    tbody.append(el("tr", {}, el("td", { textContent: l.learner_name }), el("td", { textContent: `${l.answered} / ${l.exercises}` }),
      el("td", { textContent: `${l.score_pct} %` }), el("td", { textContent: l.completed_at ? l.completed_at.slice(0, 10) : "—" }),
      el("td", { textContent: `${l.time_spent_min} min` }), el("td", {}, link)));
  }
  if (!r.learners.length) tbody.append(el("tr", {}, el("td", { colSpan: 6, textContent: "Aucun apprenant n'a encore commencé ce module." })));
  const missed = $("#missed-table tbody");
  missed.replaceChildren();
  for (const m of r.most_missed_errors) missed.append(el("tr", {}, el("td", { textContent: m.label }), el("td", { textContent: `${m.missed} / ${m.shown}` }), el("td", { textContent: pct(m.miss_rate) })));
  if (!r.most_missed_errors.length) missed.append(el("tr", {}, el("td", { colSpan: 3, textContent: "Pas encore de réponse aux exercices « Repérer l'erreur »." })));
  const leaks = r.identifiers_leaked.map((x) => `${x.label} (${x.count})`).join(", ") || "aucun";
  $("#other-stats").textContent = `Identifiants laissés dans les notes : ${leaks}. Affirmations non sourcées acceptées : ${r.unsupported_claims_accepted}.`;
}

async function exportCsv() {
  clearError($("#teacher-error"));
  try {
    const resp = await api(`${base()}/results.csv`, { raw: true });
    download(`completion-${state.module.id}.csv`, await resp.text(), "text/csv");
  } catch (err) { showError($("#teacher-error"), err); }
}

// ---- start ---------------------------------------------------------------------------------------
async function start() {
  $("#exercise-form").addEventListener("submit", submitAnswer);
  $("#next-exercise").addEventListener("click", () => { const n = $("#next-exercise").dataset.next; if (n) openExercise(n); });
  try {
    const mods = await api("/v1/formation/modules");
    if (!mods.data.length) { showError($("#global-error"), new ApiError("Aucun module de formation n'est installé sur ce serveur.")); return; }
    state.module = mods.data[0];
    await loadProgress();
  } catch (err) { showError($("#global-error"), err); return; }
  if (TEACHER) {
    $("#teacher").hidden = false;
    $("main").prepend($("#teacher")); // the dashboard first; the exercises stay below to try them
    $("#refresh-results").addEventListener("click", loadResults);
    $("#export-csv").addEventListener("click", exportCsv);
    loadResults();
  }
  const first = state.summary.next_exercise || state.module.exercises[0].id;
  await openExercise(first);
}

start();
