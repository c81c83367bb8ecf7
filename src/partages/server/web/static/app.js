// The clinician page: stay documents, assistant tasks (drafts with evidence, edit, validate,
// export) and grounded chat. Talks only to this gateway's /v1 API (see api.js).
import { api, ApiError, download } from "./api.js";
import { collectSpans, DraftForm, draftContent, draftPatch, META_KEYS, renderSources } from "./render.js";
import { setupChat } from "./chat.js";

const $ = (sel) => document.querySelector(sel);
const MAX_CHARS = 200_000; // the assistant API's limits (it checks again): 200 000 in all,
const MAX_DOC_CHARS = 50_000; // 50 000 per document, 20 documents
const MAX_DOCS = 20;
const TASKS = {
  "discharge-letter": "Lettre de liaison de sortie",
  summary: "Synthèse du dossier",
  medications: "Médicaments et interactions",
  codes: "Suggestions de codes CIM-10",
  explain: "Explication pour le patient",
};

const state = { running: null, draft: null, saved: null, task: null, docs: [], validatedLetter: null };

// ---- errors ----------------------------------------------------------------------------
function showError(box, err) {
  const message = err instanceof ApiError ? err.message : "Erreur inattendue dans la page. Rechargez-la.";
  box.replaceChildren(document.createTextNode(message));
  if (err instanceof ApiError && (err.status === 401 || err.code === "session_expired")) {
    const a = Object.assign(document.createElement("a"), { href: "/login?expired=1", textContent: " Se reconnecter" });
    box.append(a);
  }
  box.hidden = false;
}
const clearError = (box) => { box.hidden = true; box.replaceChildren(); };

// ---- documents of the stay ---------------------------------------------------------------
let docCounter = 0;
function addDocument({ type = "compte_rendu", date = "", text = "" } = {}) {
  const node = $("#doc-template").content.firstElementChild.cloneNode(true);
  const n = ++docCounter;
  for (const [cls, field] of [["doc-type", "type"], ["doc-date", "date"], ["doc-text", "text"]]) {
    const input = node.querySelector(`.${cls}`);
    input.id = `doc-${n}-${field}`;
    node.querySelector(`.${cls}-label`).htmlFor = input.id;
  }
  node.querySelector(".doc-type").value = type;
  node.querySelector(".doc-date").value = date;
  node.querySelector(".doc-text").value = text;
  node.querySelector(".doc-text").addEventListener("input", updateSize);
  node.querySelector(".doc-remove").addEventListener("click", () => {
    node.remove();
    renumber();
    updateSize();
    $("#add-doc").focus();
  });
  $("#documents").append(node);
  renumber();
  updateSize();
  return node;
}

function renumber() {
  document.querySelectorAll("#documents .doc").forEach((doc, i) => {
    doc.querySelector("legend").textContent = `Document ${i + 1}`;
    doc.querySelector(".doc-remove").setAttribute("aria-label", `Retirer le document ${i + 1}`);
  });
}

function readDocuments() {
  return [...document.querySelectorAll("#documents .doc")]
    .map((doc) => {
      const select = doc.querySelector(".doc-type");
      return { type: select.value, typeLabel: select.selectedOptions[0]?.textContent, date: doc.querySelector(".doc-date").value, text: doc.querySelector(".doc-text").value };
    })
    .filter((d) => d.text.trim());
}

function updateSize() {
  const total = readDocuments().reduce((n, d) => n + d.text.length, 0);
  const info = $("#size-info");
  info.textContent = total ? `${total.toLocaleString("fr-FR")} caractères${total > MAX_CHARS ? " — trop long : réduisez ou scindez les documents." : ""}` : "";
  info.classList.toggle("error", total > MAX_CHARS);
}

async function importFiles(files) {
  for (const file of files) {
    if (file.size > MAX_CHARS * 4) {
      showError($("#task-error"), new ApiError(`Le fichier « ${file.name} » est trop volumineux pour être importé.`));
      continue;
    }
    const text = await file.text();
    const date = new Date(file.lastModified).toISOString().slice(0, 10);
    addDocument({ type: "autre", date, text });
  }
  $("#upload").value = "";
}

// ---- long requests: progress + cancel ------------------------------------------------------
export async function runLong(label, fn) {
  if (state.running) state.running.abort();
  const controller = new AbortController();
  state.running = controller;
  const started = Date.now();
  const text = $("#progress-text");
  const tick = () => { text.textContent = `${label} en cours… ${Math.round((Date.now() - started) / 1000)} s`; };
  tick();
  const timer = setInterval(tick, 1000);
  $("#progress").hidden = false;
  document.querySelectorAll("button.task, #chat-send").forEach((b) => { b.dataset.wasDisabled = b.disabled; b.disabled = true; });
  try {
    return await fn(controller.signal);
  } finally {
    clearInterval(timer);
    $("#progress").hidden = true;
    document.querySelectorAll("button.task, #chat-send").forEach((b) => { b.disabled = b.dataset.wasDisabled === "true"; });
    updateExplain();
    if (state.running === controller) state.running = null;
  }
}

// ---- assistant tasks ---------------------------------------------------------------------------
let focusEvidence = null;
let lastChip = null;
const form = new DraftForm($("#draft-body"), (n) => {
  lastChip = document.activeElement;
  $("#back-to-draft").hidden = false;
  focusEvidence?.(n);
});

async function runTask(task) {
  clearError($("#task-error"));
  let body;
  if (task === "explain") {
    if (!state.validatedLetter) return;
    body = { draft_id: state.validatedLetter.id };
  } else {
    const docs = readDocuments();
    if (!docs.length) {
      showError($("#task-error"), new ApiError("Ajoutez au moins un document du séjour (texte collé ou fichier importé)."));
      $("#documents .doc-text")?.focus();
      return;
    }
    if (docs.length > MAX_DOCS) {
      showError($("#task-error"), new ApiError(`Trop de documents : ${MAX_DOCS} au plus par demande.`));
      return;
    }
    const long = docs.findIndex((d) => d.text.length > MAX_DOC_CHARS);
    if (long >= 0) {
      showError($("#task-error"), new ApiError(`Le document ${long + 1} est trop long (plus de ${MAX_DOC_CHARS.toLocaleString("fr-FR")} caractères) : scindez-le.`));
      return;
    }
    if (docs.reduce((n, d) => n + d.text.length, 0) > MAX_CHARS) {
      showError($("#task-error"), new ApiError("Le texte envoyé est trop long pour le modèle. Réduisez ou scindez les documents, puis réessayez."));
      return;
    }
    state.docs = docs;
    body = { documents: docs.map(({ typeLabel, date, text }) => ({ type: typeLabel, date: date || null, text })) };
  }
  // the model's prose is opt-in: only letters, summaries and explanations have a prose field
  if ($("#use-prose").checked && ["discharge-letter", "summary", "explain"].includes(task)) body.prose = true;
  document.querySelectorAll("button.task").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.task === task)));
  try {
    const draft = await runLong(TASKS[task], (signal) => api(`/v1/assistant/${task}`, { method: "POST", body, signal }));
    state.task = task;
    if (task === "explain") state.docs = [];
    showDraft(draft);
  } catch (err) {
    showError($("#task-error"), err);
    $("#task-error").focus?.();
  }
}

function isValidated(draft) {
  return draft?.status === "validated";
}

function showDraft(draft) {
  state.draft = draft;
  state.saved = structuredClone(draft); // what the server holds: edits are diffed against it
  const validated = isValidated(draft);
  $("#draft").hidden = false;
  $("#ai-banner").hidden = validated;
  $("#validated-banner").hidden = !validated;
  $("#validated-banner").textContent = validated
    ? `Document validé${draft.validated_by ? ` par ${draft.validated_by}` : ""}${draft.validated_at ? ` le ${draft.validated_at}` : ""} — exportable.`
    : "";
  $("#draft-title").textContent = TASKS[state.task] || "Brouillon";
  const by = draft.generated_by || {};
  $("#draft-meta").textContent = `Généré par IA : ${[by.model, by.version].filter(Boolean).join(" ") || "modèle inconnu"}${by.date ? `, le ${by.date}` : ""}${draft.id ? ` — réf. ${draft.id}` : ""}`;
  const content = draftContent(draft);
  const spans = collectSpans(content);
  form.render(content, spans, validated || !draft.id);
  const sources = $("#sources");
  if (state.docs.length && spans.length) {
    sources.hidden = false;
    focusEvidence = renderSources($("#source-view"), state.docs, spans);
  } else if (state.docs.length) {
    sources.hidden = false;
    focusEvidence = renderSources($("#source-view"), state.docs, []);
  }
  $("#save-draft").disabled = validated || !draft.id;
  $("#validate-draft").disabled = validated || !draft.id;
  $("#export-md").disabled = !validated;
  $("#export-fhir").disabled = !validated || !draft.id;
  if (validated && state.task === "discharge-letter") state.validatedLetter = draft;
  updateExplain();
  $("#draft-status").textContent = validated ? "" : "Relisez et corrigez chaque rubrique, puis validez.";
  $("#draft-title").tabIndex = -1;
  $("#draft-title").focus();
}

function updateExplain() {
  $("#explain-btn").disabled = !state.validatedLetter || Boolean(state.running);
}

async function saveDraft() {
  const draft = state.draft;
  const patch = draftPatch(state.saved, draft);
  if (!Object.keys(patch).length) return draft; // nothing changed
  const updated = await api(`/v1/assistant/drafts/${encodeURIComponent(draft.id)}`, { method: "PATCH", body: patch });
  state.saved = structuredClone(updated);
  // keep the edited object (the form's inputs are bound to it); take the new revision and dates
  for (const k of META_KEYS) if (k in updated) draft[k] = updated[k];
  return draft;
}

function setupDraftActions() {
  $("#draft-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearError($("#task-error"));
    try {
      state.draft = await saveDraft();
      $("#draft-status").textContent = "Modifications enregistrées (brouillon, non validé).";
    } catch (err) { showError($("#task-error"), err); }
  });
  $("#validate-draft").addEventListener("click", async () => {
    clearError($("#task-error"));
    try {
      await saveDraft();
      const validated = await api(`/v1/assistant/drafts/${encodeURIComponent(state.draft.id)}/validate`, { method: "POST", body: {} });
      showDraft({ ...state.draft, ...validated, status: validated.status || "validated" });
      $("#draft-status").textContent = "Document validé : il peut être exporté.";
    } catch (err) { showError($("#task-error"), err); }
  });
  $("#export-md").addEventListener("click", async () => {
    clearError($("#task-error"));
    try {
      const resp = await api(`/v1/assistant/drafts/${encodeURIComponent(state.draft.id)}/markdown`, { raw: true });
      download(`${state.task || "document"}-${state.draft.id}.md`, await resp.text(), "text/markdown;charset=utf-8");
      $("#draft-status").textContent = "Export Markdown téléchargé.";
    } catch (err) { showError($("#task-error"), err); }
  });
  $("#export-fhir").addEventListener("click", async () => {
    clearError($("#task-error"));
    try {
      const bundle = await api(`/v1/assistant/drafts/${encodeURIComponent(state.draft.id)}/fhir`);
      download(`${state.task || "document"}-${state.draft.id}.fhir.json`, JSON.stringify(bundle, null, 2), "application/fhir+json");
      $("#draft-status").textContent = "Export FHIR R4 téléchargé.";
    } catch (err) { showError($("#task-error"), err); }
  });
}

// ---- wiring ------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  addDocument();
  $("#add-doc").addEventListener("click", () => addDocument().querySelector(".doc-text").focus());
  $("#upload").addEventListener("change", (ev) => importFiles(ev.target.files));
  $("#cancel").addEventListener("click", () => state.running?.abort());
  $("#back-to-draft").addEventListener("click", () => {
    (lastChip?.isConnected ? lastChip : $("#draft-title")).focus();
    (lastChip?.isConnected ? lastChip : $("#draft-title")).scrollIntoView({ block: "center" });
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && state.running) state.running.abort(); });
  document.querySelectorAll("button.task").forEach((b) => b.addEventListener("click", () => runTask(b.dataset.task)));
  setupDraftActions();
  setupChat({ runLong, showError, clearError });
});
